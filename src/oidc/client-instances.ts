// Owns: reusing oidc-provider's Client objects. For a client that is not in its static list,
// oidc-provider's Client.find reads the adapter and then hashes the JSON of the metadata on
// every request to find the Client it built before (about 10 µs of the token endpoint's time,
// measured with a CPU profile under bench/client-credentials.ts). Our adapter serves metadata
// from a short cache (clients.ts), which hands back the same object until it reloads; while it
// does, the Client built from it is reused without hashing. A reload is a new object, so a
// changed or disabled client is seen exactly as soon as without this.
import type { Provider } from 'oidc-provider';

type Client = NonNullable<Awaited<ReturnType<Provider['Client']['find']>>>;

export function reuseClientInstances(provider: Provider, metadata: (clientId: string) => Promise<object | undefined>): void {
  const Client = provider.Client;
  const find = Client.find.bind(Client);
  const built = new WeakMap<object, Client>();
  Client.find = async (id: string) => {
    const meta = typeof id === 'string' && id ? await metadata(id) : undefined;
    if (!meta) return find(id); // unknown, disabled, or malformed: oidc-provider decides
    const known = built.get(meta);
    if (known) return known;
    const client = await find(id);
    if (client) built.set(meta, client);
    return client;
  };
}
