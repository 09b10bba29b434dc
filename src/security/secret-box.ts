// Owns: the keys derived from SECRETS_KEY (HKDF, one per purpose) and encryption of secrets at
// rest (private keys, cookie keys, client secrets) with AES-256-GCM under one of them.
import crypto from 'node:crypto';

const VERSION = 'v1';

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

/**
 * A 256-bit key for one purpose. HKDF, so that the result does not depend on how the operator
 * formatted SECRETS_KEY and so that no two purposes share a key.
 */
export function deriveKey(secretsKey: string, purpose: 'secret-box v1' | 'one-time-tokens v1' | 'key-check v1'): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', secretsKey, 'bytewatchers-id', purpose, 32));
}

export class SecretBox {
  readonly #key: Buffer;

  constructor(secretsKey: string) {
    this.#key = deriveKey(secretsKey, 'secret-box v1');
  }

  seal(plaintext: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.#key, iv);
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, ct] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ct === undefined) throw new SecretBoxError('unrecognised sealed value');
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('cannot decrypt: SECRETS_KEY differs from the key these secrets were sealed with');
    }
  }
}
