// Owns: where SECRETS_KEY comes from. Production must set it; development gets one generated
// into the data directory (with a loud warning), so `npm start` works with nothing configured.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { DATA_DIR_MODE } from '../db/embedded-lock.ts';

export class SecretsKeyMissingError extends Error {
  override name = 'SecretsKeyMissingError';
}

/**
 * The key to use. `generate: false` (bwid) only reads an existing development key: a CLI that made
 * up its own key would seal data the server cannot open.
 */
export function resolveSecretsKey(config: Config, log?: Logger, { generate = true } = {}): string {
  if (config.secretsKey) return config.secretsKey;
  if (config.env === 'production') throw new SecretsKeyMissingError('SECRETS_KEY is required in production');
  const file = path.join(config.dataDir, 'secrets.key');
  if (!generate) {
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
    throw new SecretsKeyMissingError(`SECRETS_KEY is not set and ${config.dataDir} holds no development key: set the server's SECRETS_KEY`);
  }
  fs.mkdirSync(config.dataDir, { recursive: true, mode: DATA_DIR_MODE });
  try {
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
    log?.warn({ file }, 'SECRETS_KEY is not set: generated a development key. Set SECRETS_KEY in production.');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    log?.warn({ file }, 'SECRETS_KEY is not set: using the development key from the data directory.');
  }
  return fs.readFileSync(file, 'utf8').trim();
}
