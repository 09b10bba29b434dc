// A tiny HTTP server that plays an app's web site for logo fetching: a real PNG (made with
// sharp), and the things a logo fetch must refuse (a web page, an SVG, a file over 1 MB, a
// "PNG" that is not one, a redirect loop, a redirect to a private address).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

export type LogoServer = { url: string; hits: string[]; close(): Promise<void> };

export async function startLogoServer(): Promise<LogoServer> {
  // 300x200, two colours: resized to 128x128 it must still be a valid PNG of ours.
  const png = await sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 10, g: 88, b: 102, alpha: 1 } } })
    .composite([{ input: { create: { width: 100, height: 100, channels: 4, background: { r: 179, g: 71, b: 15, alpha: 1 } } }, left: 100, top: 50 }])
    .png()
    .toBuffer();
  const routes: Record<string, (res: http.ServerResponse) => void> = {
    '/logo.png': (res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png),
    '/moved.png': (res) => res.writeHead(302, { location: '/logo.png' }).end(),
    '/page.html': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>not a logo</title>'),
    '/logo.svg': (res) => res.writeHead(200, { 'content-type': 'image/svg+xml' }).end('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    '/fake.png': (res) => res.writeHead(200, { 'content-type': 'image/png' }).end('<html>surprise</html>'),
    // Sent in chunks without a Content-Length: the limit must hold while reading, too.
    '/big.png': (res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      const chunk = Buffer.alloc(64 * 1024, 1);
      for (let i = 0; i < 24; i += 1) res.write(chunk);
      res.end();
    },
    '/loop.png': (res) => res.writeHead(302, { location: '/loop.png' }).end(),
    '/to-metadata.png': (res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
  };
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const route = routes[req.url ?? ''];
    if (route) route(res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
