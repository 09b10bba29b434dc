// Owns: a throwaway PostgreSQL database for a benchmark run (created, then dropped), on the
// server BENCH_POSTGRES_URL names (default: the local one).
import pg from 'pg';

const ADMIN_URL = process.env['BENCH_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** The development key the benches run their servers with (32 random bytes, base64url). */
export const BENCH_SECRETS_KEY = '3q8Yp0rUuT1nVdHc6kWmZa9LxGbE4sJfQiN2oR7tXy5';

async function admin(q: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(q);
  } finally {
    await c.end();
  }
}

export async function freshDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
