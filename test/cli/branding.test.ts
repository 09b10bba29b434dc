// bwid clients create|update --logo-uri/--policy-uri/--tos-uri/--client-uri: the logo is
// fetched once and stored; every refusal exits 2 with a one-line reason naming the flag, and
// stores nothing (no client on create, nothing changed on update). Two configurations: the
// default http://localhost issuer (the development exception: a loopback logo server is
// reachable) and an https issuer (http and private addresses refused before any connection).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { openCliDatabase, type CliDatabase } from '../support/cli-env.ts';
import { startLogoServer, type LogoServer } from '../support/logo-server.ts';

let cli: CliDatabase;
let site: LogoServer;

beforeAll(async () => {
  cli = await openCliDatabase();
  site = await startLogoServer();
});
afterAll(async () => {
  await site?.close();
  await cli?.close();
});

const run = (argv: string[], extra: NodeJS.ProcessEnv = {}) => runCli(argv, { ...cli.env, ...extra });
const json = (out: { code: number; stdout?: string; stderr?: string }) => {
  expect(out.code, `bwid failed: ${out.stderr ?? ''}`).toBe(0);
  return JSON.parse(out.stdout ?? '') as Record<string, unknown>;
};
const clientCount = async () => (json(await run(['clients', 'list', '--json']))['clients'] as unknown[]).length;
// Ids are random base64url and may start with '-': after `--` they are never read as an option.
const web = ['clients', 'create', '--name', 'Fale', '--redirect-uri', 'https://fale.example.ws/cb'];

describe('bwid clients branding', () => {
  it('--help lists the four flags with an example', async () => {
    for (const command of ['create', 'update']) {
      const help = (await run(['clients', command, '--help'])).stdout ?? '';
      for (const flag of ['--logo-uri URL', '--policy-uri URL', '--tos-uri URL', '--client-uri URL']) expect(help).toContain(flag);
      expect(help).toMatch(/example:\n {2}bwid clients .*--logo-uri https:\/\//);
    }
  });

  it('create fetches the logo once and stores branding; show lists it; update replaces and "" removes', async () => {
    const before = site.hits.length;
    const created = json(await run([...web, '--logo-uri', `${site.url}/logo.png`, '--policy-uri', 'https://fale.example.ws/privacy',
      '--tos-uri', 'https://fale.example.ws/terms', '--client-uri', 'https://fale.example.ws', '--json']));
    expect(created).toMatchObject({ logo_uri: `${site.url}/logo.png`, logo_stored: true, policy_uri: 'https://fale.example.ws/privacy', tos_uri: 'https://fale.example.ws/terms', client_uri: 'https://fale.example.ws' });
    expect(site.hits.slice(before)).toEqual(['/logo.png']);
    const id = String(created['client_id']);
    // Showing and listing never fetch again.
    expect(json(await run(['clients', 'show', '--json', '--', id]))).toMatchObject({ logo_stored: true, policy_uri: 'https://fale.example.ws/privacy' });
    expect(site.hits.length).toBe(before + 1);

    const updated = json(await run(['clients', 'update', '--logo-uri', '', '--tos-uri', '', '--json', '--', id]));
    expect(updated).toMatchObject({ logo_uri: null, logo_stored: false, tos_uri: null, policy_uri: 'https://fale.example.ws/privacy' });
  });

  it.each([
    [['--logo-uri', '/page.html'], /^bwid clients create: --logo-uri: http:\/\/127\.0\.0\.1:\d+\/page\.html is not an image \(Content-Type text\/html\)/],
    [['--logo-uri', '/big.png'], /^bwid clients create: --logo-uri: .* is larger than 1024 KB/],
    [['--logo-uri', '/logo.svg'], /^bwid clients create: --logo-uri: .* is an SVG; give a PNG, JPEG, WebP or GIF/],
    [['--logo-uri', '/fake.png'], /^bwid clients create: --logo-uri: .* is not an image/],
    [['--logo-uri', '/to-metadata.png'], /^bwid clients create: --logo-uri: .* redirects to http:\/\/169\.254\.169\.254/],
    [['--policy-uri', 'http://fale.example.ws/privacy'], /^bwid clients create: --policy-uri: must be an https URL/],
    [['--tos-uri', 'javascript:alert(1)'], /^bwid clients create: --tos-uri: must be an https URL/],
  ])('create %j exits 2 naming the flag and creates nothing', async (flags, message) => {
    const count = await clientCount();
    const [flag, value] = flags as [string, string];
    const out = await run([...web, flag, value.startsWith('/') ? `${site.url}${value}` : value]);
    expect(out.code).toBe(2);
    const reason = (out.stderr ?? '').split('\n').at(-1) ?? '';
    expect(reason).toMatch(message);
    expect(await clientCount()).toBe(count);
  });

  it('with an https issuer: http and private addresses are refused before any connection, and update changes nothing', async () => {
    const https = { ISSUER: 'https://id.example.ws' };
    const id = String(json(await run([...web, '--policy-uri', 'https://fale.example.ws/privacy', '--json'], https))['client_id']);
    const port = new URL(site.url).port;
    const before = site.hits.length;
    for (const [uri, reason] of [
      [`${site.url}/logo.png`, 'must use https'],
      [`https://127.0.0.1:${port}/logo.png`, '127.0.0.1 is a loopback address'],
      ['https://10.0.0.7/logo.png', '10.0.0.7 is a private, link-local or reserved address'],
      ['https://169.254.169.254/logo.png', '169.254.169.254 is a private, link-local or reserved address'],
      [`https://localhost:${port}/logo.png`, 'localhost resolves to 127.0.0.1 is a loopback address'],
    ] as const) {
      const out = await run(['clients', 'update', '--name', 'Renamed', '--logo-uri', uri, '--policy-uri', 'https://other.example.ws/p', '--', id], https);
      expect(out.code, uri).toBe(2);
      expect(out.stderr).toContain(`bwid clients update: --logo-uri: ${uri} ${reason}`);
    }
    expect(site.hits.length).toBe(before);
    // Nothing of the refused updates was stored: neither the name nor the policy.
    expect(json(await run(['clients', 'show', '--json', '--', id], https))).toMatchObject({ client_name: 'Fale', logo_stored: false, policy_uri: 'https://fale.example.ws/privacy' });
  });
});
