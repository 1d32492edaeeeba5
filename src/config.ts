import type { Env } from "./env";
import type { Nano } from "./lib/money";
import { settings } from "./lib/settings";

/** The settings a wallet's Durable Object applies to admission (sent with each call). */
export interface AdmitSettings {
  defaultAllowance: number;
  reservationTtlMs: number;
  defaultRpm: number;
  defaultTpm: number;
  /** OVERDRAFT_LIMIT_USD in nUSD: the most all of a wallet's in-flight requests together may be charged beyond their reservations (default 0). */
  overdraftNano?: Nano;
}

/** The gateway's settings (src/lib/settings.ts; every one has a documented default, README "Settings"). */
export interface GatewayConfig extends AdmitSettings {
  maxBodyBytes: number;
  upstreamTimeoutMs: number;
  /** All upstream attempts of one request (fallbacks included) must have started answering by then. */
  requestDeadlineMs: number;
  overdraftNano: Nano;
  demoProvider: boolean;
  /** BYOK_FEE_BPS: what a request served with the wallet's own provider key is charged, in basis points of its catalog price (default 500 = 5 %; 0 = free). */
  byokFeeBps: number;
}

/**
 * The settings of one env object, read once: a Worker's env is fixed for the life of its isolate
 * (a changed var or secret is a new deployment), and reading its vars on every request showed in
 * the V8 profile. Frozen, since every request shares it.
 */
const configs = new WeakMap<Env, Readonly<GatewayConfig>>();

export function config(env: Env): GatewayConfig {
  let cfg = configs.get(env);
  if (!cfg) configs.set(env, (cfg = Object.freeze(readConfig(env))));
  return cfg;
}

function readConfig(env: Env): GatewayConfig {
  const s = settings(env);
  return {
    maxBodyBytes: s.MAX_BODY_BYTES,
    upstreamTimeoutMs: s.UPSTREAM_TIMEOUT_MS,
    requestDeadlineMs: s.REQUEST_DEADLINE_MS,
    reservationTtlMs: s.RESERVATION_TTL_SECONDS * 1000,
    overdraftNano: s.OVERDRAFT_LIMIT_USD,
    defaultAllowance: s.DEFAULT_OUTPUT_ALLOWANCE,
    defaultRpm: s.DEFAULT_KEY_RPM,
    defaultTpm: s.DEFAULT_KEY_TPM,
    demoProvider: s.DEMO_PROVIDER,
    byokFeeBps: Math.min(10_000, s.BYOK_FEE_BPS),
  };
}

const DAY_MS = 24 * 3600_000;

/** The usage data plane (docs/capacity.md). */
export interface UsagePlaneConfig {
  /** USAGE_RECENT_DAYS (default 30): how long a wallet's Durable Object keeps raw usage records. */
  recentMs: number;
  /**
   * USAGE_D1_MIRROR (default "off"): "on" also copies each usage record to D1 usage_logs and each
   * usage charge to D1 transactions, one row each per request, as before the data plane. No reader
   * needs the copies (docs/capacity.md, "Who reads what"); "on" is for ad-hoc SQL over raw records
   * in D1 during a migration, at 2 D1 rows per request.
   */
  d1Mirror: boolean;
}

export function usagePlaneConfig(env: Env): UsagePlaneConfig {
  const s = settings(env);
  return { recentMs: s.USAGE_RECENT_DAYS * DAY_MS, d1Mirror: s.USAGE_D1_MIRROR };
}

/** BYOK_SECRET (32+ characters): the key-encryption secret of stored provider keys; null = BYOK off. */
export function byokSecret(env: Env): string | null {
  return env.BYOK_SECRET && env.BYOK_SECRET.length >= 32 ? env.BYOK_SECRET : null;
}
