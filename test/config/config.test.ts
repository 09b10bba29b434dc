import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('configuration', () => {
  it('has working defaults: port 3000, localhost issuer, embedded database in ./data', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, issuer: 'http://localhost:3000', databaseUrl: undefined, trustProxy: false, bcryptCost: 12 });
    expect(c.dataDir).toBe(path.resolve('./data'));
  });

  it('derives the issuer from PORT and strips a trailing slash from ISSUER', () => {
    expect(loadConfig({ PORT: '4000' }).issuer).toBe('http://localhost:4000');
    expect(loadConfig({ ISSUER: 'https://id.example.ws/' }).issuer).toBe('https://id.example.ws');
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ ISSUER: 'ftp://id.example' }, /ISSUER/],
    [{ ISSUER: 'https://id.example/?a=1' }, /ISSUER: must not contain a query/],
    [{ BCRYPT_COST: '8' }, /BCRYPT_COST: must be at least 10/],
    [{ TRUST_PROXY: 'maybe' }, /TRUST_PROXY/],
    [{ SECRETS_KEY: 'short' }, /SECRETS_KEY/],
    [{ NODE_ENV: 'production', ISSUER: 'https://id.example.ws' }, /SECRETS_KEY: required when NODE_ENV=production/],
    [{ NODE_ENV: 'production', SECRETS_KEY: 'k'.repeat(32), ISSUER: 'http://id.example.ws' }, /ISSUER: must be https in production/],
    [{ TRUST_PROXY: 'true', ISSUER: 'http://id.example.ws' }, /ISSUER: must be https when TRUST_PROXY/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('accepts production with a key, https issuer and a proxy', () => {
    const c = loadConfig({ NODE_ENV: 'production', SECRETS_KEY: 'k'.repeat(32), ISSUER: 'https://id.example.ws', TRUST_PROXY: 'true' });
    expect(c).toMatchObject({ env: 'production', trustProxy: true, issuer: 'https://id.example.ws' });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' })).toMatchObject({ databaseUrl: undefined, port: 3000 });
  });
});
