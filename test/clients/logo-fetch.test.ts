// The logo fetch's rules on their own (src/clients/logo-fetch.ts, branding.ts): which addresses
// and schemes it refuses before connecting, and what it does with what it gets. A real local
// server plays the app's site; loopback is reachable only under the development exception.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareBranding } from '../../src/clients/index.ts';
import { addressProblem, fetchLogo, urlProblem } from '../../src/clients/logo-fetch.ts';
import { startLogoServer, type LogoServer } from '../support/logo-server.ts';

let site: LogoServer;
beforeAll(async () => {
  site = await startLogoServer();
});
afterAll(async () => site?.close());

const prod = { allowLoopback: false };
const dev = { allowLoopback: true };

describe('addresses a logo may come from', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1',
    '::1', '::', 'fe80::1', 'fd00::1', '::ffff:7f00:1', '::ffff:10.0.0.1', '64:ff9b::a00:1',
  ])('refuses %s on a deployed server', (address) => {
    expect(addressProblem(address, prod)).toBeTruthy();
  });
  it('allows public addresses, and loopback only under the development exception', () => {
    expect(addressProblem('93.184.216.34', prod)).toBeUndefined();
    expect(addressProblem('2606:4700::1111', prod)).toBeUndefined();
    expect(addressProblem('127.0.0.1', dev)).toBeUndefined();
    expect(addressProblem('::1', dev)).toBeUndefined();
    // The exception is loopback only: the rest of the private network stays out even in development.
    expect(addressProblem('10.0.0.1', dev)).toBeTruthy();
    expect(addressProblem('169.254.169.254', dev)).toBeTruthy();
  });
  it('refuses http (but on loopback in development), credentials and literal private hosts', () => {
    expect(urlProblem(new URL('http://logo.example.ws/a.png'), prod)).toBe('must use https');
    expect(urlProblem(new URL('http://logo.example.ws/a.png'), dev)).toBe('must use https');
    expect(urlProblem(new URL('http://127.0.0.1:9/a.png'), dev)).toBeUndefined();
    expect(urlProblem(new URL('ftp://logo.example.ws/a.png'), prod)).toBe('must use https');
    expect(urlProblem(new URL('https://u:p@logo.example.ws/a.png'), prod)).toBe('must not contain credentials');
    expect(urlProblem(new URL('https://[::ffff:169.254.169.254]/'), prod)).toMatch(/private|reserved/);
    expect(urlProblem(new URL('https://logo.example.ws/a.png'), prod)).toBeUndefined();
  });
});

describe('fetching', () => {
  it('follows a redirect and returns the bytes; never a name that resolves to loopback on a deployed server', async () => {
    const got = await fetchLogo(`${site.url}/moved.png`, dev);
    expect(got.contentType).toBe('image/png');
    expect((await sharp(got.body).metadata()).width).toBe(300);
    const port = new URL(site.url).port;
    const before = site.hits.length;
    await expect(fetchLogo(`https://localhost:${port}/logo.png`, prod)).rejects.toThrow(/loopback/);
    expect(site.hits.length).toBe(before);
  });
  it.each([
    ['/page.html', /is not an image \(Content-Type text\/html\)/],
    ['/logo.svg', /SVG/],
    ['/big.png', /larger than 1024 KB/],
    ['/loop.png', /redirects more than 3 times/],
    ['/to-metadata.png', /redirects to http:\/\/169\.254\.169\.254.*must use https/],
    ['/missing.png', /HTTP 404/],
  ])('refuses %s', async (path, message) => {
    await expect(fetchLogo(`${site.url}${path}`, dev)).rejects.toThrow(message);
  });
  it('re-encodes a real image as a 128x128 PNG and refuses a "PNG" that is not an image', async () => {
    const ok = await prepareBranding({ config: { issuer: 'http://127.0.0.1:3000' } }, { logoUri: `${site.url}/logo.png` });
    expect(ok.logo).toBeTruthy();
    const meta = await sharp(ok.logo?.image).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 128, 128]);
    await expect(prepareBranding({ config: { issuer: 'http://127.0.0.1:3000' } }, { logoUri: `${site.url}/fake.png` })).rejects.toThrow(/^logoUri: .* is not an image/);
    // An https issuer: the development exception is off, so the same local address is refused.
    await expect(prepareBranding({ config: { issuer: 'https://id.example.ws' } }, { logoUri: `${site.url}/logo.png` })).rejects.toThrow(/must use https/);
  });
});
