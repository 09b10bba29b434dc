// Owns: the types of what a running server hands its rooms (type-only: nothing runs here).
// Built once, in server.ts. A module takes only what it uses: `Pick<Deps, 'db' | 'log'>`.
// Kept a leaf (it imports only leaves), so any room may name it without an import circle.
import type { JWTVerifyGetKey } from 'jose';
import type { Middleware } from 'koa';
import type { Provider } from 'oidc-provider';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Db } from './db/connect.ts';
import type { SecretBox } from './security/secret-box.ts';

/** The live oidc-provider (rebuilt when signing keys change; read it per request). */
export type OidcRuntime = {
  readonly provider: Provider;
  /** Koa middleware that always delegates to the current provider. */
  middleware(): Middleware;
  /** The cookie signing keys, shared by the host app and the provider. */
  readonly cookieKeys: string[];
  /** Public keys of every published signing key, for verifying our own JWTs. */
  readonly verificationKeys: JWTVerifyGetKey;
};

export type Deps = {
  config: Config;
  db: Db;
  box: SecretBox;
  log: Logger;
  /** bcrypt cost for passwords (config.bcryptCost, named here because the accounts room needs only it). */
  bcryptCost: number;
  /** HMAC key of one-time links and codes, derived once from SECRETS_KEY. */
  tokenKey: Buffer;
  runtime: OidcRuntime;
};
