// Owns: the canonical forms of what people type: email addresses, phone numbers, names.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';

const EMAIL_MAX = 254; // RFC 5321 path limit
const emailFormat = z.email();

/**
 * Trimmed, with the domain lower-cased (domains are case-insensitive; the local part is kept
 * as typed, and uniqueness ignores its case through the lower(email) index). Undefined if it
 * is not a plausible address.
 */
export function normalizeEmail(input: string): string | undefined {
  if (typeof input !== 'string') return undefined;
  const s = input.trim();
  if (s.length > EMAIL_MAX || !emailFormat.safeParse(s).success) return undefined;
  const at = s.lastIndexOf('@');
  return `${s.slice(0, at)}@${s.slice(at + 1).toLowerCase()}`;
}

/** Samoa: numbers typed without a country code are Samoan (+685). */
export const DEFAULT_PHONE_REGION = 'WS';

/**
 * E.164 (e.g. +6857212345), or undefined if it is not a valid number. Accepts local Samoan
 * numbers ("721 2345"), Samoa's own international form ("0685 7212345": Samoa dials 0 for
 * abroad), "+685…", "685…", and "00…" as written in much of the world.
 */
export function normalizePhone(input: string): string | undefined {
  if (typeof input !== 'string') return undefined;
  let s = input.trim();
  if (s.length > 40 || !/^\+?[\d\s().-]+$/.test(s)) return undefined; // no letters or extensions
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  const parsed = parsePhoneNumberFromString(s, DEFAULT_PHONE_REGION);
  return parsed?.isValid() ? parsed.number : undefined;
}

/**
 * A name-like text field as we store it: Unicode NFC (one form for "ā"), control characters
 * removed (Postgres refuses NUL; newlines have no place in a name), runs of spaces collapsed.
 * Apostrophes are left alone: "O'Brien" is not a Samoan name with a missing ʻokina.
 */
export function normalizeText(input: string): string {
  return input
    .normalize('NFC')
    .replace(/\p{Cc}/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}

/** Length as people count it: characters (code points), not UTF-16 units. */
export const charLength = (s: string) => [...s].length;
