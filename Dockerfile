# Production image of Bytewatchers ID: Node 22 LTS, compiled JavaScript (no tsx), production
# dependencies only, runs as the unprivileged `node` user with its data in the /data volume.
#
#   docker build -t bwid .        (podman: podman build --format docker -t bwid .)
#   docker run -p 3000:3000 -e SECRETS_KEY=… bwid
#   docker exec CONTAINER bwid clients create --type service --name reports --json

# 1. build: all dependencies, then tsc -p tsconfig.build.json -> dist/{src,migrations} (the CLI
#    runs from there) and the server's bundle -> dist/bundle (tools/bundle-server.mjs: one file
#    to load instead of some 1,500 modules, about half the start-up time)
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm's postinstall step (it skips itself here: no sources yet; the template is made below).
COPY tools/pglite-template.mjs ./tools/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY tools ./tools
COPY src ./src
COPY migrations ./migrations
# The English locale files are read by the compiler too: they type the translation keys.
COPY locales/en ./locales/en
RUN npm run build

# 2. production dependencies only (bcrypt and sharp ship linux-x64 glibc prebuilds: no compiler
#    needed; sharp's come as its optional @img/sharp-linux-x64 packages, so optional
#    dependencies stay). A stage of its own so that this layer is rebuilt only when the lock file
#    changes. Removed after: typescript (an optional peer of i18next, 23 MB, never loaded at run
#    time) and pg-cloudflare (Cloudflare Workers only). The build fails here if sharp cannot load.
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# npm's postinstall step (it skips itself here: no sources yet; the template is made below).
COPY tools/pglite-template.mjs ./tools/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force \
 && rm -rf node_modules/typescript node_modules/pg-cloudflare \
 && node -e "import('sharp').catch((e) => { console.error(e); process.exit(1); })"

# 3. runtime
FROM node:22-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data BWID_PGLITE_TEMPLATE_DIR=/app/pglite-template
WORKDIR /app
# src/paths.ts finds the project root as the directory holding package.json; the files read at
# run time (views/, locales/, static/, the common-password list) are looked up from there.
# Migrations are compiled into dist/migrations/ and imported, not read from disk.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY views ./views
COPY locales ./locales
COPY static ./static
COPY src/security/common-passwords.txt ./src/security/common-passwords.txt
# `bwid` on PATH: bin/bwid.js runs the compiled CLI (dist/src/cli/run.js) when it is present.
RUN ln -s /app/bin/bwid.js /usr/local/bin/bwid \
 && mkdir -p /data /app/pglite-template && chown node:node /data /app/pglite-template
VOLUME /data
USER node
# The PGlite template, made once here (initdb and the migrations in WebAssembly, seconds of
# CPU): a new embedded database is unpacked from it at the container's first start
# (src/db/connect.ts). It holds the schema and nothing else: no accounts, no keys, no secrets.
RUN NODE_ENV=development DATA_DIR=/tmp/template-build bwid migrate >/dev/null \
 && rm -rf /tmp/template-build && ls /app/pglite-template/pglite-*-schema-*.tar.gz
EXPOSE 3000
# /readyz answers 200 only when the database answers. Needs `--format docker` under podman.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The heap flags keep a busy process near 145 MB resident: its live heap is about 35 MB, and
# without a limit V8 lets garbage grow to 250 MB under token load before a full collection
# (bench/footprint.ts, docs/operations.md). --experimental-async-context-frame backs
# AsyncLocalStorage (oidc-provider keeps each request's context in one) by V8's continuation
# frames instead of a promise hook on every promise: 10-15% less CPU per token on Node 22, and
# the default from Node 24 on. The benches start the server with the same arguments
# (bench/production-server.ts; test/deploy/specs.test.ts checks they match).
CMD ["node", "--max-old-space-size=128", "--max-semi-space-size=8", "--experimental-async-context-frame", "dist/bundle/main.js"]
