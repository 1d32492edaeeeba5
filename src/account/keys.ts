import type { KeyInfo, NewKey, Refusal } from "./types";
import { one, type Row } from "./storage";

interface KeyRow extends Row {
  id: string; key_hash: string; name: string; prefix: string; last4: string;
  rpm: number | null; tpm: number | null; max_concurrency: number | null; spend_limit_nano: number | null;
  models: string | null; expires_at: number | null; created_at: number; revoked_at: number | null;
  last_used_at: number | null; spent_nano: number;
}

function toInfo(r: KeyRow): KeyInfo {
  return {
    id: r.id, name: r.name, prefix: r.prefix, last4: r.last4,
    rpm: r.rpm, tpm: r.tpm, maxConcurrency: r.max_concurrency, spendLimitNano: r.spend_limit_nano,
    models: r.models ? (JSON.parse(r.models) as string[]) : null, expiresAt: r.expires_at,
    createdAt: r.created_at, revokedAt: r.revoked_at, lastUsedAt: r.last_used_at, spentNano: r.spent_nano,
  };
}

export function insertKey(sql: SqlStorage, k: NewKey): void {
  sql.exec(
    `INSERT INTO api_keys (id, key_hash, name, prefix, last4, rpm, tpm, max_concurrency, spend_limit_nano, models, expires_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    k.id, k.keyHash, k.name, k.prefix, k.last4, k.rpm, k.tpm, k.maxConcurrency, k.spendLimitNano,
    k.models ? JSON.stringify(k.models) : null, k.expiresAt, k.createdAt,
  );
}

export function revokeKey(sql: SqlStorage, keyId: string, now: number): boolean {
  return sql.exec("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", now, keyId).rowsWritten > 0;
}

export function listKeys(sql: SqlStorage): KeyInfo[] {
  return sql.exec<KeyRow>("SELECT * FROM api_keys ORDER BY created_at").toArray().map(toInfo);
}

/** Finds a usable key by hash, or the refusal that explains why it cannot be used. */
export function findUsableKey(sql: SqlStorage, keyHash: string, now: number): KeyInfo | Refusal {
  const row = one<KeyRow>(sql, "SELECT * FROM api_keys WHERE key_hash = ?", keyHash);
  if (!row) return { ok: false, status: 401, code: "invalid_api_key", message: "Invalid API key." };
  if (row.revoked_at !== null) return { ok: false, status: 401, code: "api_key_revoked", message: "This API key has been revoked." };
  if (row.expires_at !== null && row.expires_at <= now) return { ok: false, status: 401, code: "api_key_expired", message: "This API key has expired." };
  return toInfo(row);
}

export function isRefusal<T>(v: T | Refusal): v is Refusal {
  return typeof v === "object" && v !== null && (v as Refusal).ok === false;
}
