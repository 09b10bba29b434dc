// The request id and the one access-log line per request (src/ops/request-context.ts), on a
// real Koa server with a real pino logger writing into memory.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import Koa from 'koa';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { requestContext } from '../../src/ops/request-context.ts';

let server: http.Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); done(); } });
  const app = new Koa();
  app.use(requestContext(pino({ level }, sink)));
  app.use((ctx) => { ctx.status = ctx.path === '/missing' ? 404 : 200; ctx.body = { seen: ctx.state['reqId'] }; });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server!.once('listening', r));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, lines };
}

describe('request context', () => {
  it('keeps a safe X-Request-Id, replaces an unsafe one, and logs each request once, without its query', async () => {
    const { url, lines } = await serve('info');
    const kept = await fetch(`${url}/missing?code=secret-code`, { headers: { 'x-request-id': 'abc-123.x_y' } });
    expect(kept.headers.get('x-request-id')).toBe('abc-123.x_y');
    expect(await kept.json()).toEqual({ seen: 'abc-123.x_y' });
    const replaced = await fetch(`${url}/`, { headers: { 'x-request-id': 'no spaces <or> tags' } });
    const ours = replaced.headers.get('x-request-id');
    expect(ours).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
    // The next request gets another id.
    const again = await fetch(`${url}/`);
    expect(again.headers.get('x-request-id')).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
    expect(again.headers.get('x-request-id')).not.toBe(ours);
    const requests = lines.filter((l) => l['msg'] === 'request');
    expect(requests).toHaveLength(3);
    expect(requests[0]).toMatchObject({ reqId: 'abc-123.x_y', method: 'GET', path: '/missing', status: 404 });
    expect(typeof requests[0]!['ms']).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('secret-code');
  });

  it('writes no access line above info', async () => {
    const { url, lines } = await serve('warn');
    const res = await fetch(`${url}/`);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(lines).toEqual([]);
  });
});
