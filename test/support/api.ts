// Shared helpers for the JSON API tests: a server, clients, accounts, the dev outbox.
import { createClient } from '../../src/clients/clients.ts';
import { messageDelivery } from '../../src/messaging/index.ts';
import type { TestServer } from './server.ts';

export type Json = Record<string, unknown>;

export async function call(server: TestServer, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    redirect: 'manual',
  });
  const text = await res.text();
  let json: Json;
  try {
    json = text ? (JSON.parse(text) as Json) : {};
  } catch {
    json = { _text: text };
  }
  return { status: res.status, json, headers: res.headers };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function firstPartyClient(server: TestServer, opts: { type?: 'native' | 'web'; firstParty?: boolean; tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' } = {}) {
  const type = opts.type ?? 'native';
  const { client, clientSecret } = await createClient(server.database.db, server.box, {
    name: 'Test app',
    type,
    redirectUris: [type === 'native' ? 'ws.bytewatchers.app:/callback' : 'https://app.example.com/callback'],
    firstParty: opts.firstParty ?? true,
    ...(opts.tokenEndpointAuthMethod ? { tokenEndpointAuthMethod: opts.tokenEndpointAuthMethod } : {}),
  });
  return { clientId: client.client_id, clientSecret };
}

let counter = 0;
export const uniqueEmail = (prefix = 'sina') => `${prefix}.${Date.now().toString(36)}.${(counter++).toString(36)}@example.com`;
export const PASSWORD = 'tautai matagofie 2024';

export async function register(server: TestServer, extra: Json = {}) {
  const email = uniqueEmail();
  const res = await call(server, 'POST', '/register', { email, password: PASSWORD, given_name: 'Sina', family_name: 'Leota', ...extra });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.json)}`);
  return { email, sub: res.json['sub'] as string, profile: res.json };
}

export async function login(server: TestServer, clientId: string, username: string, password = PASSWORD, extra: Json = {}) {
  return call(server, 'POST', '/login', { username, password, client_id: clientId, ...extra });
}

const deps = (server: TestServer) => ({ config: server.config, db: server.database.db, box: server.box, log: server.log });

/** Waits until queued messages have been attempted. */
export async function flushOutbox(server: TestServer) {
  const d = messageDelivery(deps(server));
  await d.idle();
  await d.deliverDue();
  await d.idle();
}

export type OutboxMessage = { channel: string; recipient: string; template: string; locale: string; status: string; content: { subject?: string; text: string } | null };

export async function outbox(server: TestServer, to: string): Promise<OutboxMessage[]> {
  await flushOutbox(server);
  const res = await call(server, 'GET', `/dev/outbox?to=${encodeURIComponent(to)}`);
  return (res.json['messages'] as OutboxMessage[]) ?? [];
}

export function linkToken(text: string, path: string): string {
  const m = new RegExp(`${path.replace('/', '\\/')}\\?token=([A-Za-z0-9_-]+)`).exec(text);
  if (!m?.[1]) throw new Error(`no ${path} link in: ${text}`);
  return m[1];
}

export function smsCode(text: string): string {
  const m = /\b(\d{6})\b/.exec(text);
  if (!m?.[1]) throw new Error(`no code in: ${text}`);
  return m[1];
}
