// Owns: additions the JSON API makes to oidc-provider (e.g. the grant type behind POST /login).
// Applied to every Provider instance the runtime builds (see src/oidc/provider-runtime.ts).
import type { Provider } from 'oidc-provider';
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';

export type ProviderExtension = (provider: Provider) => void;

export function apiProviderExtensions(_deps: { config: Config; db: Db }): ProviderExtension[] {
  return [];
}
