import { periodStart } from "../account/periods";
import { readWallet } from "../account/client";
import type { PlaneRecord } from "../db/usage-batch";
import { usagePlaneConfig } from "../config";
import type { Env } from "../env";
import { archivedNewestFirst, mergeNewestFirst } from "./archived";
import type { Position } from "./keyset";
import { contribution } from "./plane/rollup";

/** A usage record (every field of docs/api.md's "usage" object) as the wallet's Durable Object keeps it for the recent window. */
export type UsageRecord = PlaneRecord;

/** Filters of the usage list, aggregates and export. `userId` always comes from the session. */
export interface UsageFilter {
  userId: string;
  from?: number;
  to?: number;
  model?: string;
  keyId?: string;
  status?: string;
}

export const usagePosition = (r: UsageRecord): Position => ({ t: r.createdAt, id: r.requestId });

/**
 * Up to `limit` records after `after`, newest first ("desc", the list) or oldest first ("asc", the
 * export), from the wallet's recent records (USAGE_RECENT_DAYS; older raw records are in the archive).
 */
export async function usagePage(env: Env, f: UsageFilter, after: Position | null, limit: number, order: "asc" | "desc"): Promise<UsageRecord[]> {
  const { userId, ...filter } = f;
  return (await readWallet(env, userId, { kind: "records", query: { ...filter, after, limit, order } })).rows;
}

/**
 * The request log's page, newest first: the wallet's recent records and, once a page reaches past
 * them (fewer than `limit` left, or older than the recent window), the archive's (src/usage/archived.ts),
 * merged by (time, id) so the keyset cursor stays exact across the two tiers.
 */
export async function usageListPage(env: Env, f: UsageFilter, after: Position | null, limit: number): Promise<UsageRecord[]> {
  const recent = await usagePage(env, f, after, limit, "desc");
  const last = recent.at(-1);
  if (recent.length === limit && last && last.createdAt >= Date.now() - usagePlaneConfig(env).recentMs) return recent;
  return mergeNewestFirst(recent, await archivedNewestFirst(env, f, after, limit), limit);
}

const HOUR_MS = 3_600_000;
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);
const BUCKETS = {
  day: { sql: "strftime('%Y-%m-%d', hour / 1000, 'unixepoch')", of: (r: PlaneRecord) => dayOf(r.createdAt) },
  model: { sql: "model", of: (r: PlaneRecord) => r.model },
  key: { sql: "key_id", of: (r: PlaneRecord) => r.keyId },
};
export type GroupBy = keyof typeof BUCKETS;

export interface UsageSums { bucket: string; requests: number; promptTokens: number; completionTokens: number; costNano: number }

/**
 * Sums per day (UTC), model or key: the hourly rollups, plus the wallet's records the usage
 * consumer has not applied yet (read after one consistent D1 read of the rollups and the cursor),
 * so the sums are current and count every record once. The range counts whole hours: a rollup hour
 * h is in it when floor(from to the hour) ≤ h < to. Token and nUSD sums are exact integers.
 */
export async function usageAggregate(env: Env, f: { userId: string; from?: number; to?: number }, groupBy: GroupBy): Promise<UsageSums[]> {
  const lo = f.from === undefined ? 0 : Math.floor(f.from / HOUR_MS) * HOUR_MS;
  const hi = f.to ?? Number.MAX_SAFE_INTEGER;
  const [cursor, rows] = await env.DB.batch<Record<string, number | string>>([
    env.DB.prepare("SELECT last_batch AS b FROM usage_cursors WHERE user_id = ?").bind(f.userId),
    env.DB.prepare(`SELECT ${BUCKETS[groupBy].sql} AS bucket, sum(requests) AS requests, sum(prompt_tokens) AS promptTokens,
      sum(completion_tokens) AS completionTokens, sum(cost_nano) AS costNano FROM usage_rollups
      WHERE user_id = ? AND hour >= ? AND hour < ? GROUP BY bucket`).bind(f.userId, lo, hi),
  ]);
  const sums = new Map<string, UsageSums>();
  for (const r of rows!.results as unknown as UsageSums[]) sums.set(r.bucket, { ...r });
  const tail = await readWallet(env, f.userId, { kind: "unapplied", afterBatch: Number(cursor!.results[0]?.b ?? 0) });
  for (const r of tail.rows) {
    const hour = Math.floor(r.createdAt / HOUR_MS) * HOUR_MS;
    if (hour < lo || hour >= hi) continue;
    const bucket = BUCKETS[groupBy].of(r);
    const s = sums.get(bucket) ?? { bucket, requests: 0, promptTokens: 0, completionTokens: 0, costNano: 0 };
    const [requests, prompt, completion, , , cost] = contribution(r);
    s.requests += requests!; s.promptTokens += prompt!; s.completionTokens += completion!; s.costNano += cost!;
    sums.set(bucket, s);
  }
  return [...sums.values()].sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0));
}

/** Spend (nUSD) today and this month, and today's request count, by UTC calendar (rollups + records not applied yet). */
export async function recentSpend(env: Env, userId: string, now: number) {
  const days = await usageAggregate(env, { userId, from: periodStart("monthly", now) }, "day");
  const today = days.find((d) => d.bucket === dayOf(periodStart("daily", now)));
  return { todayNano: today?.costNano ?? 0, monthNano: days.reduce((a, d) => a + d.costNano, 0), requestsToday: today?.requests ?? 0 };
}
