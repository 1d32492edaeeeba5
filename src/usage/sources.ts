import { formatUsd } from "../lib/money";
import { readWallet } from "../account/client";
import type { LedgerEntry } from "../account/types";
import type { Env } from "../env";
import { archivedUsage, type ArchiveCursor } from "./archived";
import type { Column, ExportSource } from "./export";
import type { Position } from "./keyset";
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
  { name: "cached_tokens", value: (r) => r.cachedTokens ?? 0 },
  { name: "reasoning_tokens", value: (r) => r.reasoningTokens ?? 0 },
  { name: "cost_usd", value: (r) => formatUsd(r.costNano) },
  { name: "cost_nano", value: (r) => r.costNano },
  { name: "latency_ms", value: (r) => r.latencyMs },
  { name: "status", value: (r) => r.status },
  { name: "http_status", value: (r) => r.httpStatus },
  { name: "error_code", value: (r) => r.errorCode ?? null, text: true },
  { name: "usage_source", value: (r) => r.usageSource },
  { name: "attempts", value: (r) => r.attempts ?? 1 },
  { name: "route_reason", value: (r) => r.routeReason ?? null, text: true },
];

/**
 * The user's usage records for the export, oldest first: those older than the wallet's recent tier
 * from the archive (src/usage/archived.ts), then the recent ones from the wallet's Durable Object
 * (USAGE_RECENT_DAYS), so the export covers the whole usage retention as it did when D1 held them.
 * Read once, in order: the source keeps its own place in each tier.
 */
export function usageSource(env: Env, filter: UsageFilter): ExportSource<UsageRecord> {
  let archive: Promise<ArchiveCursor> | null = null;
  let archiveDone = false;
  let recentAfter: Position | null = null;
  const recent = async (size: number) => {
    const rows = size > 0 ? await usagePage(env, filter, recentAfter, size, "asc") : [];
    if (rows.length > 0) recentAfter = usagePosition(rows.at(-1)!);
    return rows;
  };
  return {
    name: "usage",
    columns: USAGE_COLUMNS,
    page: async (_after, size) => {
      if (archiveDone) return recent(size);
      archive ??= archivedUsage(env, filter);
      const old = await (await archive).take(size);
      if (old.length === size) return old;
      archiveDone = true;
      return [...old, ...(await recent(size - old.length))];
    },
    position: usagePosition,
  };
}

const TRANSACTION_COLUMNS: Column<LedgerEntry>[] = [
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

/** The user's ledger (credits, purchases, usage charges, refunds), oldest first, from the wallet's Durable Object (every entry it ever posted). */
export function transactionsSource(env: Env, userId: string, range: { from?: number; to?: number }): ExportSource<LedgerEntry> {
  return {
    name: "transactions",
    columns: TRANSACTION_COLUMNS,
    page: async (after, size) => (await readWallet(env, userId, { kind: "ledger", query: { ...range, after, limit: size, order: "asc" } })).rows,
    position: (r) => ({ t: r.createdAt, id: r.id }),
  };
}
