import { accountStub, readWallet } from "../account/client";
import type { Env } from "../env";
import { retentionPeriods } from "../lib/retention-floors";
import type { Position } from "./keyset";
import { dayOf, readUserArchiveDay, type ArchiveLine } from "./plane/archive";
import { keyRef, pseudonymOf } from "./plane/pseudonyms";
import type { UsageFilter, UsageRecord } from "./query";

/**
 * The user's usage records older than their wallet's recent tier (docs/capacity.md, "Who reads
 * what"), read from the archive under the user's own prefix (usage/dt=…/p=<pseudonym>/), only on the
 * days the wallet listed as archived, from the usage retention's start (or `from`) up to the
 * tier's edge. Records created before the edge that the wallet still holds (sent late) are left
 * to the wallet's part, so each record is listed once. Keys appear by id, as in the recent records.
 */
interface Archived {
  /** The days to read, oldest first. */
  days: string[];
  read(day: string): Promise<UsageRecord[]>;
}

async function archived(env: Env, f: UsageFilter, now: number): Promise<Archived | null> {
  const edge = await readWallet(env, f.userId, { kind: "archived" });
  const pseudonym = edge.days.length > 0 ? await pseudonymOf(env.DB, f.userId) : null;
  if (!pseudonym) return null;
  const start = Math.max(f.from ?? 0, now - retentionPeriods(env).usageMs);
  const end = Math.min(f.to ?? Infinity, edge.prunedBefore);
  if (start >= end) return null;
  const refs = new Map(await Promise.all((await accountStub(env, f.userId).listKeys()).map(async (k) => [await keyRef(pseudonym, k.id), k.id] as const)));
  const keyRefFilter = f.keyId !== undefined ? await keyRef(pseudonym, f.keyId) : undefined;
  const skip = new Set(edge.stillHere);
  const wanted = (l: ArchiveLine) => l.created_at >= start && l.created_at < end && !skip.has(l.request_id)
    && (f.model === undefined || l.model === f.model) && (f.status === undefined || l.status === f.status)
    && (keyRefFilter === undefined || l.key_ref === keyRefFilter);
  const [first, last] = [dayOf(start), dayOf(Math.min(end, now) - 1)];
  return {
    days: edge.days.filter((d) => d >= first && d <= last),
    read: async (day) => (await readUserArchiveDay(env.USAGE_ARCHIVE, day, pseudonym.pseudonym)).filter(wanted).map((l) => toRecord(l, refs.get(l.key_ref) ?? "unknown")),
  };
}

/** Reads one user's archived records in order, a day at a time: `take(n)` gives the next n (fewer when done). */
export interface ArchiveCursor { take(n: number): Promise<UsageRecord[]> }

/** The archived records oldest first, for the export (src/usage/sources.ts). */
export async function archivedUsage(env: Env, f: UsageFilter, now = Date.now()): Promise<ArchiveCursor> {
  const a = await archived(env, f, now);
  const days = [...(a?.days ?? [])];
  let buffer: UsageRecord[] = [];
  return {
    async take(n) {
      while (buffer.length < n && a && days.length > 0) buffer.push(...(await a.read(days.shift()!)));
      const out = buffer.slice(0, n);
      buffer = buffer.slice(n);
      return out;
    },
  };
}

const older = (r: UsageRecord, p: Position) => r.createdAt < p.t || (r.createdAt === p.t && r.requestId < p.id);
const newestFirst = (a: UsageRecord, b: UsageRecord) => b.createdAt - a.createdAt || (a.requestId < b.requestId ? 1 : a.requestId > b.requestId ? -1 : 0);

/** Up to `limit` archived records older than `after`, newest first, for the request log (src/usage/query.ts). */
export async function archivedNewestFirst(env: Env, f: UsageFilter, after: Position | null, limit: number, now = Date.now()): Promise<UsageRecord[]> {
  const a = await archived(env, f, now);
  if (!a) return [];
  const out: UsageRecord[] = [];
  for (const day of [...a.days].reverse()) {
    if (after && day > dayOf(after.t)) continue;
    // A day's records come oldest first by (time, id): newest first is their reverse.
    out.push(...(await a.read(day)).filter((r) => !after || older(r, after)).reverse());
    if (out.length >= limit) break;
  }
  return out.slice(0, limit);
}

/** Merges two newest-first pages into one of at most `limit` (a record of the wallet's tier and one of the archive never share an id). */
export function mergeNewestFirst(a: UsageRecord[], b: UsageRecord[], limit: number): UsageRecord[] {
  return [...a, ...b].sort(newestFirst).slice(0, limit);
}

function toRecord(l: ArchiveLine, keyId: string): UsageRecord {
  return {
    requestId: l.request_id, keyId, model: l.model, provider: l.provider, endpoint: l.endpoint, stream: l.stream,
    promptTokens: l.prompt_tokens, completionTokens: l.completion_tokens, cachedTokens: l.cached_tokens, reasoningTokens: l.reasoning_tokens,
    costNano: l.cost_nano, latencyMs: l.latency_ms, status: l.status, httpStatus: l.http_status, usageSource: l.usage_source,
    errorCode: l.error_code, attempts: l.attempts, routeReason: l.route_reason, createdAt: l.created_at, chargedAt: l.charged_at,
    ...(l.replaces_expired ? { replacesExpired: true } : {}),
  };
}
