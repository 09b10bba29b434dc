// Deployment specs (compose.yaml, render.yaml, .do/app.yaml, deploy/aws/task-definition.json):
// each parses, carries the fields its platform requires, and sets every variable production
// needs. Where the values are literal, the app's own configuration check accepts them.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.ts';
import { projectPath } from '../../src/paths.ts';
import { IMAGE_NODE_ARGS } from '../../bench/production-server.ts';

/** What the app needs in production behind a TLS-terminating proxy, on a shared database. */
const REQUIRED = ['NODE_ENV', 'SECRETS_KEY', 'DATABASE_URL', 'ISSUER', 'TRUST_PROXY'];
const FAKE_SECRETS_KEY = 'LFeFjkDLPHuTwgdnGpe0UTnoVrygDrwqsJMYGuUHigg';

type Doc = Record<string, unknown>;
const yamlFile = (rel: string) => parse(fs.readFileSync(projectPath(rel), 'utf8'), { merge: true }) as Doc; // merge: compose's <<: *app
const asList = (v: unknown) => (Array.isArray(v) ? (v as Doc[]) : []);

describe('compose.yaml', () => {
  const doc = yamlFile('compose.yaml');
  const services = doc['services'] as Record<string, Doc>;

  it('runs two app replicas on the built image, PostgreSQL and a TLS proxy', () => {
    expect(Object.keys(services).sort()).toEqual(['app1', 'app2', 'caddy', 'postgres']);
    expect(services['app1']).toMatchObject({ image: 'bwid', build: '.' });
    expect(services['app2']).toMatchObject({ image: 'bwid' });
    expect(services['postgres']).toMatchObject({ image: 'postgres:16' });
    expect(services['caddy']).toMatchObject({ image: 'caddy:2', ports: expect.arrayContaining(['443:443']) });
    const caddyfile = fs.readFileSync(projectPath('deploy/compose/Caddyfile'), 'utf8');
    expect(caddyfile).toMatch(/tls internal/);
    expect(caddyfile).toMatch(/reverse_proxy app1:3000 app2:3000/);
  });

  it.each(['app1', 'app2'])('%s has the production environment, and the app accepts it', (name) => {
    const env = services[name]?.['environment'] as Record<string, string>;
    expect(Object.keys(env)).toEqual(expect.arrayContaining(REQUIRED));
    expect(env).toMatchObject({ NODE_ENV: 'production', TRUST_PROXY: 'true', ISSUER: 'https://localhost' });
    // Compose interpolation, done by hand: the secrets come from .env.
    const filled = Object.fromEntries(Object.entries(env).map(([k, v]) => [k,
      v.replace(/\$\{SECRETS_KEY[^}]*\}/, FAKE_SECRETS_KEY).replace(/\$\{POSTGRES_PASSWORD[^}]*\}/, 'pw')]));
    expect(loadConfig(filled)).toMatchObject({ env: 'production', trustProxy: true, databaseUrl: 'postgres://bwid:pw@postgres:5432/bwid' });
  });
});

describe('render.yaml', () => {
  const doc = yamlFile('render.yaml');
  const [web] = asList(doc['services']);

  it('declares a docker web service with a /readyz health check and a database', () => {
    expect(web).toMatchObject({ type: 'web', runtime: 'docker', dockerfilePath: './Dockerfile', healthCheckPath: '/readyz' });
    const [db] = asList(doc['databases']);
    expect(db?.['name']).toEqual(expect.any(String));
    const dbUrl = asList(web?.['envVars']).find((e) => e['key'] === 'DATABASE_URL');
    expect(dbUrl).toMatchObject({ fromDatabase: { name: db?.['name'], property: 'connectionString' } });
  });

  it('sets every production variable; secrets are generated or entered, never written here', () => {
    const envVars = asList(web?.['envVars']);
    const byKey = new Map(envVars.map((e) => [e['key'], e]));
    for (const key of REQUIRED) expect(byKey.has(key), key).toBe(true);
    expect(byKey.get('NODE_ENV')).toMatchObject({ value: 'production' });
    expect(byKey.get('TRUST_PROXY')).toMatchObject({ value: 'true' });
    expect(byKey.get('SECRETS_KEY')).toMatchObject({ generateValue: true });
    expect(byKey.get('SECRETS_KEY')).not.toHaveProperty('value');
    expect(byKey.get('ISSUER')).toMatchObject({ sync: false });
  });
});

