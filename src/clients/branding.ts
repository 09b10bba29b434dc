// Owns: an app's branding (issue 13, item 6): its logo, web address, privacy policy and terms,
// as saved by an admin (CLI, admin console) and as the consent page shows them.
// The logo is fetched once, when saved (logo-fetch.ts: https, public addresses, limits),
// decoded with sharp and re-encoded by us as a 128x128 PNG, and served from our own origin
// (web/branding): our pages never load another origin, and what reaches a browser is an image
// we wrote, never the bytes someone else chose. SVG is refused rather than rasterised: an SVG
// is a document (scripts, external references, entity tricks) and decoding one means running
// librsvg on input from the internet; app logos exist as PNG too.
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import type { Deps } from '../deps.ts';
import { ClientInputError } from './clients.ts';
import { fetchLogo, LogoFetchError } from './logo-fetch.ts';

export const LOGO_SIZE = 128;
/** Decoding refuses images above this many pixels (a small file can claim a huge canvas). */
const MAX_INPUT_PIXELS = 4096 * 4096;
const RASTER_FORMATS = new Set(['png', 'jpeg', 'webp', 'gif']);

export type BrandingDeps = Pick<Deps, 'db'> & { config: Pick<Config, 'issuer'> };

/**
 * What an admin sets. A field left out stays as it is; null or "" removes it. Field names are
 * those of the CLI's flags (--logo-uri ...) in camelCase, so errors name the flag.
 */
export type BrandingInput = {
  logoUri?: string | null | undefined;
  policyUri?: string | null | undefined;
  tosUri?: string | null | undefined;
  clientUri?: string | null | undefined;
};

/** What the consent page and the admin console read. */
export type ClientBranding = {
  logo_uri: string | null;
  policy_uri: string | null;
  tos_uri: string | null;
  client_uri: string | null;
  /** Our own URL of the stored logo (versioned by its hash), or null without one. */
  logo_href: string | null;
};

/** Policy, terms and web address: shown as links to people, so https and nothing else. */
const httpsLink = z
  .string()
  .max(2000)
  .refine((v) => {
    const url = URL.parse(v);
    return !!url && url.protocol === 'https:' && !url.username && !url.password && !!url.hostname;
  }, 'must be an https URL');
const field = (schema: z.ZodType<string>) => z.union([z.literal('').transform(() => null), z.null(), schema]).optional();

const brandingInput = z
  .object({
    logoUri: field(z.string().max(2000)),
    policyUri: field(httpsLink),
    tosUri: field(httpsLink),
    clientUri: field(httpsLink),
  })
  .strict();

/** Branding checked and its logo fetched and re-encoded: nothing stored yet. */
export type PreparedBranding = {
  set: { logo_uri?: string | null; policy_uri?: string | null; tos_uri?: string | null; client_uri?: string | null };
  /** undefined: logo unchanged; null: remove it; else the new logo. */
  logo?: { image: Buffer; etag: string } | null;
};

const isHttpLoopbackIssuer = (issuer: string) => {
  const url = URL.parse(issuer);
  return !!url && url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(url.hostname));
};

/** Decodes what was fetched and writes our own PNG; refuses anything that is not a raster image. */
export async function reencodeLogo(body: Buffer): Promise<{ image: Buffer; etag: string }> {
  // Loaded here, when an admin saves a logo: libvips is tens of megabytes of memory that a
  // process serving tokens has no use for.
  const { default: sharp } = await import('sharp');
  let format: string | undefined;
  try {
    format = (await sharp(body, { limitInputPixels: MAX_INPUT_PIXELS }).metadata()).format;
  } catch {
    throw new LogoFetchError('is not an image sharp can read');
  }
  if (format === 'svg') throw new LogoFetchError('is an SVG; give a PNG, JPEG, WebP or GIF');
  if (!format || !RASTER_FORMATS.has(format)) throw new LogoFetchError(`is a ${format ?? 'unknown'} image; give a PNG, JPEG, WebP or GIF`);
  let image: Buffer;
  try {
    image = await sharp(body, { limitInputPixels: MAX_INPUT_PIXELS, animated: false })
      .rotate()
      .resize(LOGO_SIZE, LOGO_SIZE, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 } })
      // A palette PNG: a logo at 128 px is a few KB, which keeps the consent page light.
      .png({ palette: true, compressionLevel: 9 })
      .toBuffer();
  } catch (err) {
    throw new LogoFetchError(`could not be decoded (${(err as Error).message})`);
  }
  return { image, etag: crypto.createHash('sha256').update(image).digest('base64url').slice(0, 22) };
}

/**
 * Checks the input and fetches the logo (the slow, outside part), before any transaction: a
 * refusal stores nothing. Throws ClientInputError naming the field (`logoUri: ...`).
 */
