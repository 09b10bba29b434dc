import { describe, expect, it } from 'vitest';
import { SecretBox, SecretBoxError } from '../../src/security/secret-box.ts';

describe('SecretBox', () => {
  const box = new SecretBox('a-secrets-key-of-at-least-32-characters!');

  it('round-trips and never repeats a ciphertext', () => {
    const a = box.seal('client-secret-value');
    const b = box.seal('client-secret-value');
    expect(a).not.toBe(b);
    expect(a).not.toContain('client-secret-value');
    expect(box.open(a)).toBe('client-secret-value');
  });

  it('refuses a value sealed under another key, and a tampered one', () => {
    const sealed = box.seal('x');
    expect(() => new SecretBox('another-secrets-key-of-32-characters!!').open(sealed)).toThrow(SecretBoxError);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow(SecretBoxError);
    expect(() => box.open('garbage')).toThrow(SecretBoxError);
  });
});
