import type { PlaneRecord } from "../db/usage-batch";
import { toEntry, type LedgerRow } from "./ledger";
import { num } from "./storage";
import { RECORD_CREATED } from "./usage-plane";
import type { LedgerEntry } from "./types";

/** A keyset position: (created_at, id) of the last row shown. */
export interface Position { t: number; id: string }

/** Filters of the request log over the recent records (the usage list, export, admin, /generation). */
export interface RecordQuery {
  from?: number; to?: number; model?: string; keyId?: string; status?: string; requestId?: string;
  after?: Position | null; limit: number; order: "asc" | "desc";
}

export interface LedgerQuery { kind?: string; from?: number; to?: number; after?: Position | null; limit: number; order: "asc" | "desc" }

/** One read of a wallet's own tier (docs/capacity.md, "Who reads what"). */
export type WalletRead =
  | { kind: "records"; query: RecordQuery }
  | { kind: "unapplied"; afterBatch: number }
  | { kind: "ledger"; query: LedgerQuery }
  | { kind: "balances"; since: number }
  | { kind: "counts" }
  | { kind: "archived" };

export type WalletReadResult =
  | { kind: "records"; rows: PlaneRecord[] }
  | { kind: "unapplied"; rows: PlaneRecord[] }
  | { kind: "ledger"; rows: LedgerEntry[] }
  | { kind: "balances"; opening: number; daily: { day: number; balanceNano: number }[] }
  | { kind: "counts"; records: number; transactions: number }
  /**
   * Where the archive takes over from the recent records (src/usage/archived.ts): records created
   * before `prunedBefore` that are still here (sent late, not pruned yet) are listed by id, so a
   * reader of both tiers takes each of them once.
   */
  | { kind: "archived"; prunedBefore: number; stillHere: string[]; days: string[] };

const DAY_MS = 86_400_000;
// The newest record of a request: a late settlement replaces its "expired" record, as D1's upsert did.
const LATEST = "seq = (SELECT max(p.seq) FROM usage_pending p WHERE p.request_id = usage_pending.request_id)";

/** WHERE clauses and their arguments for a keyset page over (time, id). */
function keyset(time: string, id: string, after: Position | null | undefined, order: "asc" | "desc"): [string[], unknown[]] {
  if (!after) return [[], []];
  const op = order === "desc" ? "<" : ">";
  return [[`(${time} ${op} ? OR (${time} = ? AND ${id} ${op} ?))`], [after.t, after.t, after.id]];
}

function records(sql: SqlStorage, q: RecordQuery): PlaneRecord[] {
  const where = [LATEST];
  const args: unknown[] = [];
  const add = (clause: string, value: unknown) => { where.push(clause); args.push(value); };
  if (q.from !== undefined) add(`${RECORD_CREATED} >= ?`, q.from);
  if (q.to !== undefined) add(`${RECORD_CREATED} < ?`, q.to);
  if (q.model !== undefined) add("json_extract(payload, '$.model') = ?", q.model);
  if (q.keyId !== undefined) add("json_extract(payload, '$.keyId') = ?", q.keyId);
  if (q.status !== undefined) add("json_extract(payload, '$.status') = ?", q.status);
  if (q.requestId !== undefined) add("request_id = ?", q.requestId);
  const [page, pageArgs] = keyset(RECORD_CREATED, "request_id", q.after, q.order);
  const dir = q.order === "desc" ? "DESC" : "ASC";
  return sql.exec<{ payload: string }>(
    `SELECT payload FROM usage_pending WHERE ${[...where, ...page].join(" AND ")} ORDER BY ${RECORD_CREATED} ${dir}, request_id ${dir} LIMIT ?`,
    ...args, ...pageArgs, q.limit,
  ).toArray().map((r) => JSON.parse(r.payload) as PlaneRecord);
}

function ledger(sql: SqlStorage, q: LedgerQuery): LedgerEntry[] {
  const where = ["1 = 1"];
  const args: unknown[] = [];
  if (q.kind !== undefined) { where.push("kind = ?"); args.push(q.kind); }
  if (q.from !== undefined) { where.push("created_at >= ?"); args.push(q.from); }
  if (q.to !== undefined) { where.push("created_at < ?"); args.push(q.to); }
  const [page, pageArgs] = keyset("created_at", "id", q.after, q.order);
  const dir = q.order === "desc" ? "DESC" : "ASC";
  return sql.exec<LedgerRow>(`SELECT * FROM ledger WHERE ${[...where, ...page].join(" AND ")} ORDER BY created_at ${dir}, id ${dir} LIMIT ?`, ...args, ...pageArgs, q.limit)
    .toArray().map(toEntry);
}

/** The balance before `since` and each UTC day's closing balance from `since` on (the ledger's created_at increases). */
function balances(sql: SqlStorage, since: number): WalletReadResult {
  const opening = sql.exec<{ b: number }>("SELECT balance_after_nano AS b FROM ledger WHERE created_at < ? ORDER BY created_at DESC, id DESC LIMIT 1", since).toArray()[0]?.b ?? 0;
  const daily = sql.exec<{ day: number; b: number }>(
    `SELECT created_at / ${DAY_MS} AS day, max(created_at) AS t, balance_after_nano AS b FROM ledger WHERE created_at >= ? GROUP BY day ORDER BY day`, since,
  ).toArray().map((r) => ({ day: r.day, balanceNano: r.b }));
  return { kind: "balances", opening, daily };
}

/** Answers one read inside the wallet's Durable Object. */
export function walletRead(sql: SqlStorage, q: WalletRead): WalletReadResult {
  switch (q.kind) {
    case "records": return { kind: "records", rows: records(sql, q.query) };
    case "unapplied": return {
      kind: "unapplied",
      rows: sql.exec<{ payload: string }>("SELECT payload FROM usage_pending WHERE batch IS NULL OR batch > ? ORDER BY seq", q.afterBatch)
        .toArray().map((r) => JSON.parse(r.payload) as PlaneRecord),
    };
    case "ledger": return { kind: "ledger", rows: ledger(sql, q.query) };
    case "balances": return balances(sql, q.since);
    case "archived": {
      const prunedBefore = num(sql, "SELECT usage_pruned_before FROM account WHERE id = 1");
      const here = sql.exec<{ request_id: string }>(`SELECT DISTINCT request_id FROM usage_pending WHERE ${RECORD_CREATED} < ?`, prunedBefore).toArray();
      const days = sql.exec<{ day: string }>("SELECT day FROM archived_days ORDER BY day").toArray().map((r) => r.day);
      return { kind: "archived", prunedBefore, stillHere: here.map((r) => r.request_id), days };
    }
    case "counts": return {
      kind: "counts",
      records: num(sql, "SELECT count(DISTINCT request_id) FROM usage_pending"),
      transactions: num(sql, "SELECT count(*) FROM ledger"),
    };
  }
}
