// Example: a tiny static server for the single-page app in this folder. It serves index.html
// (for / and /callback), app.js, oidc-client-ts's browser build from ./node_modules (no CDN),
// and /config.json built from the environment. See README.md.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const HERE = import.meta.dirname;
const ISSUER = process.env.ISSUER ?? 'http://localhost:3000';
const PORT = Number(process.env.PORT ?? 4001);
const APP_URL = process.env.APP_URL ?? `http://localhost:${PORT}`;
const { CLIENT_ID } = process.env;
if (!CLIENT_ID) {
  console.error('Set CLIENT_ID (see examples/spa/README.md).');
  process.exit(1);
}
const LIBRARY = path.join(HERE, 'node_modules/oidc-client-ts/dist/browser/oidc-client-ts.min.js');
if (!fs.existsSync(LIBRARY)) {
  console.error('oidc-client-ts is not installed: run `npm install` in examples/spa first.');
  process.exit(1);
}

const files = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/callback': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/oidc-client-ts.min.js': [LIBRARY, 'text/javascript; charset=utf-8'],
};

http
  .createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', APP_URL);
    res.setHeader('cache-control', 'no-store');
    if (pathname === '/config.json') {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ issuer: ISSUER, clientId: CLIENT_ID, appUrl: APP_URL }));
    }
    const file = files[pathname];
    if (!file) {
      res.statusCode = 404;
      return res.end('not found');
    }
    res.setHeader('content-type', file[1]);
    fs.createReadStream(path.resolve(HERE, file[0])).pipe(res);
  })
  .listen(PORT, () => console.log(`Example SPA on ${APP_URL} (issuer ${ISSUER})`));
