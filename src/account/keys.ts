import { periodStart, TRACKED_PERIODS } from "./periods";
import type { KeyInfo, KeyPatch, NewKey, Refusal, SpendPeriod } from "./types";
import { one, type Row } from "./storage";
import { nano } from "../lib/money";

interface KeyRow extends Row {
  id: string; key_hash: string; name: string; prefix: string; last4: string;
  rpm: number | null; tpm: number | null; max_concurrency: number | null; spend_limit_nano: number | null;
  spend_limit_period: string; models: string | null; expires_at: number | null; created_at: number; revoked_at: number | null;
  last_used_at: number | null; member_id: string | null; disabled: number;
  /** The key's lifetime total: its 'total' row in key_period_spend (KEY_SELECT). */
  total_spent: number;
}

/** A key's row with its lifetime total (api_keys.spent_nano is no longer written: see migrateKeySpend). */
const KEY_SELECT = `SELECT api_keys.*, coalesce((SELECT spent_nano FROM key_period_spend t WHERE t.key_id = api_keys.id AND t.period = 'total'), 0) AS total_spent FROM api_keys`;

function toInfo(sql: SqlStorage, r: KeyRow, now: number): KeyInfo {
  const period = r.spend_limit_period as SpendPeriod;
  return {
    id: r.id, name: r.name, prefix: r.prefix, last4: r.last4,
    rpm: r.rpm, tpm: r.tpm, maxConcurrency: r.max_concurrency, spendLimitNano: r.spend_limit_nano === null ? null : nano(r.spend_limit_nano), spendLimitPeriod: period,
    models: r.models ? (JSON.parse(r.models) as string[]) : null, expiresAt: r.expires_at,
    createdAt: r.created_at, revokedAt: r.revoked_at, lastUsedAt: r.last_used_at, spentNano: nano(r.total_spent),
    periodSpentNano: nano(period === "total" ? r.total_spent : periodSpent(sql, r.id, period, now)),
    memberId: r.member_id, disabled: r.disabled === 1,
  };
}

