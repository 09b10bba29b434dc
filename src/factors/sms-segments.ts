// Owns: the single-segment rule of every text message. A message is one SMS when it is at most
// 160 characters of the GSM 03.38 alphabet (an extension character such as € counts as two),
// or at most 70 UTF-16 units when any character is outside it (UCS-2). Concatenated messages
// are reported not to be joined on Samoan networks, so nothing we send may need a second part.
// The ʻokina and the macron vowels are outside GSM 03.38: Samoan SMS texts are written in
// plain letters (as people text in Samoa); pages and emails keep the full orthography.
// A leaf module (imports nothing): the messaging room renders with it, the tests check with it.

const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENDED = new Set('^{}\\[~]|€\f');

export const GSM7_SINGLE_SEGMENT = 160;
export const UCS2_SINGLE_SEGMENT = 70;

/** Whether every character is in the GSM 03.38 default alphabet or its extension table. */
export function isGsm7(text: string): boolean {
  for (const c of text) if (!GSM_BASIC.has(c) && !GSM_EXTENDED.has(c)) return false;
  return true;
}

/** How much of one segment the text uses: septets (GSM-7) or UTF-16 units (UCS-2), and the limit. */
export function smsLength(text: string): { encoding: 'gsm7' | 'ucs2'; length: number; limit: number } {
  if (isGsm7(text)) {
    let septets = 0;
    for (const c of text) septets += GSM_EXTENDED.has(c) ? 2 : 1;
    return { encoding: 'gsm7', length: septets, limit: GSM7_SINGLE_SEGMENT };
  }
  return { encoding: 'ucs2', length: text.length, limit: UCS2_SINGLE_SEGMENT };
}

/** Number of SMS parts the text needs (153 septets or 67 units per part once concatenated). */
export function smsParts(text: string): number {
  const { encoding, length, limit } = smsLength(text);
  if (length <= limit) return 1;
  return Math.ceil(length / (encoding === 'gsm7' ? 153 : 67));
}

export const fitsOneSegment = (text: string): boolean => smsParts(text) === 1;

/**
 * The WebOTP origin-bound line (`@host #code`, WICG sms-one-time-codes): as the message's last
 * line it lets a phone offer the code to that site only. Added only where the message still
 * fits one segment; without it the code is still in the text.
 */
export function withOriginBoundLine(text: string, host: string | undefined, code: string | undefined): string {
  if (!host || !code) return text;
  const withLine = `${text}\n\n@${host} #${code}`;
  return fitsOneSegment(withLine) ? withLine : text;
}
