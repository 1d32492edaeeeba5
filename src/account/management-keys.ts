import { one, type Row } from "./storage";
import type { KeyInfo } from "./types";

/** A management key as stored in its wallet's Durable Object: the SHA-256 of the key, never the key. */
export type ManagementKeyInfo = Pick<KeyInfo, "id" | "name" | "prefix" | "last4" | "createdAt" | "revokedAt" | "lastUsedAt">;

export interface NewManagementKey { id: string; name: string; keyHash: string; prefix: string; last4: string; createdAt: number }

interface MgmtRow extends Row {
  id: string; key_hash: string; name: string; prefix: string; last4: string; created_at: number; revoked_at: number | null; last_used_at: number | null;
}

const toInfo = (r: MgmtRow): ManagementKeyInfo => ({
  id: r.id, name: r.name, prefix: r.prefix, last4: r.last4, createdAt: r.created_at, revokedAt: r.revoked_at, lastUsedAt: r.last_used_at,
});

export function insertManagementKey(sql: SqlStorage, k: NewManagementKey): void {
  sql.exec("INSERT INTO management_keys (id, key_hash, name, prefix, last4, created_at) VALUES (?, ?, ?, ?, ?, ?)", k.id, k.keyHash, k.name, k.prefix, k.last4, k.createdAt);
}

/** The live management key with this hash (and records its use), or null: unknown and revoked keys are refused alike. */
export function useManagementKey(sql: SqlStorage, keyHash: string, now: number): ManagementKeyInfo | null {
  const row = one<MgmtRow>(sql, "SELECT * FROM management_keys WHERE key_hash = ? AND revoked_at IS NULL", keyHash);
  if (!row) return null;
  sql.exec("UPDATE management_keys SET last_used_at = ? WHERE id = ?", now, row.id);
  return toInfo({ ...row, last_used_at: now });
}

export function listManagementKeys(sql: SqlStorage): ManagementKeyInfo[] {
  return sql.exec<MgmtRow>("SELECT * FROM management_keys ORDER BY created_at DESC").toArray().map(toInfo);
}

export function revokeManagementKey(sql: SqlStorage, id: string, now: number): boolean {
  return sql.exec("UPDATE management_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", now, id).rowsWritten > 0;
}
