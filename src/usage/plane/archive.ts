import { sha256Hex } from "../../lib/api-key";
import type { PlaneRecord } from "../../db/usage-batch";
import { keyRef, type Pseudonym } from "./pseudonyms";

/** The archive's partition of a record: its UTC day (of created_at, as the request log shows it). */
export const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

export const archivePrefix = (day: string) => `usage/dt=${day}/`;
/** One user's part of a day: usage/dt=YYYY-MM-DD/p=<pseudonym>/, so their export reads only their own objects. */
export const archiveUserPrefix = (day: string, pseudonym: string) => `${archivePrefix(day)}p=${pseudonym}/`;

/** One archived usage record (a line of NDJSON): every field of the request log, no user id, no key id. */
export interface ArchiveLine {
  request_id: string; created_at: number; charged_at: number; pseudonym: string; key_ref: string;
  model: string; provider: string; endpoint: string; stream: boolean;
  prompt_tokens: number; completion_tokens: number; cached_tokens: number; reasoning_tokens: number;
  cost_nano: number; latency_ms: number; status: string; http_status: number; usage_source: string;
  error_code: string | null; attempts: number; route_reason: string | null; replaces_expired: boolean;
}

export async function archiveLine(r: PlaneRecord, p: Pseudonym): Promise<ArchiveLine> {
  return {
    request_id: r.requestId, created_at: r.createdAt, charged_at: r.chargedAt, pseudonym: p.pseudonym, key_ref: await keyRef(p, r.keyId),
    model: r.model, provider: r.provider, endpoint: r.endpoint, stream: Boolean(r.stream),
    prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens, cached_tokens: r.cachedTokens ?? 0, reasoning_tokens: r.reasoningTokens ?? 0,
    cost_nano: r.costNano, latency_ms: r.latencyMs, status: r.status, http_status: r.httpStatus, usage_source: r.usageSource,
    error_code: r.errorCode ?? null, attempts: r.attempts ?? 1, route_reason: r.routeReason ?? null, replaces_expired: r.replacesExpired === true,
  };
}

/**
 * Writes one object per day and pseudonym: usage/dt=YYYY-MM-DD/p=<pseudonym>/<id>.ndjson, id = a
 * hash of the (wallet, batch) pairs of the run, so a redelivered consumer batch overwrites its own
 * objects. (A batch redelivered in a different grouping after its D1 write failed can leave its
 * lines in two objects; readers keep one line per (request_id, replaces_expired), docs/capacity.md.)
 * Days first, so the lifecycle deletes the oldest prefix; the pseudonym next, so one user's export
 * lists only their own objects. Returns bytes written.
 */
export async function writeArchive(bucket: R2Bucket, batchIds: string[], lines: ArchiveLine[]): Promise<number> {
  const byPart = new Map<string, string[]>();
  for (const l of lines) {
    const prefix = archiveUserPrefix(dayOf(l.created_at), l.pseudonym);
    const list = byPart.get(prefix) ?? [];
    list.push(JSON.stringify(l));
    byPart.set(prefix, list);
  }
  const id = (await sha256Hex([...batchIds].sort().join("\n"))).slice(0, 32);
  let bytes = 0;
  await Promise.all([...byPart].map(([prefix, list]) => {
    const body = `${list.join("\n")}\n`;
    bytes += new TextEncoder().encode(body).byteLength;
    return bucket.put(`${prefix}${id}.ndjson`, body, { httpMetadata: { contentType: "application/x-ndjson" } });
  }));
  return bytes;
}

/** Reads every line under `prefix`, one per (request_id, replaces_expired). */
async function readLines(bucket: R2Bucket, prefix: string): Promise<ArchiveLine[]> {
  const seen = new Map<string, ArchiveLine>();
  let cursor: string | undefined;
  do {
    const list = await bucket.list({ prefix, cursor });
    for (const o of list.objects) {
      const body = await (await bucket.get(o.key))?.text();
      for (const line of body?.split("\n") ?? []) {
        if (!line) continue;
        const l = JSON.parse(line) as ArchiveLine;
        seen.set(`${l.request_id}/${l.replaces_expired}`, l);
      }
    }
    cursor = list.truncated ? list.cursor : undefined;
  } while (cursor);
  return [...seen.values()];
}

/**
 * One user's archived records of a day as the request log shows them: the newest record of each
 * request (a late settlement's record replaces its "expired" one), oldest first.
 */
export async function readUserArchiveDay(bucket: R2Bucket, day: string, pseudonym: string): Promise<ArchiveLine[]> {
  const newest = new Map<string, ArchiveLine>();
  for (const l of await readLines(bucket, archiveUserPrefix(day, pseudonym))) {
    const seen = newest.get(l.request_id);
    if (!seen || l.replaces_expired) newest.set(l.request_id, l);
  }
  return [...newest.values()].sort((a, b) => a.created_at - b.created_at || (a.request_id < b.request_id ? -1 : a.request_id > b.request_id ? 1 : 0));
}

/**
 * The archive's lifecycle (P19), run by the retention cron: deletes up to `max` objects of days
 * before `cutoffDay`. Keys sort by day (usage/dt=YYYY-MM-DD/), so the oldest come first. In
 * production an R2 lifecycle rule on the bucket does the same (docs/capacity.md); this keeps
 * local runs and a bucket without the rule within the period.
 */
export async function pruneArchive(bucket: R2Bucket, cutoffDay: string, max = 1000): Promise<number> {
  const list = await bucket.list({ prefix: "usage/dt=", limit: max });
  const old = list.objects.map((o) => o.key).filter((k) => k.slice("usage/dt=".length, "usage/dt=".length + 10) < cutoffDay);
  if (old.length > 0) await bucket.delete(old);
  return old.length;
}
