// Owns: the api_resources table: APIs (RFC 8707 resource servers) that receive JWT access
// tokens (RFC 9068). Small enough that its SQL lives here too.
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { Selectable } from 'kysely';
import type { Db } from '../db/connect.ts';
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
});

export type ApiView = { resource: string; name: string; scopes: string[]; access_token_ttl: number; created_at: string };

const toView = (r: Selectable<ApiResourcesTable>): ApiView => ({
  resource: r.resource,
  name: r.name,
  scopes: r.scopes,
  access_token_ttl: r.access_token_ttl,
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
    .values({ resource: a.resource, name: a.name, scopes: a.scopes, access_token_ttl: a.accessTokenTtl })
    .onConflict((oc) => oc.column('resource').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new ApiInputError(`resource: ${a.resource} is already registered`);
  apiCacheFor(db).delete(row.resource);
  return toView(row);
}

export const listApis = async (db: Db) =>
  (await db.selectFrom('api_resources').selectAll().orderBy('created_at').execute()).map(toView);

// Looked up on every token request that names a resource: cached briefly, like clients.
// Changes made through this process clear its entry at once; other processes see them
// within API_CACHE_MS.
const API_CACHE_MS = 2000;
const apiCaches = new WeakMap<Db, LRUCache<string, { api: ApiView | null }>>(); // one per database handle
function apiCacheFor(db: Db) {
  let cache = apiCaches.get(db);
  if (!cache) apiCaches.set(db, (cache = new LRUCache({ max: 1000, ttl: API_CACHE_MS })));
  return cache;
}

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

export async function findApi(db: Db, resource: string): Promise<ApiView | undefined> {
  const apiCache = apiCacheFor(db);
  const cached = apiCache.get(resource);
  if (cached) return cached.api ?? undefined;
  const row = await db.selectFrom('api_resources').selectAll().where('resource', '=', resource).executeTakeFirst();
  const api = row && toView(row);
  apiCache.set(resource, { api: api ?? null });
  return api;
}

export async function deleteApi(db: Db, resource: string): Promise<boolean> {
  const r = await db.deleteFrom('api_resources').where('resource', '=', resource).executeTakeFirst();
  apiCacheFor(db).delete(resource);
  return Number(r.numDeletedRows) > 0;
}
