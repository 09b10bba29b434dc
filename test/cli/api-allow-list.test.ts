// `bwid clients create --api URI[=scope,…]`: the client's API allow-list, stored and shown;
// an unregistered API, and the IdP's own API, are refused (exit 2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCliDatabase, type CliDatabase } from '../support/cli-env.ts';

const ISSUER = 'http://127.0.0.1:3999';
let cli: CliDatabase;

beforeAll(async () => {
  cli = await openCliDatabase({ ISSUER });
  expect((await cli.run('apis', 'create', '--name', 'orders', '--resource', 'https://orders.example.test', '--scope', 'read', '--scope', 'write')).code).toBe(0);
});
afterAll(async () => cli?.close());

const run = (...argv: string[]) => cli.run(...argv);

describe('bwid clients --api', () => {
  it('stores the allow-list given at creation and shows it', async () => {
    const out = await run('clients', 'create', '--type', 'service', '--name', 'x', '--api', 'https://orders.example.test=read', '--json');
    expect(out.code, out.stderr).toBe(0);
    const created = JSON.parse(out.stdout ?? '') as Record<string, unknown>;
    expect(created['api_access']).toEqual({ 'https://orders.example.test': ['read'] });
    const shown = await run('clients', 'show', String(created['client_id']), '--json');
    expect(shown.code).toBe(0);
    expect((JSON.parse(shown.stdout ?? '') as Record<string, unknown>)['api_access']).toEqual({ 'https://orders.example.test': ['read'] });
  });

  it('without --api a client gets no API', async () => {
    const created = JSON.parse((await run('clients', 'create', '--type', 'service', '--name', 'y', '--json')).stdout ?? '') as Record<string, unknown>;
    expect(created['api_access']).toEqual({});
  });

  it('refuses an unregistered API and the IdP\'s own API with exit 2, creating nothing', async () => {
    const before = (JSON.parse((await run('clients', 'list', '--json')).stdout ?? '') as { clients: unknown[] }).clients.length;
    const unknown = await run('clients', 'create', '--type', 'service', '--name', 'z', '--api', 'https://nowhere.example.test=read', '--json');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('https://nowhere.example.test');
    const own = await run('clients', 'create', '--type', 'service', '--name', 'z', '--api', `${ISSUER}/api`, '--json');
    expect(own.code).toBe(2);
    expect(own.stderr).toMatch(/own API/);
    expect((JSON.parse((await run('clients', 'list', '--json')).stdout ?? '') as { clients: unknown[] }).clients).toHaveLength(before);
  });
});
