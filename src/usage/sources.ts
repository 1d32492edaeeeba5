import { and, asc, eq, gte, lt, type SQL } from "drizzle-orm";
import { formatUsd } from "../lib/money";
import type { Db } from "../db/client";
import { transactions } from "../db/schema";
import type { Column, ExportSource } from "./export";
import { afterPosition } from "./keyset";
import { usagePage, usagePosition, type UsageFilter, type UsageRecord } from "./query";

const iso = (t: number) => new Date(t).toISOString();

/** Every field of a usage record (P15), the key by id only. */
const USAGE_COLUMNS: Column<UsageRecord>[] = [
  { name: "request_id", value: (r) => r.requestId },
  { name: "created_at", value: (r) => iso(r.createdAt) },
  { name: "model", value: (r) => r.model, text: true },
  { name: "provider", value: (r) => r.provider, text: true },
  { name: "endpoint", value: (r) => r.endpoint, text: true },
  { name: "key_id", value: (r) => r.keyId },
  { name: "stream", value: (r) => r.stream },
  { name: "prompt_tokens", value: (r) => r.promptTokens },
  { name: "completion_tokens", value: (r) => r.completionTokens },
  { name: "cached_tokens", value: (r) => r.cachedTokens },
  { name: "reasoning_tokens", value: (r) => r.reasoningTokens },
  { name: "cost_usd", value: (r) => formatUsd(r.costNano) },
  { name: "cost_nano", value: (r) => r.costNano },
  { name: "latency_ms", value: (r) => r.latencyMs },
  { name: "status", value: (r) => r.status },
  { name: "http_status", value: (r) => r.httpStatus },
  { name: "error_code", value: (r) => r.errorCode, text: true },
  { name: "usage_source", value: (r) => r.usageSource },
  { name: "attempts", value: (r) => r.attempts },
  { name: "route_reason", value: (r) => r.routeReason, text: true },
];

export function usageSource(db: Db, filter: UsageFilter): ExportSource<UsageRecord> {
  return {
    name: "usage",
    columns: USAGE_COLUMNS,
    page: (after, size) => usagePage(db, filter, after, size, "asc"),
    position: usagePosition,
  };
}

type TransactionRecord = typeof transactions.$inferSelect;

const TRANSACTION_COLUMNS: Column<TransactionRecord>[] = [
  { name: "id", value: (r) => r.id },
  { name: "created_at", value: (r) => iso(r.createdAt) },
  { name: "kind", value: (r) => r.kind },
  { name: "amount_usd", value: (r) => formatUsd(r.amountNano) },
  { name: "amount_nano", value: (r) => r.amountNano },
  { name: "balance_after_usd", value: (r) => formatUsd(r.balanceAfterNano) },
  { name: "balance_after_nano", value: (r) => r.balanceAfterNano },
  { name: "ref", value: (r) => r.ref, text: true },
  { name: "note", value: (r) => r.note, text: true },
];

/** The user's ledger (credits, purchases, usage charges, refunds), oldest first. */
export function transactionsSource(db: Db, userId: string, range: { from?: number; to?: number }): ExportSource<TransactionRecord> {
  return {
    name: "transactions",
    columns: TRANSACTION_COLUMNS,
    page: (after, size) => {
      const where: SQL[] = [eq(transactions.userId, userId)];
      if (range.from !== undefined) where.push(gte(transactions.createdAt, range.from));
      if (range.to !== undefined) where.push(lt(transactions.createdAt, range.to));
      if (after) where.push(afterPosition(transactions.createdAt, transactions.id, after, "asc"));
      return db.select().from(transactions).where(and(...where)).orderBy(asc(transactions.createdAt), asc(transactions.id)).limit(size).all();
    },
    position: (r) => ({ t: r.createdAt, id: r.id }),
  };
}