describe('.do/app.yaml', () => {
  const doc = yamlFile('.do/app.yaml');
  const [web] = asList(doc['services']);

  it('declares a Dockerfile service with its port, a /readyz health check and a database', () => {
    expect(web).toMatchObject({ dockerfile_path: 'Dockerfile', http_port: 3000, health_check: { http_path: '/readyz' } });
    const [db] = asList(doc['databases']);
    expect(db).toMatchObject({ engine: 'PG', name: expect.any(String) });
  });

  it('sets every production variable, the secrets as SECRET', () => {
    const envs = new Map(asList(web?.['envs']).map((e) => [e['key'], e]));
    for (const key of REQUIRED) expect(envs.has(key), key).toBe(true);
    expect(envs.get('NODE_ENV')).toMatchObject({ value: 'production' });
    expect(envs.get('TRUST_PROXY')).toMatchObject({ value: 'true' });
    for (const key of ['SECRETS_KEY', 'DATABASE_URL']) expect(envs.get(key)).toMatchObject({ type: 'SECRET' });
    expect(envs.get('SECRETS_KEY')?.['value']).toBe('');
    const [db] = asList(doc['databases']);
    expect(String(envs.get('DATABASE_URL')?.['value'])).toContain(`\${${String(db?.['name'])}.`);
  });
});

describe('deploy/aws/task-definition.json', () => {
  const task = JSON.parse(fs.readFileSync(projectPath('deploy/aws/task-definition.json'), 'utf8')) as Doc;
  const container = asList(task['containerDefinitions'])[0] ?? {};

  it('is a Fargate task with cpu, memory, a port mapping and a health check', () => {
    expect(task['requiresCompatibilities']).toContain('FARGATE');
    expect(task['networkMode']).toBe('awsvpc');
    expect(Number(task['cpu'])).toBeGreaterThan(0);
    expect(Number(task['memory'])).toBeGreaterThan(0);
    expect(task['executionRoleArn']).toMatch(/^arn:aws:iam::\d{12}:role\//);
    expect(asList(container['portMappings'])[0]).toMatchObject({ containerPort: 3000, protocol: 'tcp' });
    const health = container['healthCheck'] as Doc;
    expect((health['command'] as string[])[0]).toBe('CMD');
    expect((health['command'] as string[]).join(' ')).toContain('/readyz');
  });

  it('sets every production variable, the secrets from Secrets Manager, and the app accepts them', () => {
    const environment = Object.fromEntries(asList(container['environment']).map((e) => [e['name'], e['value']])) as Record<string, string>;
    const secrets = asList(container['secrets']);
    const names = [...Object.keys(environment), ...secrets.map((s) => s['name'])];
    for (const key of REQUIRED) expect(names, key).toContain(key);
    for (const key of ['SECRETS_KEY', 'DATABASE_URL']) {
      expect(environment, `${key} must not be plain`).not.toHaveProperty(key);
      const secret = secrets.find((s) => s['name'] === key);
      expect(secret?.['valueFrom'], key).toMatch(/^arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+/);
    }
    const config = loadConfig({ ...environment, SECRETS_KEY: FAKE_SECRETS_KEY, DATABASE_URL: 'postgresql://bwid:pw@db.example:5432/bwid' });
    expect(config).toMatchObject({ env: 'production', trustProxy: true, issuer: 'https://id.bytewatchers.ws', port: 3000 });
  });
});

describe('Dockerfile', () => {
  it('runs the command the benches measure (bench/production-server.ts)', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(fs.readFileSync(projectPath('Dockerfile'), 'utf8'))?.[1];
    expect(cmd, 'no exec-form CMD in the Dockerfile').toBeDefined();
    expect(JSON.parse(cmd!)).toEqual(['node', ...IMAGE_NODE_ARGS]);
  });
});
