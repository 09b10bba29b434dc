// Owns: turning a message template + variables into the text a person receives, in their
// language (i18next namespaces `email` and `sms`): plain text plus simple HTML for email,
// one short text for SMS, which always fits one segment (src/factors/sms-segments.ts); an SMS
// that carries a code ends with the WebOTP line `@host #code` where it still fits.
import ejs from 'ejs';
import { withOriginBoundLine } from '../factors/sms-segments.ts';
import { runtimeKey, translator } from '../i18n/i18n.ts';

export type EmailTemplate =
  | 'password_reset' | 'password_changed' | 'verify_email' | 'email_change' | 'phone_change' | 'account_secured' | 'sign_in_code'
  | 'two_step_on' | 'two_step_off' | 'two_step_new_codes';
export type SmsTemplate = 'password_reset' | 'password_changed' | 'verify_phone' | 'email_change' | 'phone_change' | 'account_secured' | 'sign_in_code' | 'two_step_changed';

export type MessageVars = {
  /** How to greet the person (preferred or given name); omitted = a plain greeting. */
  name?: string | null;
  /** The link to act on (reset, verify) or to go to (password changed). */
  url?: string;
  code?: string;
  minutes?: number;
  hours?: number;
  /** The email address or phone number a message is about. */
  value?: string;
};

export type RenderedEmail = { subject: string; text: string; html: string };

/** Which parts each email has; the texts are email:<template>.<part>. */
const EMAIL_PARTS: Record<EmailTemplate, { action: boolean; expiry: boolean; outro: boolean }> = {
  password_reset: { action: true, expiry: true, outro: true },
  verify_email: { action: true, expiry: true, outro: true },
  password_changed: { action: false, expiry: false, outro: true },
  email_change: { action: false, expiry: false, outro: true },
  phone_change: { action: false, expiry: false, outro: true },
  account_secured: { action: false, expiry: false, outro: true },
  sign_in_code: { action: false, expiry: true, outro: true },
  two_step_on: { action: false, expiry: false, outro: true },
  two_step_off: { action: false, expiry: false, outro: true },
  two_step_new_codes: { action: false, expiry: false, outro: true },
};

/** SMS texts kept in another room's namespace (the sms namespace is the sign-in codes room's). */
const SMS_KEYS: Partial<Record<SmsTemplate, string>> = { two_step_changed: 'two-step:sms_changed' };

// Inline styles only: most mail clients drop <style> blocks and external CSS.
const HTML = ejs.compile(
  `<!doctype html>
<html lang="<%= lang %>"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title><%= subject %></title></head>
<body style="margin:0;padding:16px;background:#f6f4ef;font-family:Arial,Helvetica,sans-serif;color:#1d2a33;font-size:16px;line-height:1.5">
<div style="max-width:520px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">
<p style="margin:0 0 16px;font-weight:bold;color:#0b5d6b">Bytewatchers ID</p>
<p><%= greeting %></p>
<p><%= intro %></p>
<% if (action) { %><p style="margin:24px 0"><a href="<%= action.url %>" style="display:inline-block;background:#0b5d6b;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;font-weight:bold"><%= action.label %></a></p>
<p style="font-size:14px;color:#4a5a63"><%= linkHelp %><br><a href="<%= action.url %>" style="color:#0b5d6b;word-break:break-all"><%= action.url %></a></p><% } %>
<% for (const line of after) { %><p><%= line %></p><% } %>
<p style="margin-top:24px;font-size:13px;color:#4a5a63"><%= footer %></p>
</div></body></html>`,
  { async: false },
);

export function renderEmail(template: EmailTemplate, locale: string, vars: MessageVars): RenderedEmail {
  const t = translator(locale);
  const parts = EMAIL_PARTS[template];
  const v = { ...vars, name: vars.name ?? '' };
  const subject = t(`email:${template}.subject`, v);
  const greeting = vars.name ? t('email:greeting', v) : t('email:greeting_anonymous');
  const intro = t(`email:${template}.intro`, v);
  const action = parts.action && vars.url ? { label: t(runtimeKey(`email:${template}.action`), v), url: vars.url } : undefined;
  const after = [
    ...(parts.expiry ? [t(runtimeKey(`email:${template}.expiry`), v)] : []),
    ...(parts.outro ? [t(`email:${template}.outro`, v)] : []),
  ];
  const footer = t('email:footer');
  const linkHelp = t('email:link_help');
  const text = [
    greeting,
    '',
    intro,
    ...(action ? ['', `${action.label}:`, action.url] : []),
    ...after.flatMap((line) => ['', line]),
    '',
    '-- ',
    footer,
  ].join('\n');
  const html = HTML({ lang: locale, subject, greeting, intro, action, linkHelp, after, footer });
  return { subject, text, html };
}

/** `originHost`: the issuer's host name, for the WebOTP line of a message with a code. */
export function renderSms(template: SmsTemplate, locale: string, vars: MessageVars, originHost?: string): string {
  return withOriginBoundLine(translator(locale)(runtimeKey(SMS_KEYS[template] ?? `sms:${template}`), { ...vars }), originHost, vars.code);
}