export function insertKey(sql: SqlStorage, k: NewKey): void {
  sql.exec(
    `INSERT INTO api_keys (id, key_hash, name, prefix, last4, rpm, tpm, max_concurrency, spend_limit_nano, spend_limit_period, models, expires_at, created_at, member_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    k.id, k.keyHash, k.name, k.prefix, k.last4, k.rpm, k.tpm, k.maxConcurrency, k.spendLimitNano, k.spendLimitPeriod ?? "total",
    k.models ? JSON.stringify(k.models) : null, k.expiresAt, k.createdAt, k.memberId ?? null,
  );
}

export function revokeKey(sql: SqlStorage, keyId: string, now: number): boolean {
  return sql.exec("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", now, keyId).rowsWritten > 0;
}

const PATCH_COLUMNS: { [K in keyof Required<KeyPatch>]: string } = {
  name: "name", rpm: "rpm", tpm: "tpm", maxConcurrency: "max_concurrency", spendLimitNano: "spend_limit_nano",
  spendLimitPeriod: "spend_limit_period", models: "models", expiresAt: "expires_at", disabled: "disabled",
};

/**
 * Changes a key's name or limits (undefined = unchanged, null = cleared). Admission reads the
 * row on every request, so the change applies to the next request. Returns null when there is
 * no such key or it is revoked (a revoked key stays as it was revoked).
 */
export function updateKey(sql: SqlStorage, keyId: string, patch: KeyPatch, now: number): KeyInfo | null {
  const sets: string[] = [];
  const values: SqlStorageValue[] = [];
  for (const [field, column] of Object.entries(PATCH_COLUMNS) as [keyof KeyPatch, string][]) {
    const value = patch[field];
    if (value === undefined) continue;
    sets.push(`${column} = ?`);
    values.push(field === "models" && value !== null ? JSON.stringify(value) : typeof value === "boolean" ? Number(value) : (value as SqlStorageValue));
  }
  const live = one<Row>(sql, "SELECT id FROM api_keys WHERE id = ? AND revoked_at IS NULL", keyId);
  if (!live) return null;
  if (sets.length > 0) sql.exec(`UPDATE api_keys SET ${sets.join(", ")} WHERE id = ?`, ...values, keyId);
  return toInfo(sql, one<KeyRow>(sql, `${KEY_SELECT} WHERE id = ?`, keyId)!, now);
}

export function listKeys(sql: SqlStorage, now = Date.now()): KeyInfo[] {
  return sql.exec<KeyRow>(`${KEY_SELECT} ORDER BY created_at`).toArray().map((r) => toInfo(sql, r, now));
}

/** Finds a usable key by hash, or the refusal that explains why it cannot be used. */
export function findUsableKey(sql: SqlStorage, keyHash: string, now: number): KeyInfo | Refusal {
  const row = one<KeyRow>(sql, `${KEY_SELECT} WHERE key_hash = ?`, keyHash);
  if (!row) return { ok: false, status: 401, code: "invalid_api_key", message: "Invalid API key." };
  if (row.revoked_at !== null) return { ok: false, status: 401, code: "api_key_revoked", message: "This API key has been revoked." };
  if (row.expires_at !== null && row.expires_at <= now) return { ok: false, status: 401, code: "api_key_expired", message: "This API key has expired." };
  if (row.disabled === 1) return { ok: false, status: 401, code: "api_key_disabled", message: "This API key is disabled." };
  return toInfo(sql, row, now);
}

/** What the key was charged in the period containing `now`; a counter from an earlier period counts as 0. */
export function periodSpent(sql: SqlStorage, keyId: string, period: Exclude<SpendPeriod, "total">, now: number): number {
  return one<{ spent_nano: number }>(
    sql, "SELECT spent_nano FROM key_period_spend WHERE key_id = ? AND period = ? AND period_start = ?", keyId, period, periodStart(period, now),
  )?.spent_nano ?? 0;
}

/**
 * Adds a settled charge to the key's lifetime total and to its day, week and month counters.
 * A counter whose period has ended restarts from this charge. Charges count in the period in
 * which they settle; admission already counted them as holds, so no period can exceed its limit.
 * Returns the key's member (an organization's key), whose counters settlement adds to as well (./members.ts).
 * The key's row is only read: its counters are the four rows of one page (key_period_spend).
 */
export function recordKeySpend(sql: SqlStorage, keyId: string, chargeNano: number, now: number): string | null {
  const memberId = one<{ member_id: string | null }>(sql, "SELECT member_id FROM api_keys WHERE id = ?", keyId)?.member_id ?? null;
  if (chargeNano <= 0) return memberId;
  // One statement for the four counters (each row upserted on its own; 'total' starts at 0 and never restarts).
  sql.exec(
    `INSERT INTO key_period_spend (key_id, period, period_start, spent_nano) VALUES ${PERIOD_ROWS}
     ON CONFLICT (key_id, period) DO UPDATE SET
       spent_nano = CASE WHEN key_period_spend.period = 'total' OR key_period_spend.period_start = excluded.period_start
         THEN key_period_spend.spent_nano + excluded.spent_nano ELSE excluded.spent_nano END,
       period_start = CASE WHEN key_period_spend.period = 'total' THEN key_period_spend.period_start ELSE excluded.period_start END`,
    ...SPEND_ROWS.flatMap((period) => [keyId, period, periodStart(period, now), chargeNano]),
  );
  return memberId;
}

const SPEND_ROWS: SpendPeriod[] = [...TRACKED_PERIODS, "total"];
const PERIOD_ROWS = SPEND_ROWS.map(() => "(?, ?, ?, ?)").join(", ");

export function isRefusal<T>(v: T | Refusal): v is Refusal {
  return typeof v === "object" && v !== null && (v as Refusal).ok === false;
}
