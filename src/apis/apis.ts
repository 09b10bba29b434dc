// Owns: the api_resources table: APIs (RFC 8707 resource servers) that receive JWT access
// tokens (RFC 9068). Small enough that its SQL lives here too.
import { z } from 'zod';
import type { Selectable } from 'kysely';
import type { Db } from '../db/connect.ts';
import { lookupCache } from '../db/lookup-cache.ts';
import type { ApiResourcesTable } from '../db/schema.ts';

export class ApiInputError extends Error {
  override name = 'ApiInputError';
}

const createApiInput = z.object({
  name: z.string().trim().min(1).max(200),
  resource: z
    .url({ protocol: /^https?$/ })
    .refine((u) => !u.includes('#'), 'must not contain a fragment'),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'is not a valid scope token')).max(100).default([]),
  accessTokenTtl: z.number().int().min(60).max(86_400).default(600),
  ownerClientId: z.string().min(1).max(200).optional(),
});

export type ApiView = { resource: string; name: string; scopes: string[]; access_token_ttl: number; owner_client_id: string | null; created_at: string };

const toView = (r: Selectable<ApiResourcesTable>): ApiView => ({
  resource: r.resource,
  name: r.name,
  scopes: r.scopes,
  access_token_ttl: r.access_token_ttl,
  owner_client_id: r.owner_client_id,
  created_at: r.created_at.toISOString(),
});

export async function createApi(db: Db, input: z.input<typeof createApiInput>): Promise<ApiView> {
  const parsed = createApiInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiInputError(`${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`);
  }
  const a = parsed.data;
  const row = await db
    .insertInto('api_resources')
    .values({ resource: a.resource, name: a.name, scopes: a.scopes, access_token_ttl: a.accessTokenTtl, owner_client_id: a.ownerClientId ?? null })
    .onConflict((oc) => oc.column('resource').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new ApiInputError(`resource: ${a.resource} is already registered`);
  apiCache.forget(db, row.resource);
  return toView(row);
}

export const listApis = async (db: Db) =>
  (await db.selectFrom('api_resources').selectAll().orderBy('created_at').execute()).map(toView);

// Looked up on every token request that names a resource: cached briefly, like clients.
// Changes made through this process clear its entry at once; other processes see them
// within 2 s.
const apiCache = lookupCache<ApiView>({ max: 1000, ttlMs: 2000 });

/** How oidc-provider issues tokens for this API: RFC 9068 JWTs, ES256, the API's own TTL. */
export function resourceServerInfo(api: ApiView) {
  return {
    audience: api.resource,
    scope: api.scopes.join(' '),
    accessTokenTTL: api.access_token_ttl,
    accessTokenFormat: 'jwt' as const,
    jwt: { sign: { alg: 'ES256' as const } },
  };
}

export function findApi(db: Db, resource: string): Promise<ApiView | undefined> {
  return apiCache.get(db, resource, async () => {
    const row = await db.selectFrom('api_resources').selectAll().where('resource', '=', resource).executeTakeFirst();
    return row && toView(row);
  });
}

export async function deleteApi(db: Db, resource: string): Promise<boolean> {
  const r = await db.deleteFrom('api_resources').where('resource', '=', resource).executeTakeFirst();
  apiCache.forget(db, resource);
  return Number(r.numDeletedRows) > 0;
}

const ensured = new WeakMap<Db, Map<string, Promise<ApiView>>>();

/**
 * Registers a built-in API (the IdP's own, the admin API) once per database and process;
 * idempotent across processes. Create first, look up only if it exists: a lookup that misses
 * would be cached (findApi caches misses briefly) and hide the new row from the provider.
 */
export function ensureApi(db: Db, input: z.input<typeof createApiInput> & { resource: string }): Promise<ApiView> {
  let perDb = ensured.get(db);
  if (!perDb) ensured.set(db, (perDb = new Map()));
  let p = perDb.get(input.resource);
  if (!p) {
    p = (async () => {
      try {
        return await createApi(db, input);
      } catch (err) {
        if (!(err instanceof ApiInputError)) throw err;
        const existing = await findApi(db, input.resource);
        if (existing) return existing;
        throw err;
      }
    })();
    p.catch(() => perDb.delete(input.resource));
    perDb.set(input.resource, p);
  }
  return p;
}
