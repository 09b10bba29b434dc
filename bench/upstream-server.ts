// The baseline for bench/client-credentials.ts: upstream oidc-provider with its in-memory
// adapter, configured for the same client-credentials requests. Run as a child process.
import { exportJWK, generateKeyPair } from 'jose';
import { Provider, type JWK } from 'oidc-provider';

const port = Number(process.env['PORT']);
const issuer = `http://127.0.0.1:${port}`;
const api = process.env['BENCH_API'] ?? 'https://api.example.test';

async function key(alg: 'ES256' | 'RS256'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid: alg } as JWK;
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'bench',
      client_secret: 'bench-secret-bench-secret-bench-secret-0123',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [await key('ES256'), await key('RS256')] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: (_ctx, _client, oneOf) => (oneOf ? oneOf : undefined),
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ audience: api, scope: 'read', accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }),
    },
  },
});
provider.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
// A normal exit on SIGTERM, so that node --cpu-prof (BENCH_CPU_PROF) writes its profile.
process.once('SIGTERM', () => process.exit(0));
