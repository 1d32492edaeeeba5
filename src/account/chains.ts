import { one, type Row } from "./storage";
import type { Refusal } from "./types";

/**
 * Stored /responses conversations, per wallet (docs/billing.md, "Chain reservation").
 *
 * A request with `previous_response_id` makes the provider read the whole stored conversation
 * again as input. So for every response the provider stored for this user, the wallet keeps the
 * token count of its context (its prompt + output tokens, numbers only, never content), and
 * admission adds that count to the prompt estimate. An id this wallet never recorded (another
 * tenant's, unknown, not stored, or expired) is refused with 404: nothing reaches the provider.
 *
 * Lifecycle: a row lives RESPONSE_RETENTION_MS (30 days, as long as OpenAI keeps stored
 * responses by default). Rows are pruned on write and by the Durable Object's alarm.
 */
export const RESPONSES_SCHEMA = `
CREATE TABLE IF NOT EXISTS responses (
  id TEXT PRIMARY KEY,
  context_tokens INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS responses_created ON responses (created_at);
`;

export const RESPONSE_RETENTION_MS = 30 * 24 * 3600_000;
/** Longest response id kept (OpenAI's are ~50 characters). */
const MAX_ID_LENGTH = 256;

export interface StoredResponse { id: string; contextTokens: number }

/** The stored context of a response this wallet recorded, or null (unknown here, or expired). */
export function chainContext(sql: SqlStorage, id: string, now: number): number | null {
  const row = one<Row & { context_tokens: number }>(
    sql, "SELECT context_tokens FROM responses WHERE id = ? AND created_at > ?", id, now - RESPONSE_RETENTION_MS,
  );
  return row ? row.context_tokens : null;
}

/** Records a stored response's context once; a repeated settlement changes nothing. */
export function recordResponse(sql: SqlStorage, r: StoredResponse, now: number): void {
  if (!r.id || r.id.length > MAX_ID_LENGTH || !Number.isSafeInteger(r.contextTokens) || r.contextTokens < 0) return;
  sql.exec("INSERT OR IGNORE INTO responses (id, context_tokens, created_at) VALUES (?, ?, ?)", r.id, r.contextTokens, now);
  pruneResponses(sql, now);
}

export function pruneResponses(sql: SqlStorage, now: number): void {
  sql.exec("DELETE FROM responses WHERE created_at <= ?", now - RESPONSE_RETENTION_MS);
}

/** OpenAI's answer for a previous_response_id it does not know, in the gateway's refusal shape. */
export function responseNotFound(id: string): Refusal {
  return {
    ok: false, status: 404, code: "previous_response_not_found", param: "previous_response_id", type: "invalid_request_error",
    message: `Previous response with id '${id.slice(0, MAX_ID_LENGTH)}' not found.`,
  };
}
