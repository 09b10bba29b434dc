import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

// 32 random bytes, base64url: what the README tells operators to generate.
const KEY = 'Jx2vQ9mTg4LrW7cZp1NsYb8HdK3uFa6EoViRt0XwM5y';

describe('configuration', () => {
  it('has working defaults: port 3000, localhost issuer, embedded database in ./data', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, issuer: 'http://localhost:3000', databaseUrl: undefined, trustProxy: false, bcryptCost: 12 });
    expect(c.dataDir).toBe(path.resolve('./data'));
  });

  it('keeps audit events 400 days unless AUDIT_RETENTION_DAYS says otherwise', () => {
    expect(loadConfig({}).auditRetentionDays).toBe(400);
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '90' }).auditRetentionDays).toBe(90);
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
    [{ NODE_ENV: 'production', SECRETS_KEY: KEY, ISSUER: 'http://id.example.ws' }, /ISSUER: must be https in production/],
    [{ TRUST_PROXY: 'true', ISSUER: 'http://id.example.ws' }, /ISSUER: must be https when TRUST_PROXY/],
    [{ AUDIT_RETENTION_DAYS: '0' }, /AUDIT_RETENTION_DAYS: must be at least 1 day/],
    [{ AUDIT_RETENTION_DAYS: '4000' }, /AUDIT_RETENTION_DAYS: must be at most 3650 days/],
    [{ AUDIT_RETENTION_DAYS: 'a year' }, /AUDIT_RETENTION_DAYS/],
    [{ AUDIT_RETENTION_DAYS: '30.5' }, /AUDIT_RETENTION_DAYS: must be a whole number of days/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('accepts production with a key, https issuer and a proxy', () => {
    const c = loadConfig({ NODE_ENV: 'production', SECRETS_KEY: KEY, ISSUER: 'https://id.example.ws', TRUST_PROXY: 'true' });
    expect(c).toMatchObject({ env: 'production', trustProxy: true, issuer: 'https://id.example.ws' });
  });

  it.each([
    ['short', /fewer than 32/],
    ['k'.repeat(64), /fewer than 10 distinct/],
    ['a'.repeat(32) + 'b'.repeat(32), /fewer than 10 distinct/],
    ['0123456789abcdef'.repeat(4), /contains "abcdef"/],
    ['test-secrets-key-0123456789abcdef0123456789', /contains "secret"/],
    ['correct horse battery staple, quite long!', /neither base64 nor hex/],
    [KEY.slice(0, 40), /fewer than 32/],
    ['Tr0ub4dor&3Tr0ub4dor&3Tr0ub4dor&3Tr0ub4dor&3', /neither base64 nor hex/],
    ['MySuperLongPasswordForTheIdentityProvider2026', /contains "password"/],
  ])('refuses the weak SECRETS_KEY %j, naming the variable and how to generate one', (key, message) => {
    expect(() => loadConfig({ SECRETS_KEY: key })).toThrow(ConfigError);
    expect(() => loadConfig({ SECRETS_KEY: key })).toThrow(/SECRETS_KEY: .*randomBytes\(32\)/);
    expect(() => loadConfig({ SECRETS_KEY: key })).toThrow(message);
  });

  it('accepts 32 random bytes as base64url, base64 or hex', () => {
    const bytes = Buffer.from(KEY, 'base64url');
    for (const key of [KEY, bytes.toString('base64'), bytes.toString('hex'), bytes.toString('hex').toUpperCase()]) {
      expect(loadConfig({ SECRETS_KEY: key }).secretsKey).toBe(key);
    }
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' })).toMatchObject({ databaseUrl: undefined, port: 3000 });
  });
});
