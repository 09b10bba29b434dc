// Owns: fetching an app's logo from the address an admin gave, once, when it is saved, without
// letting that address reach inside our network (SSRF). The rules:
// - https only. Plain http only in development: the issuer itself is http on loopback and the
//   logo's host is loopback too (tests and a laptop; never a deployed server, whose issuer is
//   https by config rule).
// - Every address a name resolves to must be public: loopback, private (RFC 1918, ULA),
//   link-local (cloud metadata at 169.254.169.254), CGNAT, multicast, reserved, IPv4-mapped and
//   NAT64 IPv6 are refused, except loopback under the development rule. The check runs inside
//   the socket's own DNS lookup, so the address checked is the address connected to (a name
//   that resolves to a public address once and a private one the next time gains nothing).
// - At most 3 redirects, each hop checked by the same rules; at most 1 MB; 5 s in all; the
//   answer must be 200 with an image Content-Type of a raster format (branding.ts decodes it
//   and checks again what it really is).
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export const LOGO_LIMITS = { maxBytes: 1024 * 1024, timeoutMs: 5000, maxRedirects: 3 } as const;

/** Content types we accept; SVG is refused (see branding.ts for why). */
export const LOGO_CONTENT_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;

export type FetchRules = {
  /** The development exception: http and loopback addresses are allowed (issuer is http on loopback). */
  allowLoopback: boolean;
};

/** Why a logo could not be fetched; the message is meant for the admin who gave the address. */
export class LogoFetchError extends Error {
  override name = 'LogoFetchError';
}

// One list per family: a BlockList also matches an IPv4 address against IPv6 rules as
// ::ffff:a.b.c.d, so the IPv6 rule that refuses mapped addresses would refuse all of IPv4.
const refused4 = new net.BlockList();
const refused6 = new net.BlockList();
for (const [net4, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24],
  ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) refused4.addSubnet(net4, prefix, 'ipv4');
for (const [net6, prefix] of [
  ['::', 128], ['::ffff:0:0', 96], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) refused6.addSubnet(net6, prefix, 'ipv6');
const loopback4 = new net.BlockList();
loopback4.addSubnet('127.0.0.0', 8, 'ipv4');
const loopback6 = new net.BlockList();
loopback6.addAddress('::1', 'ipv6');
const isLoopbackAddress = (address: string) =>
  net.isIP(address) === 6 ? loopback6.check(address, 'ipv6') : net.isIP(address) === 4 && loopback4.check(address, 'ipv4');

/** Why this address may not be fetched from, or undefined if it may. */
export function addressProblem(address: string, rules: FetchRules): string | undefined {
  const family = net.isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  if (isLoopbackAddress(address)) return rules.allowLoopback ? undefined : `${address} is a loopback address`;
  if (family === 4 ? refused4.check(address, 'ipv4') : refused6.check(address, 'ipv6')) return `${address} is a private, link-local or reserved address`;
  return undefined;
}

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '');
const isLoopbackName = (hostname: string) => hostname === 'localhost' || isLoopbackAddress(bare(hostname));

/** Why this URL may not be fetched (scheme, credentials, literal address), or undefined. */
export function urlProblem(url: URL, rules: FetchRules): string | undefined {
  if (url.username || url.password) return 'must not contain credentials';
  if (url.protocol === 'http:') {
    if (!(rules.allowLoopback && isLoopbackName(url.hostname))) return 'must use https';
  } else if (url.protocol !== 'https:') return 'must use https';
  const host = bare(url.hostname);
  return net.isIP(host) ? addressProblem(host, rules) : undefined;
}

/** dns.lookup that answers only with allowed addresses: the socket connects to what was checked. */
function guardedLookup(rules: FetchRules): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as unknown as dns.LookupAddress[];
      const problem = list.map((a) => addressProblem(a.address, rules)).find(Boolean);
      if (problem || list.length === 0) return callback(new LogoFetchError(`${hostname} resolves to ${problem ?? 'no address'}`), '', 0);
      if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      const first = list[0] as dns.LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

type Answer = { status: number; location?: string; contentType: string; body?: Buffer };

function requestOnce(url: URL, rules: FetchRules, signal: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.get(url, { lookup: guardedLookup(rules), signal, headers: { accept: LOGO_CONTENT_TYPES.join(', '), 'user-agent': 'Bytewatchers-ID-logo-fetch' } }, (res) => {
      const status = res.statusCode ?? 0;
      const contentType = String(res.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (status >= 300 && status < 400) {
        res.resume();
        return resolve({ status, location: res.headers.location, contentType });
      }
      if (status !== 200) {
        res.resume();
        return resolve({ status, contentType });
      }
      if (!(LOGO_CONTENT_TYPES as readonly string[]).includes(contentType)) {
        res.destroy();
        return resolve({ status, contentType });
      }
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > LOGO_LIMITS.maxBytes) {
        res.destroy();
        return reject(new LogoFetchError(`is larger than ${LOGO_LIMITS.maxBytes / 1024} KB`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > LOGO_LIMITS.maxBytes) {
          res.destroy();
          reject(new LogoFetchError(`is larger than ${LOGO_LIMITS.maxBytes / 1024} KB`));
        } else chunks.push(chunk);
      });
      res.on('end', () => resolve({ status, contentType, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** The logo's bytes and declared type, or a LogoFetchError saying why not. */
export async function fetchLogo(uri: string, rules: FetchRules): Promise<{ body: Buffer; contentType: string }> {
  const signal = AbortSignal.timeout(LOGO_LIMITS.timeoutMs);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new LogoFetchError('is not an absolute URL');
  }
  for (let hop = 0; ; hop += 1) {
    const problem = urlProblem(url, rules);
    if (problem) throw new LogoFetchError(hop ? `redirects to ${url.href}, which ${problem}` : problem);
    let answer: Answer;
    try {
      answer = await requestOnce(url, rules, signal);
    } catch (err) {
      if (err instanceof LogoFetchError) throw err;
      if (signal.aborted) throw new LogoFetchError(`did not answer within ${LOGO_LIMITS.timeoutMs / 1000} s`);
      throw new LogoFetchError(`could not be fetched (${(err as Error).message})`);
    }
    if (answer.location !== undefined) {
      if (hop >= LOGO_LIMITS.maxRedirects) throw new LogoFetchError(`redirects more than ${LOGO_LIMITS.maxRedirects} times`);
      url = new URL(answer.location, url);
      continue;
    }
    if (answer.status !== 200) throw new LogoFetchError(`answered HTTP ${answer.status}`);
    if (answer.contentType === 'image/svg+xml') throw new LogoFetchError('is an SVG; give a PNG, JPEG, WebP or GIF');
    if (!answer.body) throw new LogoFetchError(`is not an image (Content-Type ${answer.contentType || 'missing'}); give a PNG, JPEG, WebP or GIF`);
    return { body: answer.body, contentType: answer.contentType };
  }
}
