import { accountStub, readWallet } from "../account/client";
import { retentionPeriods } from "../lib/retention-floors";
import type { Env } from "../env";
import { dayOf, readUserArchiveDay, type ArchiveLine } from "./plane/archive";
import { keyRef, pseudonymOf } from "./plane/pseudonyms";
import type { UsageFilter, UsageRecord } from "./query";

const DAY_MS = 86_400_000;

/** Reads one user's archived records in order, a day at a time: `take(n)` gives the next n (fewer when done). */
export interface ArchiveCursor { take(n: number): Promise<UsageRecord[]> }

const EMPTY: ArchiveCursor = { take: async () => [] };

/**
 * The user's usage records older than their wallet's recent tier (docs/capacity.md, "Who reads
 * what"), for the export: the archive's days from the usage retention's start (or `from`) up to the
 * day before the tier's edge, read under the user's own prefix (usage/dt=…/p=<pseudonym>/). Records
 * created before the edge that the wallet still holds (sent late) are left to the wallet's part,
 * so each record is listed once. Keys appear by id, as in the recent records.
 */
export async function archivedUsage(env: Env, f: UsageFilter, now = Date.now()): Promise<ArchiveCursor> {
  const edge = await readWallet(env, f.userId, { kind: "archived" });
  const pseudonym = edge.prunedBefore > 0 ? await pseudonymOf(env.DB, f.userId) : null;
  if (!pseudonym) return EMPTY;
  const start = Math.max(f.from ?? 0, now - retentionPeriods(env).usageMs);
  const end = Math.min(f.to ?? Infinity, edge.prunedBefore);
  if (start >= end) return EMPTY;
  const refs = new Map(await Promise.all((await accountStub(env, f.userId).listKeys()).map(async (k) => [await keyRef(pseudonym, k.id), k.id] as const)));
  const keyRefFilter = f.keyId !== undefined ? await keyRef(pseudonym, f.keyId) : undefined;
  const skip = new Set(edge.stillHere);
  const wanted = (l: ArchiveLine) => l.created_at >= start && l.created_at < end && !skip.has(l.request_id)
    && (f.model === undefined || l.model === f.model) && (f.status === undefined || l.status === f.status)
    && (keyRefFilter === undefined || l.key_ref === keyRefFilter);
  let day = Date.parse(`${dayOf(start)}T00:00:00Z`);
  let buffer: UsageRecord[] = [];
  return {
    async take(n) {
      while (buffer.length < n && day < end) {
        const lines = await readUserArchiveDay(env.USAGE_ARCHIVE, dayOf(day), pseudonym.pseudonym);
        buffer.push(...lines.filter(wanted).map((l) => toRecord(l, refs.get(l.key_ref) ?? "unknown")));
        day += DAY_MS;
      }
      const out = buffer.slice(0, n);
      buffer = buffer.slice(n);
      return out;
    },
  };
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
