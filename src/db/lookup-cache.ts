// Owns: short-lived caches of hot lookups (rows read on every token request), one per
// database handle so that two servers in one process never share entries. Misses are cached
// too, so a flood of made-up keys costs no queries; size is bounded (LRU). Concurrent misses of
// one key share one load: when an entry expires under load, one query refills it, not one per
// request waiting at that moment.
import { LRUCache } from 'lru-cache';
import type { Db } from './connect.ts';

export type LookupCache<V> = {
  /** The cached value for key, or what load() returns (cached, found or not). */
  get(db: Db, key: string, load: () => Promise<V | undefined>): Promise<V | undefined>;
  /** Drops key, so this process sees a change it made itself at once. */
  forget(db: Db, key: string): void;
};

export function lookupCache<V extends object>(opts: { max: number; ttlMs: number }): LookupCache<V> {
  const caches = new WeakMap<Db, LRUCache<string, { value: V | undefined }>>();
  const loading = new WeakMap<Db, Map<string, Promise<V | undefined>>>();
  const loadingFor = (db: Db) => {
    let m = loading.get(db);
    if (!m) loading.set(db, (m = new Map()));
    return m;
  };
  const cacheFor = (db: Db) => {
    let cache = caches.get(db);
    // ttlResolution 0: read the clock on each get. The default (1 ms) caches it and arms a
    // timer to forget it, a setTimeout on nearly every token request under load.
    if (!cache) caches.set(db, (cache = new LRUCache({ max: opts.max, ttl: opts.ttlMs, ttlResolution: 0 })));
    return cache;
  };
  return {
    async get(db, key, load) {
      const cache = cacheFor(db);
      const hit = cache.get(key);
      if (hit) return hit.value;
      const inFlight = loadingFor(db);
      const pending = inFlight.get(key);
      if (pending) return pending;
      const p = load().then(
        (value) => {
          // Forgotten while loading: the value may be from before the change; do not keep it.
          if (inFlight.get(key) === p) cache.set(key, { value });
          return value;
        },
      ).finally(() => {
        if (inFlight.get(key) === p) inFlight.delete(key);
      });
      inFlight.set(key, p);
      return p;
    },
    forget(db, key) {
      caches.get(db)?.delete(key);
      loading.get(db)?.delete(key);
    },
  };
}
