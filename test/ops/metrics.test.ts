import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeLabel } from '../../src/ops/metrics.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
const TOKEN = 'metrics-token-0123456789';
beforeAll(async () => {
  server = await startTestServer({ METRICS_TOKEN: TOKEN });
});
afterAll(async () => server?.stop());

describe('metrics', () => {
  it('counts requests by bounded route label, behind the metrics token', async () => {
    await fetch(`${server.url}/jwks`);
    await fetch(`${server.url}/jwks`);
    await fetch(`${server.url}/interaction/some-random-uid`);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/bwid_http_requests_total\{method="GET",route="\/jwks",status="200"\} 2\n/);
    // The counter is the histogram's count, copied at the scrape.
    expect(text).toMatch(/bwid_http_request_duration_seconds_count\{method="GET",route="\/jwks",status="200"\} 2\n/);
    expect(text).toMatch(/bwid_http_requests_total\{method="GET",route="\/metrics",status="401"\} 1\n/);
    expect(text).toContain('route="/interaction/:uid"');
    expect(text).not.toContain('some-random-uid');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('keeps labels bounded', () => {
    expect(routeLabel('/token/introspection')).toBe('/token/introspection');
    expect(routeLabel('/token/revocation/more')).toBe('/token/revocation');
    expect(routeLabel('/token/whatever')).toBe('/token');
    expect(routeLabel('/token')).toBe('/token');
    expect(routeLabel('/interaction/abc/login')).toBe('/interaction/:uid');
    expect(routeLabel('/account/security')).toBe('/account');
    expect(routeLabel('/')).toBe('other');
    expect(routeLabel('/wp-admin/x.php')).toBe('other');
  });
});
