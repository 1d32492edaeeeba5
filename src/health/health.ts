import type { Channel } from "../catalog/catalog";
import type { Env } from "../env";
import type { Outcome } from "./breaker";
import type { HealthView } from "./health-do";

export type { Outcome } from "./breaker";
export type { HealthView } from "./health-do";

/** The view used when the health object cannot be reached: health must never break requests. */
export const HEALTHY: Readonly<HealthView> = Object.freeze({ state: "closed", allow: true, coolingDown: false });

/** How long the request path waits for the health object before assuming the channel is healthy. */
export const HEALTH_TIMEOUT_MS = 500;

export interface ChannelHealth {
  /**
   * Right before using the channel. In half_open, `allow: true` means this request holds the
   * one probe slot (for PROBE_TIMEOUT_MS): so call it only when about to try the channel.
   * Never throws; on any trouble, the channel is healthy.
   */
  check(): Promise<HealthView>;
  /** The view without side effects (no probe slot taken): for ordering channels. Never throws. */
  peek(): Promise<HealthView>;
  /** After using it. Never throws; on any trouble, returns HEALTHY. Pass 429's Retry-After in seconds. */
  report(outcome: Outcome, retryAfterSeconds?: number): Promise<HealthView>;
}

export interface ChannelHealthOptions {
  /** A controllable clock (tests). Unset: the health object's own clock, shared by all callers. */
  now?: () => number;
  timeoutMs?: number;
}

async function guarded(channelId: string, what: string, call: () => Promise<HealthView>, timeoutMs: number): Promise<HealthView> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<HealthView>((resolve) => {
      timer = setTimeout(() => {
        console.warn(`channel health ${what} for ${channelId}: no answer in ${timeoutMs} ms, assuming healthy`);
        resolve(HEALTHY);
      }, timeoutMs);
    });
    return await Promise.race([call(), timeout]);
  } catch (err) {
    console.warn(`channel health ${what} for ${channelId} failed, assuming healthy: ${err instanceof Error ? err.message : String(err)}`);
    return HEALTHY;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** The shared health of one channel (its ChannelHealthDO), for the request path. */
export function channelHealth(env: Env, channelId: string, options: ChannelHealthOptions = {}): ChannelHealth {
  const timeoutMs = options.timeoutMs ?? HEALTH_TIMEOUT_MS;
  const stub = () => env.HEALTH.get(env.HEALTH.idFromName(channelId));
  return {
    check: () => guarded(channelId, "check", async () => stub().check(options.now?.()), timeoutMs),
    peek: () => guarded(channelId, "peek", async () => stub().peek(options.now?.()), timeoutMs),
    report: (outcome, retryAfterSeconds) =>
      guarded(channelId, "report", async () => stub().report(outcome, options.now?.(), retryAfterSeconds), timeoutMs),
  };
}

/**
 * Reads a Retry-After header (seconds or an HTTP date) as seconds from `now`; undefined when
 * absent or unreadable (the breaker then uses its default cool-down).
 */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  if (!/[a-z]/i.test(text)) return undefined; // not an HTTP date either (e.g. "-5")
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}

export interface OrderOptions {
  /**
   * Try a half_open channel with a free probe slot at its priority position among the healthy
   * ones instead of after the cooling-down ones. Default false. With false, a half_open channel
   * is only probed when every healthy and cooling channel failed for the request, so while its
   * alternatives are healthy it may stay half_open (demoted) indefinitely.
   */
  probesInPlace?: boolean;
}

/** 0: healthy, 1: cooling down, 2: half_open with a probe slot, 3: refused (open, or half_open with its probe taken). */
function tier(view: HealthView | undefined, probesInPlace: boolean): number {
  const v = view ?? HEALTHY;
  if (!v.allow) return 3;
  if (v.state === "half_open") return probesInPlace ? 0 : 2;
  return v.coolingDown ? 1 : 0;
}

/**
 * The order to try `channels` (given in priority order) in, from their health views (same
 * index; a missing view counts as healthy): healthy channels first, then those cooling down
 * after a 429, then half_open ones with a probe slot (free, per `peek`; or taken for this
 * request, per `check`), and refused ones (open, or half_open with the probe busy) last. The
 * order within a tier is the given priority order. Nothing is dropped: when every channel is
 * open, all are still returned, so the request is tried rather than refused.
 */
export function orderChannels<C extends Channel>(channels: readonly C[], views: readonly (HealthView | undefined)[], options: OrderOptions = {}): C[] {
  return channels
    .map((channel, i) => ({ channel, i, tier: tier(views[i], options.probesInPlace ?? false) }))
    .sort((a, b) => a.tier - b.tier || a.i - b.i)
    .map((x) => x.channel);
}
