// Benchmark (not a test): the admin console's people search (src/admin/people.ts) on 100,000
// generated accounts on PostgreSQL, and the query plan it gets.
//   npm run bench:admin-search           a fresh database on BENCH_POSTGRES_URL's server (default
//                                        the local one), created for the run and dropped after it
//   BENCH_ACCOUNTS=200000 npm run bench:admin-search
// Prints, per kind of search, the median and the slowest of BENCH_ROUNDS runs (default 20), and
// EXPLAIN (ANALYZE) of an email-prefix search; exits 1 if a median is over 50 ms.
import { CompiledQuery, sql } from 'kysely';
import { peopleSearchQuery, searchPeople } from '../src/admin/index.ts';
import { connectDatabase } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { freshDatabase } from './fresh-database.ts';

const ACCOUNTS = Number(process.env['BENCH_ACCOUNTS'] ?? 100_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 20);
const BUDGET_MS = 50;

const GIVEN = ['Sina', 'Ioane', 'Mele', 'Tavita', 'Lagi', 'Losa', 'Fetu', 'Pita', 'Malia', 'Sione', 'Ana', 'Tasi'];
const FAMILY = ['Leota', 'Tuilagi', 'Faleolo', 'Schmidt', 'Aiono', 'Lemalu', 'Soliai', 'Fuimaono', 'Tanuvasa', 'Masoe'];

const database = await freshDatabase('bwid_bench_admin');
const handle = await connectDatabase({ databaseUrl: database.url, dataDir: '/tmp', role: 'cli', mustExist: false });
const db = handle.db;
try {
  await migrateToLatest(db);
  const started = Date.now();
  // Generated in the database, in batches (the pool's statement timeout bounds one statement).
  const BATCH = 10_000;
  for (let from = 1; from <= ACCOUNTS; from += BATCH) {
    await sql`
    INSERT INTO accounts (id, email, email_verified, phone_number, given_name, family_name, password_hash, created_at, updated_at)
    SELECT gen_random_uuid(),
           'person' || n || '.' || md5(n::text) || '@example' || (n % 97) || '.ws',
           n % 3 = 0,
           CASE WHEN n % 2 = 0 THEN '+6857' || lpad((n % 1000000)::text, 6, '0') END,
           (${sql.val(GIVEN)}::text[])[1 + n % ${GIVEN.length}] || n,
           (${sql.val(FAMILY)}::text[])[1 + n % ${FAMILY.length}],
           NULL, now(), now()
    FROM generate_series(${from}::int, ${Math.min(from + BATCH - 1, ACCOUNTS)}::int) AS n`.execute(db);
  }
  await sql`ANALYZE accounts`.execute(db);
  console.log(`${ACCOUNTS} accounts generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const probe = await db.selectFrom('accounts').select(['id', 'email']).where('email', 'like', 'person54321.%').executeTakeFirstOrThrow();
  const searches: [string, string][] = [
    ['email prefix (one person)', 'PERSON54321.'],
    ['email prefix (many: 1,111)', 'person12'],
    ['phone prefix', '+685700012'],
    ['local phone digits', '700012'],
    ['name prefix (many)', 'sina1'],
    ['family name', 'tuilagi'],
    ['sub prefix', probe.id.slice(0, 8)],
    ['no match', 'zzzz'],
    ['no query (first page)', ''],
  ];
  let over = false;
  for (const [label, query] of searches) {
    const times: number[] = [];
    let found = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      found = (await searchPeople(db, { query, limit: 25 })).people.length;
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)] ?? 0;
    if (median > BUDGET_MS) over = true;
    console.log(`${label.padEnd(28)} median ${median.toFixed(2).padStart(7)} ms   slowest ${(times.at(-1) ?? 0).toFixed(2).padStart(7)} ms   (${found} shown)`);
  }

  // The plan of the searches as searchPeople sends them (same SQL, same bound values).
  for (const query of ['person12', '700012']) {
    const compiled = peopleSearchQuery(db, { query, limit: 25 }).compile();
    const plan = await db.transaction().execute(async (trx) => {
      await sql`SET LOCAL max_parallel_workers_per_gather = 0`.execute(trx); // as searchPeople runs it
      return trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`EXPLAIN (ANALYZE, COSTS OFF) ${compiled.sql}`, [...compiled.parameters]));
    });
    console.log(`\nEXPLAIN ANALYZE of the search "${query}":`);
    for (const row of plan.rows) console.log(`  ${row['QUERY PLAN']}`);
  }
  if (over) {
    console.error(`\na median search took more than ${BUDGET_MS} ms`);
    process.exitCode = 1;
  }
} finally {
  await handle.close();
  await database.drop();
}