export async function prepareBranding(deps: Pick<BrandingDeps, 'config'>, input: BrandingInput): Promise<PreparedBranding> {
  const parsed = brandingInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ClientInputError(`${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`);
  }
  const b = parsed.data;
  const prepared: PreparedBranding = {
    set: {
      ...(b.policyUri !== undefined ? { policy_uri: b.policyUri } : {}),
      ...(b.tosUri !== undefined ? { tos_uri: b.tosUri } : {}),
      ...(b.clientUri !== undefined ? { client_uri: b.clientUri } : {}),
    },
  };
  if (b.logoUri === null) {
    prepared.set.logo_uri = null;
    prepared.logo = null;
  } else if (b.logoUri !== undefined) {
    try {
      const fetched = await fetchLogo(b.logoUri, { allowLoopback: isHttpLoopbackIssuer(deps.config.issuer) });
      prepared.logo = await reencodeLogo(fetched.body);
    } catch (err) {
      if (err instanceof LogoFetchError) throw new ClientInputError(`logoUri: ${b.logoUri} ${err.message}`);
      throw err;
    }
    prepared.set.logo_uri = b.logoUri;
  }
  return prepared;
}

/** Writes prepared branding for an existing client (inside the caller's transaction). */
export async function storeBranding(db: Db, clientId: string, prepared: PreparedBranding): Promise<void> {
  if (Object.keys(prepared.set).length) {
    await db.updateTable('clients').set(prepared.set).where('client_id', '=', clientId).execute();
  }
  if (prepared.logo === null) await db.deleteFrom('client_logos').where('client_id', '=', clientId).execute();
  else if (prepared.logo) {
    const { image, etag } = prepared.logo;
    await db
      .insertInto('client_logos')
      .values({ client_id: clientId, image, etag, fetched_at: new Date() })
      .onConflict((oc) => oc.column('client_id').doUpdateSet({ image, etag, fetched_at: new Date() }))
      .execute();
  }
}

/**
 * Sets an app's branding: what the admin console calls. Fetches the logo once (when logoUri is
 * given), then stores everything in one transaction. Returns the branding as now stored, or
 * undefined for an unknown client. Refusals throw ClientInputError (`logoUri: ... must use https`).
 */
export async function setClientBranding(deps: BrandingDeps, clientId: string, input: BrandingInput): Promise<ClientBranding | undefined> {
  const find = (db: Db) => db.selectFrom('clients').select('client_id').where('client_id', '=', clientId);
  if (!(await find(deps.db).executeTakeFirst())) return undefined;
  const prepared = await prepareBranding(deps, input);
  const stored = await deps.db.transaction().execute(async (trx) => {
    // Locked: a client deleted while its logo was being fetched gets nothing written.
    if (!(await find(trx).forUpdate().executeTakeFirst())) return false;
    await storeBranding(trx, clientId, prepared);
    return true;
  });
  return stored ? getClientBranding(deps.db, clientId) : undefined;
}

export const logoHref = (clientId: string, etag: string) => `/clients/${encodeURIComponent(clientId)}/logo?v=${etag}`;

/** The branding of a client, or undefined if there is no such client. */
export async function getClientBranding(db: Db, clientId: string): Promise<ClientBranding | undefined> {
  const row = await db
    .selectFrom('clients')
    .leftJoin('client_logos', 'client_logos.client_id', 'clients.client_id')
    .select(['clients.logo_uri', 'clients.policy_uri', 'clients.tos_uri', 'clients.client_uri', 'client_logos.etag'])
    .where('clients.client_id', '=', clientId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    logo_uri: row.logo_uri,
    policy_uri: row.policy_uri,
    tos_uri: row.tos_uri,
    client_uri: row.client_uri,
    logo_href: row.etag ? logoHref(clientId, row.etag) : null,
  };
}

/** The stored logo of an enabled client, as served from /clients/:id/logo. */
export async function findClientLogo(db: Db, clientId: string): Promise<{ image: Buffer; etag: string } | undefined> {
  const row = await db
    .selectFrom('client_logos')
    .innerJoin('clients', 'clients.client_id', 'client_logos.client_id')
    .select(['client_logos.image', 'client_logos.etag'])
    .where('client_logos.client_id', '=', clientId)
    .where('clients.enabled', '=', true)
    .executeTakeFirst();
  return row && { image: Buffer.from(row.image), etag: row.etag };
}

/**
 * The app's web address as the consent page shows it: the registered client_uri, else the
 * origin of the redirect URI this request will send the person back to (where their sign-in
 * really goes, so never a made-up address). Only http(s) origins; a native app's private
 * scheme has no web address to show.
 */
export function webAddressOf(clientUri: string | null, redirectUri: unknown): { href: string; host: string } | undefined {
  const candidate = clientUri ?? (typeof redirectUri === 'string' ? URL.parse(redirectUri)?.origin : undefined);
  const url = candidate ? URL.parse(candidate) : null;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return undefined;
  return { href: url.href, host: url.host };
}

/** The letter shown instead of a logo: the name's first letter or digit (skipping ʻ and marks). */
export function initialOf(name: string): string {
  const match = /[\p{Lu}\p{Ll}\p{Lt}\p{Lo}\p{Nd}]/u.exec(name);
  return (match?.[0] ?? '?').toLocaleUpperCase();
}
