// Owns: finding people for the console, the admin API and `bwid users find`: one prefix search,
// case-insensitive, over email, phone, given/family/preferred name and sub, paged by sub
// (keyset: stable while people sign up). Each branch of the OR is a range scan on one of the
// text_pattern_ops indexes of migrations/0011_admin.ts; see docs/admin.md for the plan.
import { sql, type Expression, type SqlBool } from 'kysely';
import { normalizePhone } from '../accounts/index.ts';
import type { Db } from '../db/connect.ts';
import type { AccountsTable } from '../db/schema.ts';
import type { Selectable } from 'kysely';
import type { AdminRole } from './tables.ts';

export const PEOPLE_PAGE_MAX = 100;
export const SEARCH_MAX_CHARS = 320;

/** A person as an admin sees them: never the password hash. */
export type Person = Omit<Selectable<AccountsTable>, 'id' | 'password_hash'> & { sub: string; has_password: boolean; role: AdminRole | null };

export type PeoplePage = { people: Person[]; next: string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isSub = (s: unknown): s is string => typeof s === 'string' && UUID.test(s);

/** LIKE's own characters typed by an admin are literal. */
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function columns() {
  return [
    'a.id as sub',
    'a.email',
    'a.email_verified',
    'a.phone_number',
    'a.phone_number_verified',
    'a.given_name',
    'a.family_name',
    'a.matai_title',
    'a.preferred_name',
    'a.village',
    'a.district',
    'a.locale',
    'a.disabled',
    'a.created_at',
    'a.updated_at',
    sql<boolean>`a.password_hash IS NOT NULL`.as('has_password'),
    'r.role',
  ] as const;
}

/** The prefix conditions for one search text (lower case, LIKE-escaped). */
function matches(query: string): Expression<SqlBool>[] {
  const q = query.trim().toLowerCase().slice(0, SEARCH_MAX_CHARS);
  const prefix = `${escapeLike(q)}%`;
  const like = (column: string, pattern: string) => sql<SqlBool>`${sql.raw(column)} LIKE ${pattern}`;
  const out = [
    like('lower(a.email)', prefix),
    like('lower(a.given_name)', prefix),
    like('lower(a.family_name)', prefix),
    like('lower(a.preferred_name)', prefix),
  ];
  // A sub, or its beginning (hex digits and dashes only: anything else is no sub).
  if (/^[0-9a-f-]{4,36}$/.test(q)) out.push(like('(a.id::text)', prefix));
  // Phone numbers are stored in E.164: "+685 72 12345", "72 12345" and "7212345" all find +685721…
  const digits = q.replace(/[\s().-]/g, '');
  if (/^\+?\d{3,15}$/.test(digits)) {
    if (digits.startsWith('+')) out.push(like('a.phone_number', `${digits}%`));
    else out.push(like('a.phone_number', `+${digits}%`), like('a.phone_number', `+685${digits}%`));
  }
  return out;
}

export async function searchPeople(db: Db, opts: { query?: string; after?: string; limit?: number } = {}): Promise<PeoplePage> {
  const limit = Math.min(Math.max(opts.limit ?? 25, 1), PEOPLE_PAGE_MAX);
  let q = db.selectFrom('accounts as a').leftJoin('admin_roles as r', 'r.account_id', 'a.id').select(columns());
  const text = opts.query?.trim();
  if (text) q = q.where((eb) => eb.or(matches(text)));
  if (opts.after && isSub(opts.after)) q = q.where('a.id', '>', opts.after);
  const rows = await q.orderBy('a.id').limit(limit + 1).execute();
  const people = rows.slice(0, limit);
  return { people, next: rows.length > limit ? (people.at(-1)?.sub ?? null) : null };
}

export async function getPerson(db: Db, sub: string): Promise<Person | undefined> {
  if (!isSub(sub)) return undefined;
  return db.selectFrom('accounts as a').leftJoin('admin_roles as r', 'r.account_id', 'a.id').select(columns()).where('a.id', '=', sub).executeTakeFirst();
}

/** The person an email or phone names (any case for email), enabled or not. */
export async function findPersonByLogin(db: Db, login: string): Promise<Person | undefined> {
  const text = login.trim();
  if (!text || text.length > SEARCH_MAX_CHARS) return undefined;
  const q = db.selectFrom('accounts as a').leftJoin('admin_roles as r', 'r.account_id', 'a.id').select(columns());
  if (text.includes('@')) return q.where(sql<string>`lower(a.email)`, '=', text.toLowerCase()).executeTakeFirst();
  const phone = normalizePhone(text);
  return phone ? q.where('a.phone_number', '=', phone).executeTakeFirst() : undefined;
}
