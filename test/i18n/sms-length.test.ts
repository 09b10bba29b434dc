// Owns: the single-segment rule of every text message, in every language: at most 160 GSM 03.38
// characters, or 70 if any character is outside that alphabet (the ʻokina and the macrons are).
// Concatenated SMS is reported not to be joined on Samoan networks, and every part costs money.
// Each template is rendered the way the outbox renders it (src/messaging/templates.ts), with
// worst-case values: the longest code, minute counts and a long issuer host for the WebOTP line.
import { describe, expect, it } from 'vitest';
import { fitsOneSegment, isGsm7, smsLength, smsParts, withOriginBoundLine } from '../../src/factors/sms-segments.ts';
import { renderSms, type SmsTemplate } from '../../src/messaging/templates.ts';
import { loadFlatLocales } from './locale-text.ts';

const { languages, text } = loadFlatLocales();

/** Every SMS template there is: the keys of the English sms namespace. */
const TEMPLATES = [...(text['en'] ?? new Map<string, string>()).keys()].filter((k) => k.startsWith('sms:')).map((k) => k.slice(4) as SmsTemplate);

const WORST = { code: '999999', minutes: 30, hours: 24, value: '+68577123456789', url: 'https://id.bytewatchers.ws/password/forgot', name: 'x'.repeat(40) };
/** A realistic issuer host (the production one) and an unrealistically long one. */
const HOSTS = ['id.bytewatchers.ws', 'identity.bytewatchers-pacific-services.example.com'];

describe.each(languages)('%s SMS', (lang) => {
  it.each(TEMPLATES)('%s fits one segment with worst-case values and any issuer host', (template) => {
    for (const host of [undefined, ...HOSTS]) {
      const sms = renderSms(template, lang, WORST, host);
      expect(sms, `${lang} ${template}: ${JSON.stringify(smsLength(sms))}`).toSatisfy(fitsOneSegment);
      // Nothing left uninterpolated (a missing variable would show as {{...}}).
      expect(sms).not.toMatch(/\{\{|\}\}/);
    }
  });

  it('each code SMS ends with the origin-bound line @host #code for the production host', () => {
    for (const template of TEMPLATES) {
      const base = renderSms(template, lang, WORST);
      if (!base.includes(WORST.code)) continue;
      expect(renderSms(template, lang, WORST, HOSTS[0]).split('\n').at(-1), `${lang} ${template}`).toBe(`@${HOSTS[0]} #${WORST.code}`);
    }
  });

  it('is written in the GSM 03.38 alphabet (160 characters, not 70)', () => {
    const outside = TEMPLATES.filter((t) => !isGsm7(renderSms(t, lang, WORST, HOSTS[0])));
    expect(outside).toEqual([]);
  });
});

describe('sms-segments', () => {
  it('counts GSM-7 and UCS-2 segments', () => {
    expect(smsParts('a'.repeat(160))).toBe(1);
    expect(smsParts('a'.repeat(161))).toBe(2);
    expect(smsParts('€'.repeat(80))).toBe(1);
    expect(smsParts('€'.repeat(81))).toBe(2);
    expect(smsParts('ʻ' + 'a'.repeat(69))).toBe(1);
    expect(smsParts('ʻ' + 'a'.repeat(70))).toBe(2);
    expect(smsParts('ā'.repeat(135))).toBe(3);
    expect(isGsm7('Talofa! @ £ € 123')).toBe(true);
    expect(isGsm7('Tālofa')).toBe(false);
    expect(isGsm7('faʻailoga')).toBe(false);
  });

  it('adds the WebOTP line only where it still fits', () => {
    expect(withOriginBoundLine('Code 123456', 'id.example.ws', '123456')).toBe('Code 123456\n\n@id.example.ws #123456');
    const long = 'a'.repeat(140);
    expect(withOriginBoundLine(long, 'id.example.ws', '123456')).toBe(long);
    expect(withOriginBoundLine('no code', 'id.example.ws', undefined)).toBe('no code');
  });
});
