import type { Catalog, CatalogModel } from "../catalog/catalog";
import type { Env } from "../env";

/** Measured performance of one model over the window, from usage records (never content). */
export interface ModelStats {
  requests: number;
  /** Requests that failed on the provider's side: status upstream_error or stream_error. */
  failures: number;
  /** Median total latency (ms) of successful requests; null without any. */
  p50LatencyMs: number | null;
  /** Output tokens per second of successful requests (sum of completion tokens / sum of latency). */
  outputTokensPerSecond: number | null;
}

export type StatsByModel = ReadonlyMap<string, ModelStats>;

/** How far back the measurements reach. */
export const STATS_WINDOW_MS = 7 * 86_400_000;
/** A list is reordered by score only once some model on it has at least this many measured requests. */
export const MIN_MEASURED_REQUESTS = 10;

/**
 * THE reader of measured performance: per model, requests, provider failures, p50 latency and
 * output speed since `since`, over every endpoint but embeddings, from the hourly usage rollups
 * (one row per user × key × model × hour; never a scan of per-request records). p50 is the
 * median over successful requests of their rollup cell's mean latency (each cell weighted by its
 * successful requests): the exact median when a model's latency is steady within each hour.
 */
export async function readModelStats(db: D1Database, since: number): Promise<Map<string, ModelStats>> {
  const [totals, medians] = await db.batch([
    db.prepare(
      `SELECT model, sum(measured_requests) AS requests, sum(failures) AS failures, sum(ok_completion_tokens) AS out_tokens, sum(ok_latency_ms) AS out_ms
         FROM usage_rollups WHERE hour >= ?1 GROUP BY model HAVING sum(measured_requests) > 0`,
    ).bind(since),
    db.prepare(
      `SELECT model, min(mean) AS latency_ms FROM (
         SELECT model, ok_latency_ms * 1.0 / ok_requests AS mean,
                sum(ok_requests) OVER (PARTITION BY model ORDER BY ok_latency_ms * 1.0 / ok_requests ROWS UNBOUNDED PRECEDING) AS below,
                sum(ok_requests) OVER (PARTITION BY model) AS n
           FROM usage_rollups WHERE hour >= ?1 AND ok_requests > 0
       ) WHERE below * 2 >= n GROUP BY model`,
    ).bind(since),
  ]);
  const p50 = new Map((medians!.results as Array<{ model: string; latency_ms: number }>).map((r) => [r.model, Math.round(r.latency_ms)]));
  const out = new Map<string, ModelStats>();
  for (const r of totals!.results as Array<{ model: string; requests: number; failures: number; out_tokens: number; out_ms: number }>) {
    out.set(r.model, {
      requests: r.requests, failures: r.failures ?? 0, p50LatencyMs: p50.get(r.model) ?? null,
      outputTokensPerSecond: r.out_ms > 0 ? Math.round((r.out_tokens * 10_000) / r.out_ms) / 10 : null,
    });
  }
  return out;
}

/** The weights of the score (docs/routing.md, "Recommendations and measured performance"). */
export const WEIGHTS = { quality: 0.5, price: 0.2, reliability: 0.2, speed: 0.1 } as const;

export interface Score {
  score: number;
  quality: number;
  price: number;
  reliability: number;
  speed: number;
  stats: ModelStats | null;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
/** Input and output blended 1:3 (a typical chat request writes less than it reads, but output costs more). */
const blended = (m: CatalogModel) => (m.inputPrice + 3 * m.outputPrice) / 4;

/**
 * The score of each listed model (higher is better), each part in [0, 1]:
 * - quality = 1 − (position − 1) / list length: the task's curated list is the quality order;
 * - price = cheapest blended price on the list / this model's blended price;
 * - reliability = (successes + 9.5) / (requests + 10): the success rate, starting from 95% for an
 *   unmeasured model and moving to the measured rate as requests accumulate;
 * - speed = fastest measured p50 on the list / this model's p50; 0.5 when unmeasured.
 * score = 0.5 quality + 0.2 price + 0.2 reliability + 0.1 speed, rounded to 3 decimals.
 */
export function scoreList(ids: readonly string[], catalog: Catalog, stats: StatsByModel): Map<string, Score> {
  const models = ids.map((id) => catalog.models.get(id)).filter((m): m is CatalogModel => !!m);
  const cheapest = Math.min(...models.map(blended));
  const fastest = Math.min(...models.map((m) => stats.get(m.id)?.p50LatencyMs ?? Number.POSITIVE_INFINITY));
  const out = new Map<string, Score>();
  ids.forEach((id, i) => {
    const m = catalog.models.get(id);
    if (!m) return;
    const s = stats.get(id) ?? null;
    const quality = 1 - i / ids.length;
    const price = blended(m) === 0 ? 1 : cheapest / blended(m);
    const reliability = s ? (s.requests - s.failures + 9.5) / (s.requests + 10) : 0.95;
    const speed = s?.p50LatencyMs ? Math.min(1, fastest / s.p50LatencyMs) : 0.5;
    const score = WEIGHTS.quality * quality + WEIGHTS.price * price + WEIGHTS.reliability * reliability + WEIGHTS.speed * speed;
    out.set(id, { score: round(score), quality: round(quality), price: round(price), reliability: round(reliability), speed: round(speed), stats: s });
  });
  return out;
}

/** Whether the list has enough measurements to be reordered by score. */
export function measuredEnough(ids: readonly string[], stats: StatsByModel): boolean {
  return ids.some((id) => (stats.get(id)?.requests ?? 0) >= MIN_MEASURED_REQUESTS);
}

/** The list in score order (ties keep list order), or as it is when it is not measured enough. */
export function rankedIds(ids: readonly string[], catalog: Catalog, stats: StatsByModel | undefined): string[] {
  if (!stats || !measuredEnough(ids, stats)) return [...ids];
  const scores = scoreList(ids, catalog, stats);
  return ids.map((id, i) => ({ id, i, s: scores.get(id)?.score ?? -1 })).sort((a, b) => b.s - a.s || a.i - b.i).map((x) => x.id);
}

/** One line of measured figures and score parts, for `why`. */
export function scoreText(s: Score): string {
  const measured = s.stats
    ? `measured: ${s.stats.requests} requests, ${s.stats.failures} failed, p50 ${s.stats.p50LatencyMs ?? "n/a"} ms, ${s.stats.outputTokensPerSecond ?? "n/a"} output tok/s`
    : "not measured yet";
  return `score ${s.score} (quality ${s.quality}, price ${s.price}, reliability ${s.reliability}, speed ${s.speed}); ${measured}`;
}

let cache: { at: number; since: number; stats: Map<string, ModelStats> } | null = null;
/** How long an isolate reuses the measurements it read. */
export const STATS_CACHE_MS = 60_000;

/** readModelStats over the last STATS_WINDOW_MS, read at most once a minute per isolate. A failed read gives no measurements (list order). */
export async function recentModelStats(env: Pick<Env, "DB">, now = Date.now()): Promise<Map<string, ModelStats>> {
  if (cache && now - cache.at < STATS_CACHE_MS) return cache.stats;
  const stats = await readModelStats(env.DB, now - STATS_WINDOW_MS).catch(() => new Map<string, ModelStats>());
  cache = { at: now, since: now - STATS_WINDOW_MS, stats };
  return stats;
}

/** Forgets the cached measurements (tests, and after seeding usage). */
export function invalidateModelStats(): void {
  cache = null;
}
