// Owns: who we are to WebAuthn: the relying party ID (the issuer's host name) and the one
// origin a ceremony may come from (the issuer's origin). Both follow ISSUER, so a passkey made
// at https://id.example.ws works on every process behind that name and nowhere else.
import type { Config } from '../config.ts';

export const RP_NAME = 'Bytewatchers ID';

export function relyingParty(config: Pick<Config, 'issuer'>): { rpID: string; origin: string } {
  const url = new URL(config.issuer);
  return { rpID: url.hostname, origin: url.origin };
}
