// Owns: turning the process environment into one typed, validated configuration object.
// Everything else receives a Config; nothing else reads process.env.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const boolish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).optional(),
  ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  TRUST_PROXY: boolish.default(false),
  TRUST_PROXY_HOPS: z.coerce.number().int().min(1).max(10).default(1),
  SMS_HOURLY_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(500),
  SIGN_UP_HOURLY_LIMIT_PER_IP: z.coerce.number().int().min(1).max(1_000_000).default(30),
  SECRETS_KEY: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BCRYPT_COST: z.coerce.number().int().min(10, 'must be at least 10').max(15).default(12),
  KEY_REFRESH_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
  SMTP_FROM: z.string().min(3).default('Bytewatchers ID <no-reply@localhost>'),
  SMS_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  AUDIT_RETENTION_DAYS: z.coerce.number().int('must be a whole number of days').min(1, 'must be at least 1 day').max(3650, 'must be at most 3650 days').default(400),
  ADMIN_REQUIRE_MFA: boolish.default(true),
});

export type Config = {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  issuer: string;
  /** Unset means the embedded PGlite database in dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  trustProxy: boolean;
  /**
   * How many proxies in front of us append to X-Forwarded-For. The client address is the
   * entry the outermost trusted one appended; anything left of it was written by the client.
   */
  trustProxyHops: number;
  /** Every SMS costs money: at most this many per hour from all processes together. */
  smsHourlyLimit: number;
  /** New accounts per client IP per hour (carrier-grade NAT: whole villages share one address). */
  signUpHourlyLimitPerIp: number;
  /** Unset outside production: a key is generated into dataDir (see security/secrets-key.ts). */
  secretsKey: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  bcryptCost: number;
  keyRefreshSeconds: number;
  smtpUrl: string | undefined;
  smtpFrom: string;
  smsWebhookUrl: string | undefined;
  /** Bearer token for /metrics; required to read metrics in production. */
  metricsToken: string | undefined;
  /** Audit events older than this are deleted by the periodic purge (docs/operations.md). */
  auditRetentionDays: number;
  /** The admin console asks for a session with a second factor (docs/admin.md). */
  adminRequireMfa: boolean;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const GENERATE_KEY = `node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`;

// Substrings no random key contains by chance (a 43-character random key holds a given six-letter
// word with odds of about 1 in 10^7), but the keys people type or copy from examples do.
const WEAK_KEY_WORDS = ['secret', 'password', 'passwd', 'changeme', 'example', 'sample', 'letmein', 'qwerty', 'abcdef', '012345', '123456', 'bytewatchers'];

/**
 * Why this SECRETS_KEY cannot be used, or undefined. Everything sealed at rest depends on it, so
 * it must carry 256 bits: 32 bytes written as hex (64+ characters) or base64/base64url (43+).
 * Typed phrases and copied examples pass a length rule but not this one.
 */
export function secretsKeyProblem(key: string): string | undefined {
  const usage = `must be 32 random bytes as base64url or hex; generate one with ${GENERATE_KEY}`;
  let bytes: number;
  if (/^[0-9a-f]+$/i.test(key)) bytes = Math.floor(key.length / 2);
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(key)) bytes = Math.floor((key.replace(/=+$/, '').length * 6) / 8);
  else return `is neither base64 nor hex: ${usage}`;
  if (bytes < 32) return `carries ${bytes} bytes, fewer than 32: ${usage}`;
  if (new Set(key).size < 10) return `uses fewer than 10 distinct characters, so it is not random: ${usage}`;
  const lower = key.toLowerCase();
  const word = WEAK_KEY_WORDS.find((w) => lower.includes(w));
  if (word) return `contains "${word}", so it is not random: ${usage}`;
  return undefined;
}

/**
 * Reads `.env` from the current directory into env if the file exists, as both the server and
 * `bwid` do, so they see the same configuration. Variables already set win over the file
 * (process.loadEnvFile never overwrites), so a deployment's real environment stays in charge.
 */
export function loadDotEnv(file = '.env'): boolean {
  if (!fs.existsSync(file)) return false;
  process.loadEnvFile(file);
  return true;
}

const isLoopbackHost = (host: string) =>
  host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);

/** Reads and validates the environment once. Throws ConfigError naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset, so `FOO= npm start` behaves like no FOO at all.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.path.join('.') ?? 'environment';
    throw new ConfigError(`Invalid configuration: ${name}: ${issue?.message ?? 'invalid value'}`);
  }
  const e = parsed.data;
  const keyProblem = e.SECRETS_KEY === undefined ? undefined : secretsKeyProblem(e.SECRETS_KEY);
  if (keyProblem) throw new ConfigError(`Invalid configuration: SECRETS_KEY: ${keyProblem}`);
  const issuer = (e.ISSUER ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  const issuerUrl = new URL(issuer);

  if (e.NODE_ENV === 'production') {
    if (!e.SECRETS_KEY) {
      throw new ConfigError('Invalid configuration: SECRETS_KEY: required when NODE_ENV=production');
    }
    if (issuerUrl.protocol === 'http:' && !isLoopbackHost(issuerUrl.hostname)) {
      throw new ConfigError(
        'Invalid configuration: ISSUER: must be https in production (http is allowed only for localhost)',
      );
    }
  }
  if (e.TRUST_PROXY && issuerUrl.protocol !== 'https:' && !isLoopbackHost(issuerUrl.hostname)) {
    throw new ConfigError('Invalid configuration: ISSUER: must be https when TRUST_PROXY is set');
  }
  if (issuerUrl.search || issuerUrl.hash) {
    throw new ConfigError('Invalid configuration: ISSUER: must not contain a query or fragment');
  }

  return {
    env: e.NODE_ENV,
    port: e.PORT,
    // The dev outbox shows every reset link: outside production only this machine may ask.
    host: e.HOST ?? (e.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
    issuer,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    trustProxy: e.TRUST_PROXY,
    trustProxyHops: e.TRUST_PROXY_HOPS,
    smsHourlyLimit: e.SMS_HOURLY_LIMIT,
    signUpHourlyLimitPerIp: e.SIGN_UP_HOURLY_LIMIT_PER_IP,
    secretsKey: e.SECRETS_KEY,
    logLevel: e.LOG_LEVEL,
    bcryptCost: e.BCRYPT_COST,
    keyRefreshSeconds: e.KEY_REFRESH_SECONDS,
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM,
    smsWebhookUrl: e.SMS_WEBHOOK_URL,
    metricsToken: e.METRICS_TOKEN,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    adminRequireMfa: e.ADMIN_REQUIRE_MFA,
  };
}
