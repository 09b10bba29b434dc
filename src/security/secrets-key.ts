// Owns: where SECRETS_KEY comes from. Production must set it; development gets one generated
// into the data directory (with a loud warning), so `npm start` works with nothing configured.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';

export function resolveSecretsKey(config: Config, log?: Logger): string {
  if (config.secretsKey) return config.secretsKey;
  if (config.env === 'production') throw new Error('SECRETS_KEY is required in production');
  const file = path.join(config.dataDir, 'secrets.key');
  fs.mkdirSync(config.dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
    log?.warn({ file }, 'SECRETS_KEY is not set: generated a development key. Set SECRETS_KEY in production.');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    log?.warn({ file }, 'SECRETS_KEY is not set: using the development key from the data directory.');
  }
  return fs.readFileSync(file, 'utf8').trim();
}
