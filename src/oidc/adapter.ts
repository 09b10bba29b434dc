// Owns: the oidc_payloads table, where oidc-provider keeps sessions, grants, interactions,
// codes and tokens. Ids of bearer artifacts (tokens, codes) are stored only as SHA-256
// digests: a database dump holds no usable token. Their payload's `jti` is dropped and put
// back from the id the provider looks up with.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Db } from '../db/connect.ts';

/** Models whose id is itself a bearer credential. */
const HASHED_MODELS = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'ClientCredentials',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PushedAuthorizationRequest',
  'RegistrationAccessToken',
  'InitialAccessToken',
]);

const digest = (id: string) => `sha256:${crypto.createHash('sha256').update(id).digest('hex')}`;

export class PostgresAdapter implements Adapter {
  readonly #hashed: boolean;

  constructor(
    private readonly db: Db,
    private readonly model: string,
  ) {
    this.#hashed = HASHED_MODELS.has(model);
  }

  #key(id: string): string {
    return this.#hashed ? digest(id) : id;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const stored: AdapterPayload = { ...payload };
    if (this.#hashed) delete stored.jti;
    const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
    const row = {
      model: this.model,
      id: this.#key(id),
      payload: JSON.stringify(stored),
      grant_id: payload.grantId ?? null,
      uid: payload.uid ?? null,
      user_code: payload.userCode ?? null,
      expires_at: expiresAt,
    };
    await this.db
      .insertInto('oidc_payloads')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['model', 'id']).doUpdateSet({
          payload: row.payload,
          grant_id: row.grant_id,
          uid: row.uid,
          user_code: row.user_code,
          expires_at: row.expires_at,
        }),
      )
      .execute();
  }

  async #findWhere(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
    const row = await this.db
      .selectFrom('oidc_payloads')
      .select(['payload', 'consumed_at', 'id'])
      .where('model', '=', this.model)
      .where(column, '=', value)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
      .executeTakeFirst();
    if (!row) return undefined;
    const payload = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as AdapterPayload;
    if (row.consumed_at) payload.consumed = Math.floor(row.consumed_at.getTime() / 1000);
    return payload;
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const payload = await this.#findWhere('id', this.#key(id));
    if (payload && this.#hashed) payload.jti = id;
    return payload;
  }

  // uid and userCode lookups exist only for models whose ids are kept in the clear
  // (Session, Interaction); hashed models never need them.
  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#findWhere('uid', uid);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#findWhere('user_code', userCode);
  }

  async consume(id: string): Promise<void> {
    await this.db
      .updateTable('oidc_payloads')
      .set({ consumed_at: sql<Date>`now()` })
      .where('model', '=', this.model)
      .where('id', '=', this.#key(id))
      .execute();
  }

  async destroy(id: string): Promise<void> {
    await this.db
      .deleteFrom('oidc_payloads')
      .where('model', '=', this.model)
      .where('id', '=', this.#key(id))
      .execute();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    // Every model that carries this grant goes: codes, access and refresh tokens, the grant.
    await this.db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
  }
}

/** Deletes expired rows; returns how many. Run periodically by the server. */
export async function purgeExpiredPayloads(db: Db): Promise<number> {
  const result = await db
    .deleteFrom('oidc_payloads')
    .where('expires_at', '<', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
