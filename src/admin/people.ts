// Owns: finding people for the console, the admin API and `bwid users find`: one prefix search,
// case-insensitive, over email, phone, given/family/preferred name and sub, paged by sub
// (keyset: stable while people sign up). Each branch of the OR is a range scan on one of the
// text_pattern_ops indexes of migrations/0011_admin.ts; see docs/admin.md for the plan.
import { sql } from 'kysely';
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

/**
 * The ids whose column starts with the search text, as a UNION of one range scan per
 * text_pattern_ops index. A plain OR in the outer query lets the planner walk the primary key
 * (ORDER BY id … LIMIT) and filter every row: ~1 s on 100,000 accounts for a rare prefix
 * (see bench/admin-search.ts); the union is a few index lookups.
 */
function matchingIds(db: Db, query: string) {
  const q = query.trim().toLowerCase().slice(0, SEARCH_MAX_CHARS);
  const prefix = `${escapeLike(q)}%`;
  const branch = (column: string, pattern: string) => db.selectFrom('accounts').select('id').where(sql<string>`${sql.raw(column)}`, 'like', pattern);
  let ids = branch('lower(email)', prefix)
    .unionAll(branch('lower(given_name)', prefix))
    .unionAll(branch('lower(family_name)', prefix))
    .unionAll(branch('lower(preferred_name)', prefix));
  // A sub, or its beginning (hex digits and dashes only: anything else is no sub).
  if (/^[0-9a-f-]{4,36}$/.test(q)) ids = ids.unionAll(branch('(id::text)', prefix));
  // Phone numbers are stored in E.164: "+685 72 12345", "72 12345" and "7212345" all find +685721…
  const digits = q.replace(/[\s().-]/g, '');
  if (/^\+?\d{3,15}$/.test(digits)) {
    if (digits.startsWith('+')) ids = ids.unionAll(branch('phone_number', `${digits}%`));
    else ids = ids.unionAll(branch('phone_number', `+${digits}%`)).unionAll(branch('phone_number', `+685${digits}%`));
  }
  return ids;
}

type SearchOptions = { query?: string; after?: string; limit?: number };
const pageSize = (opts: SearchOptions) => Math.min(Math.max(opts.limit ?? 25, 1), PEOPLE_PAGE_MAX);

/** The search as SQL (one more row than a page: whether there is a next one). The bench EXPLAINs it. */
export function peopleSearchQuery(db: Db, opts: SearchOptions = {}) {
  const limit = pageSize(opts) + 1;
  const after = opts.after && isSub(opts.after) ? opts.after : undefined;
  const text = opts.query?.trim();
  if (!text) {
    let q = db.selectFrom('accounts as a').leftJoin('admin_roles as r', 'r.account_id', 'a.id').select(columns());
    if (after) q = q.where('a.id', '>', after);
    return q.orderBy('a.id').limit(limit);
  }
  // The page of matching ids first (MATERIALIZED: the planner must not fold it into a walk of
  // the primary key), then their rows.
  return db
    .with(
      (cte) => cte('m').materialized(),
      (qb) => {
        let page = qb.selectFrom(matchingIds(db, text).as('u')).select('u.id').distinct();
        if (after) page = page.where('u.id', '>', after);
        return page.orderBy('u.id').limit(limit);
      },
    )
    .selectFrom('m')
    .innerJoin('accounts as a', 'a.id', 'm.id')
    .leftJoin('admin_roles as r', 'r.account_id', 'a.id')
    .select(columns())
    .orderBy('a.id')
    .limit(limit);
}

export async function searchPeople(db: Db, opts: SearchOptions = {}): Promise<PeoplePage> {
  const limit = pageSize(opts);
  // A handful of index lookups: starting parallel workers for them costs more than the search
  // (hundreds of milliseconds on a busy machine, measured in bench/admin-search.ts).
  const run = async (trx: Db) => {
    await sql`SET LOCAL max_parallel_workers_per_gather = 0`.execute(trx);
    return peopleSearchQuery(trx, opts).execute();
  };
  const rows = await (db.isTransaction ? run(db) : db.transaction().execute(run));
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
