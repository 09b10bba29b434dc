// Owns: the shapes of the console's forms and filters, validated once at the edge (zod). Values
// the domain judges (redirect URIs, scopes, API URIs) stay strings here and are split into lists.
import { z } from 'zod';
import { ADMIN_ROLES } from '../../admin/index.ts';
import { AUDIT_EVENT_TYPES } from '../../audit/index.ts';
import { CLIENT_TYPES } from '../../clients/client-input.ts';
import { formField } from '../pages/forms.ts';

const short = z.string().max(320).default('');
const checkbox = z.enum(['yes', '']).default('');
/** yyyy-mm-dd from a date input, as the start of that day (UTC); empty: none. */
const day = z
  .string()
  .max(10)
  .default('')
  .refine((v) => v === '' || /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)), 'date');

export const peopleQuery = z.object({ q: short, after: z.string().max(36).default('') });

export const auditQuery = z.object({
  person: short,
  app: z.string().max(200).default(''),
  type: z.union([z.enum(AUDIT_EVENT_TYPES), z.literal('')]).default(''),
  outcome: z.enum(['success', 'failure', '']).default(''),
  since: day,
  until: day,
  before: z.string().regex(/^\d{0,19}$/).default(''),
});
export type AuditQuery = z.output<typeof auditQuery>;

export const noteForm = z.object({ note: z.string().max(500).default('') });
export const verifyForm = z.object({ which: z.enum(['email', 'phone_number']), value: z.string().min(1).max(320), note: z.string().max(500).default('') });
export const deleteForm = z.object({ confirm: z.literal('yes') });
export const grantForm = z.object({ login: z.string().trim().min(1).max(320), role: z.enum(ADMIN_ROLES) });

/** Text areas: one entry per line (or separated by spaces), empty lines dropped. */
export const lines = (text: string) => text.split(/[\s]+/).map((s) => s.trim()).filter(Boolean);

/** "URI=scope,scope" per line; a URI without "=" means every scope of that API. */
export function apiAccessOf(text: string): Record<string, string[]> {
  const access: Record<string, string[]> = {};
  for (const line of lines(text)) {
    const eq = line.indexOf('=');
    const resource = eq < 0 ? line : line.slice(0, eq);
    const scopes = eq < 0 ? ['*'] : line.slice(eq + 1).split(',').map((s) => s.trim()).filter(Boolean);
    if (resource) access[resource] = [...new Set([...(access[resource] ?? []), ...scopes])];
  }
  return access;
}

/** Which second factor an admin removes: the authenticator app, or one passkey. */
export const removeFactorForm = z.object({ factor: z.enum(['totp', 'passkey']), passkey_id: z.string().max(64).default('') });

export const appForm = z.object({
  name: formField,
  type: z.union([z.enum(CLIENT_TYPES), z.literal('')]).default(''),
  redirect_uris: formField,
  post_logout_redirect_uris: formField,
  scopes: formField,
  first_party: checkbox,
  api_access: formField,
  // Branding shown on the consent page (src/clients/branding.ts checks and fetches it).
  logo_uri: formField,
  policy_uri: formField,
  tos_uri: formField,
  client_uri: formField,
});
export type AppForm = z.output<typeof appForm>;

export const apiForm = z.object({
  name: z.string().max(200).default(''),
  resource: z.string().max(2000).default(''),
  scopes: formField,
  ttl: z.string().regex(/^\d{0,6}$/).default(''),
});
export const resourceForm = z.object({ resource: z.string().min(1).max(2000) });
