import { dayOf } from "./archive";
import type { PlaneRecord, UsageBatchMessage } from "../../db/usage-batch";

const HOUR_MS = 3600_000;

/** The summed columns of usage_rollups, in the order of RollupCell's `sums`. */
export const ROLLUP_SUMS = ["requests", "prompt_tokens", "completion_tokens", "cached_tokens", "reasoning_tokens", "cost_nano",
  "measured_requests", "failures", "ok_requests", "ok_completion_tokens", "ok_latency_ms"] as const;
/** `col = col + excluded.col` for every summed column (an upsert that adds a cell to its row). */
export const ADD_SUMS = ROLLUP_SUMS.map((c) => `${c} = ${c} + excluded.${c}`).join(", ");

export interface RollupCell { userId: string; hour: number; keyId: string; model: string; sums: number[] }

/** One record's contribution to its rollup cell, in ROLLUP_SUMS order. */
export function contribution(r: PlaneRecord): number[] {
  const measured = r.endpoint !== "embeddings" && r.status !== "client_disconnected";
  const ok = r.endpoint !== "embeddings" && r.status === "success";
  return [
    r.replacesExpired ? 0 : 1, r.promptTokens, r.completionTokens, r.cachedTokens ?? 0, r.reasoningTokens ?? 0, r.costNano,
    measured && !r.replacesExpired ? 1 : 0, measured && (r.status === "upstream_error" || r.status === "stream_error") ? 1 : 0,
    ok ? 1 : 0, ok ? r.completionTokens : 0, ok ? r.latencyMs : 0,
  ];
}

export interface StatementCell { userId: string; day: string; keyId: string; model: string; charges: number; charged: number }
export interface CursorMove { userId: string; from: number; to: number; records: number; charged: number }

/**
 * Sums the applied batches into rollup cells (user × key × model × hour of created_at) and
 * statement cells (user × key × model × UTC day of the charge). A deleted wallet's rollups use
 * key "deleted", as its usage logs do; statements are financial records and keep the key.
 */
export function summarize(messages: UsageBatchMessage[], deleted: (userId: string) => boolean) {
  const rollups = new Map<string, RollupCell>();
  const statements = new Map<string, StatementCell>();
  for (const m of messages) {
    for (const r of m.records) {
      const hour = Math.floor(r.createdAt / HOUR_MS) * HOUR_MS;
      const keyId = deleted(m.userId) ? "deleted" : r.keyId;
      const rk = `${m.userId}\u0000${hour}\u0000${keyId}\u0000${r.model}`;
      const cell = rollups.get(rk) ?? { userId: m.userId, hour, keyId, model: r.model, sums: ROLLUP_SUMS.map(() => 0) };
      contribution(r).forEach((v, i) => { cell.sums[i]! += v; });
      rollups.set(rk, cell);
      if (r.costNano <= 0) continue;
      const day = dayOf(r.chargedAt);
      const sk = `${m.userId}\u0000${day}\u0000${r.keyId}\u0000${r.model}`;
      const st = statements.get(sk) ?? { userId: m.userId, day, keyId: r.keyId, model: r.model, charges: 0, charged: 0 };
      st.charges += 1;
      st.charged += r.costNano;
      statements.set(sk, st);
    }
  }
  return { rollups: [...rollups.values()], statements: [...statements.values()] };
}

const ROLLUP_UPSERT = `INSERT INTO usage_rollups (user_id, hour, key_id, model, ${ROLLUP_SUMS.join(", ")})
  VALUES (?, ?, ?, ?, ${ROLLUP_SUMS.map(() => "?").join(", ")}) ON CONFLICT (user_id, hour, key_id, model) DO UPDATE SET ${ADD_SUMS}`;

const STATEMENT_UPSERT = `INSERT INTO usage_statements (user_id, day, key_id, model, charges, charged_nano) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (user_id, day, key_id, model) DO UPDATE SET charges = charges + excluded.charges, charged_nano = charged_nano + excluded.charged_nano`;

// Moves a wallet's cursor from `from` to `to` batches. If another consumer moved it first, the
// CASE yields NULL, the NOT NULL constraint fails and the whole D1 batch (this transaction) rolls
// back: a batch is never applied twice, even by two consumers at once. (The plan reads a missing
// row as 0, so a plain insert only happens for from = 0; two first inserts conflict the same way.)
const CURSOR_MOVE = `INSERT INTO usage_cursors (user_id, last_batch, records, charged_nano, updated_at)
  VALUES (?1, ?3, ?4, ?5, ?6) ON CONFLICT (user_id) DO UPDATE SET
  last_batch = CASE WHEN usage_cursors.last_batch = ?2 THEN ?3 END,
  records = usage_cursors.records + ?4, charged_nano = usage_cursors.charged_nano + ?5, updated_at = ?6`;

/** Every D1 write of one consumer batch, to run as one transaction (D1 batch). */
export function planeStatements(db: D1Database, moves: CursorMove[], s: ReturnType<typeof summarize>, now: number): D1PreparedStatement[] {
  return [
    ...moves.map((m) => db.prepare(CURSOR_MOVE).bind(m.userId, m.from, m.to, m.records, m.charged, now)),
    ...s.rollups.map((c) => db.prepare(ROLLUP_UPSERT).bind(c.userId, c.hour, c.keyId, c.model, ...c.sums)),
    ...s.statements.map((c) => db.prepare(STATEMENT_UPSERT).bind(c.userId, c.day, c.keyId, c.model, c.charges, c.charged)),
  ];
}
