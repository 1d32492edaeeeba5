import type { Row } from "./storage";

/**
 * A wallet's own provider keys (BYOK), sealed by the worker (src/byok/seal.ts) before they reach
 * this Durable Object: only ciphertext is stored here, and only the worker can open it.
 */
export interface SealedProviderKey { provider: string; sealed: string; allowFallback: boolean }
export interface ProviderKeyInfo { provider: string; allowFallback: boolean; createdAt: number }

interface ByokRow extends Row { provider: string; sealed: string; allow_fallback: number; created_at: number }

/** The sealed keys admission last read, per Durable Object; dropped on every write (as plan-limits.ts's cache). */
const sealedCache = new WeakMap<SqlStorage, readonly SealedProviderKey[]>();

export function putProviderKey(sql: SqlStorage, provider: string, sealed: string, allowFallback: boolean, now: number): void {
  sealedCache.delete(sql);
  sql.exec(
    `INSERT INTO byok_keys (provider, sealed, allow_fallback, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (provider) DO UPDATE SET sealed = excluded.sealed, allow_fallback = excluded.allow_fallback, created_at = excluded.created_at`,
    provider, sealed, allowFallback ? 1 : 0, now,
  );
}

export function deleteProviderKey(sql: SqlStorage, provider: string): boolean {
  sealedCache.delete(sql);
  return sql.exec("DELETE FROM byok_keys WHERE provider = ?", provider).rowsWritten > 0;
}

/** What the dashboard may see: the provider and the fallback choice, never the key. */
export function listProviderKeys(sql: SqlStorage): ProviderKeyInfo[] {
  return sql.exec<ByokRow>("SELECT * FROM byok_keys ORDER BY provider").toArray()
    .map((r) => ({ provider: r.provider, allowFallback: r.allow_fallback === 1, createdAt: r.created_at }));
}

/** The sealed keys, for the admitted request that will use them (returned with admission: no extra round trip). */
export function sealedProviderKeys(sql: SqlStorage): readonly SealedProviderKey[] {
  let keys = sealedCache.get(sql);
  if (!keys) {
    keys = sql.exec<ByokRow>("SELECT * FROM byok_keys").toArray().map((r) => ({ provider: r.provider, sealed: r.sealed, allowFallback: r.allow_fallback === 1 }));
    sealedCache.set(sql, keys);
  }
  return keys;
}
