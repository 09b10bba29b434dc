// `bwid clients update ID --require-mfa / --no-require-mfa`: stored, shown, and what
// oidc-provider sees of the client (src/web/factors and the login prompt read it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCliDatabase, type CliDatabase } from '../support/cli-env.ts';

let cli: CliDatabase;
beforeAll(async () => {
  cli = await openCliDatabase({ ISSUER: 'http://127.0.0.1:3999' });
});
afterAll(async () => cli?.close());

const run = (...argv: string[]) => cli.run(...argv);
const json = (out: { stdout?: string }) => JSON.parse(out.stdout ?? '') as Record<string, unknown>;

describe('bwid clients update --require-mfa', () => {
  it('turns the requirement on and off; new clients start without it; both flags at once is a usage error', async () => {
    const created = json(await run('clients', 'create', '--name', 'Fale', '--redirect-uri', 'https://fale.example.ws/cb', '--json'));
    expect(created['require_mfa']).toBe(false);
    const id = String(created['client_id']);
    const on = await run('clients', 'update', id, '--require-mfa', '--json');
    expect(on.code, on.stderr).toBe(0);
    expect(json(on)['require_mfa']).toBe(true);
    expect(json(await run('clients', 'show', id, '--json'))['require_mfa']).toBe(true);
    expect((await run('clients', 'list')).stdout).toContain('require-mfa');
    expect(json(await run('clients', 'update', id, '--no-require-mfa', '--json'))['require_mfa']).toBe(false);
    expect((await run('clients', 'update', id, '--require-mfa', '--no-require-mfa')).code).toBe(2);
  });
});
