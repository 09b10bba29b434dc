// Which address the server listens on: outside production only this machine (the dev outbox
// shows every reset link), in production every interface; HOST wins over both.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';

const KEY = 'WKzGRo_qGVMfqcc1v9oXrFRxXJFEQsEsTkUbxM2H7Gw';

describe('listen host', () => {
  it('is 127.0.0.1 in development and 0.0.0.0 in production; HOST overrides both', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'test' }).host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'production', SECRETS_KEY: KEY, ISSUER: 'https://id.example.ws' }).host).toBe('0.0.0.0');
    expect(loadConfig({ NODE_ENV: 'development', HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ NODE_ENV: 'production', SECRETS_KEY: KEY, ISSUER: 'https://id.example.ws', HOST: '10.0.0.5' }).host).toBe('10.0.0.5');
  });

  it('takes TRUST_PROXY_HOPS (default 1) and allows TRUST_PROXY with an https or loopback issuer only', () => {
    expect(loadConfig({ TRUST_PROXY: 'true', ISSUER: 'https://id.example.ws' })).toMatchObject({ trustProxy: true, trustProxyHops: 1 });
    expect(loadConfig({ TRUST_PROXY: 'true', TRUST_PROXY_HOPS: '2', ISSUER: 'http://127.0.0.1:3000' }).trustProxyHops).toBe(2);
    expect(() => loadConfig({ TRUST_PROXY: 'true', ISSUER: 'http://id.example.ws' })).toThrow(/ISSUER/);
  });
});
