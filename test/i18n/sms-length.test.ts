// Owns: the cost of a text message in every language. One letter outside the GSM 7-bit alphabet
// (ʻ, ā …) turns an SMS into UCS-2 (70 characters, 67 per part), so Samoan SMS text must stay short:
// data and SMS are dear in the Pacific, and a code split over three parts arrives out of order on some phones.
import { describe, expect, it } from 'vitest';
import { loadFlatLocales } from './locale-text.ts';

const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENDED = new Set('^{}\\[~]|€');

/** Number of SMS parts a text needs (3GPP TS 23.038 alphabets, concatenated-SMS headers). */
export function smsParts(text: string): number {
  const chars = [...text];
  const gsm = chars.every((c) => GSM_BASIC.has(c) || GSM_EXTENDED.has(c));
  if (gsm) {
    const septets = chars.reduce((n, c) => n + (GSM_EXTENDED.has(c) ? 2 : 1), 0);
    return septets <= 160 ? 1 : Math.ceil(septets / 153);
  }
  const units = text.length; // UTF-16 code units, as UCS-2 counts them
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

/** Placeholders filled with realistic worst-case values. */
function filled(text: string): string {
  const sample: Record<string, string> = { code: '123456', minutes: '30', hours: '24', count: '30' };
  return text.replace(/\{\{\s*-?\s*(\w+)[^}]*\}\}/g, (_, name: string) => sample[name] ?? 'x'.repeat(30));
}

const { languages, text } = loadFlatLocales();

describe.each(languages)('%s SMS', (lang) => {
  it('every text message fits in at most two SMS parts', () => {
    const long = [...(text[lang] ?? new Map<string, string>())]
      .filter(([k]) => k.startsWith('sms:'))
      .map(([k, v]) => ({ key: k, parts: smsParts(filled(v)), length: filled(v).length }))
      .filter((m) => m.parts > 2);
    expect(long).toEqual([]);
  });
});

describe('smsParts()', () => {
  it('counts GSM and UCS-2 messages', () => {
    expect(smsParts('a'.repeat(160))).toBe(1);
    expect(smsParts('a'.repeat(161))).toBe(2);
    expect(smsParts('ʻ' + 'a'.repeat(69))).toBe(1);
    expect(smsParts('ʻ' + 'a'.repeat(70))).toBe(2);
    expect(smsParts('ā'.repeat(135))).toBe(3);
  });
});
