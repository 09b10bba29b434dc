// Owns: what counts as an acceptable password (NIST SP 800-63B style): long enough, not too
// long for bcrypt, not one of the most common passwords, not the account's own email or phone.
// No composition rules ("one digit, one symbol"): they push people to predictable patterns.
import fs from 'node:fs';
import { projectPath } from '../paths.ts';

export const PASSWORD_MIN_CHARS = 8;
/** bcrypt only reads the first 72 bytes; longer passwords are refused rather than silently cut. */
export const PASSWORD_MAX_BYTES = 72;

export type PasswordPolicyCode = 'password_too_short' | 'password_too_long' | 'password_common' | 'password_matches_identifier';

/**
 * The form a password is hashed and compared in. NFKC so that the same password typed on two
 * keyboards (a precomposed "ā" or "a" + combining macron, a full-width digit) is the same
 * password, as SP 800-63B recommends.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

export const passwordByteLength = (password: string) => Buffer.byteLength(normalizePassword(password), 'utf8');

let common: Set<string> | undefined;

/** The bundled list (see the header of common-passwords.txt for its source), loaded once. */
function commonPasswords(): Set<string> {
  if (!common) {
    const file = projectPath('src/security/common-passwords.txt');
    common = new Set(
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('#')),
    );
  }
  return common;
}

export const commonPasswordCount = () => commonPasswords().size;

export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(normalizePassword(password).toLowerCase());
}

/**
 * The first rule the password breaks, or undefined if it is acceptable. `identifiers` are the
 * account's normalised email and E.164 phone number (either may be absent).
 */
export function checkPasswordPolicy(
  password: string,
  identifiers: { email?: string | null; phone_number?: string | null },
): PasswordPolicyCode | undefined {
  const normalized = normalizePassword(password);
  if ([...normalized].length < PASSWORD_MIN_CHARS) return 'password_too_short';
  if (Buffer.byteLength(normalized, 'utf8') > PASSWORD_MAX_BYTES) return 'password_too_long';
  const lower = normalized.toLowerCase();
  if (commonPasswords().has(lower)) return 'password_common';
  const { email, phone_number: phone } = identifiers;
  if (email && lower === email.normalize('NFKC').toLowerCase()) return 'password_matches_identifier';
  if (phone) {
    const digits = phone.replace(/\D/g, '');
    // The number as stored (+6857212345) or its digits (6857212345), however it is spaced.
    // (A Samoan number without its country code has at most 7 digits: too short anyway.)
    const forms = [phone, digits];
    if (forms.includes(lower.replace(/[\s().-]/g, ''))) return 'password_matches_identifier';
  }
  return undefined;
}
