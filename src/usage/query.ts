import { and, asc, count, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import { periodStart } from "../account/periods";
import type { Db } from "../db/client";
import { usageLogs } from "../db/schema";
import { afterPosition, type Position } from "./keyset";

export type UsageRecord = typeof usageLogs.$inferSelect;

/** Filters of the usage list, aggregates and export. `userId` always comes from the session. */
export interface UsageFilter {
  userId: string;
  from?: number;
  to?: number;
  model?: string;
  keyId?: string;
  status?: string;
}

function conditions(f: UsageFilter): SQL[] {
  const c: SQL[] = [eq(usageLogs.userId, f.userId)];
  if (f.from !== undefined) c.push(gte(usageLogs.createdAt, f.from));
  if (f.to !== undefined) c.push(lt(usageLogs.createdAt, f.to));
  if (f.model !== undefined) c.push(eq(usageLogs.model, f.model));
  if (f.keyId !== undefined) c.push(eq(usageLogs.keyId, f.keyId));
  if (f.status !== undefined) c.push(eq(usageLogs.status, f.status));
  return c;
}

export const usagePosition = (r: UsageRecord): Position => ({ t: r.createdAt, id: r.requestId });

/** Up to `limit` records after `after`, newest first ("desc", the list) or oldest first ("asc", the export). */
export function usagePage(db: Db, f: UsageFilter, after: Position | null, limit: number, order: "asc" | "desc"): Promise<UsageRecord[]> {
  const where = conditions(f);
  if (after) where.push(afterPosition(usageLogs.createdAt, usageLogs.requestId, after, order));
  const by = order === "desc" ? desc : asc;
  return db.select().from(usageLogs).where(and(...where)).orderBy(by(usageLogs.createdAt), by(usageLogs.requestId)).limit(limit).all();
}

const BUCKETS = {
  day: sql<string>`strftime('%Y-%m-%d', ${usageLogs.createdAt} / 1000, 'unixepoch')`,
  model: sql<string>`${usageLogs.model}`,
  key: sql<string>`${usageLogs.keyId}`,
};
export type GroupBy = keyof typeof BUCKETS;

/** Sums per day (UTC), model or key, in SQL; token and nUSD sums are exact integers. */
export function usageAggregate(db: Db, f: UsageFilter, groupBy: GroupBy) {
  const bucket = BUCKETS[groupBy];
  return db.select({
    bucket,
    requests: count(),
    promptTokens: sql<number>`coalesce(sum(${usageLogs.promptTokens}), 0)`,
    completionTokens: sql<number>`coalesce(sum(${usageLogs.completionTokens}), 0)`,
    costNano: sql<number>`coalesce(sum(${usageLogs.costNano}), 0)`,
  }).from(usageLogs).where(and(...conditions(f))).groupBy(bucket).orderBy(bucket).all();
}

/** Spend (nUSD) today and this month, and today's request count, by UTC calendar. */
export async function recentSpend(db: Db, userId: string, now: number) {
  const day = periodStart("daily", now);
  const month = periodStart("monthly", now);
  const row = await db.select({
    today: sql<number>`coalesce(sum(CASE WHEN ${usageLogs.createdAt} >= ${day} THEN ${usageLogs.costNano} END), 0)`,
    month: sql<number>`coalesce(sum(${usageLogs.costNano}), 0)`,
    requestsToday: sql<number>`count(CASE WHEN ${usageLogs.createdAt} >= ${day} THEN 1 END)`,
  }).from(usageLogs).where(and(eq(usageLogs.userId, userId), gte(usageLogs.createdAt, month))).get();
  return { todayNano: row?.today ?? 0, monthNano: row?.month ?? 0, requestsToday: row?.requestsToday ?? 0 };
}
