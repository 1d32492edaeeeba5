/**
 * A circuit breaker for one provider channel: a pure state machine over a sliding window of
 * recent outcomes. No I/O and no clock: every function takes `now` (ms since the epoch) and
 * returns a new state; inputs are never mutated. The state is plain JSON (see `parseState`).
 *
 * Outcomes (classified by the caller):
 * - "success": the upstream answered (first byte arrived; a 4xx caused by the client's own
 *   request also shows the upstream is serving).
 * - "failure": 5xx, connection failure, or timeout before the first byte.
 * - "rate_limited": 429.
 *
 * Rules:
 * - closed → open when, within the last WINDOW_MS, at least MIN_REQUESTS successes + failures
 *   were recorded and failures / (successes + failures) ≥ FAILURE_RATE. A single blip never
 *   opens the breaker; a sustained failure rate does. The window is kept as BUCKET_MS buckets,
 *   so it spans between WINDOW_MS − BUCKET_MS and WINDOW_MS; an outcome never counts for
 *   longer than WINDOW_MS.
 * - A 429 means "slow down", not "disable": rate_limited never counts toward opening (it is
 *   not in the window at all). It sets `coolDownUntil` to now + Retry-After (if the upstream
 *   gave one, capped at MAX_COOL_DOWN_MS) or now + DEFAULT_COOL_DOWN_MS. While cooling down
 *   the channel is still allowed, only deprioritised (callers try other channels first).
 *   Overlapping cool-downs keep the later end, so the order 429s arrive in does not matter.
 * - open: every check is refused until `openUntil`; then the breaker is half_open. The open
 *   period is OPEN_MS on the first trip and doubles on each re-open from half_open (OPEN_MS,
 *   2×, 4×, …) up to MAX_OPEN_MS; it resets to OPEN_MS once a probe succeeds. Successes and
 *   failures reported while open are ignored (they come from requests started before the
 *   trip, or forced through because every channel was open): only a probe decides recovery.
 * - half_open: at most MAX_PROBES probes in flight. `check` takes a probe lease, which
 *   expires PROBE_TIMEOUT_MS later so a lost probe (its report never arrived) cannot wedge the
 *   breaker. A success → closed with an empty window; a failure → open again for the next,
 *   longer period; a 429 releases the lease, stays half_open and starts a cool-down.
 */

export const WINDOW_MS = 60_000;
export const BUCKET_MS = 5_000;
export const MIN_REQUESTS = 5;
export const FAILURE_RATE = 0.5;
export const OPEN_MS = 30_000;
export const MAX_OPEN_MS = 300_000;
export const MAX_PROBES = 1;
/** Longer than the default upstream first-byte timeout (60 s), so a live probe reports before its lease lapses. */
export const PROBE_TIMEOUT_MS = 65_000;
export const DEFAULT_COOL_DOWN_MS = 5_000;
export const MAX_COOL_DOWN_MS = 300_000;

export type Outcome = "success" | "failure" | "rate_limited";
export const OUTCOMES: readonly Outcome[] = ["success", "failure", "rate_limited"];
export type BreakerStatus = "closed" | "open" | "half_open";

/** One window bucket: [start ms (a multiple of BUCKET_MS), successes, failures]. */
export type Bucket = [start: number, successes: number, failures: number];

export interface BreakerState {
  v: 1;
  status: BreakerStatus;
  /** Recent successes and failures, oldest first (only used while closed). */
  buckets: Bucket[];
  /** While open: when it becomes half_open. */
  openUntil: number;
  /** Consecutive trips without a recovery (1 after the first trip); sets the open period. */
  trips: number;
  /** Expiry times of the probe leases in flight (half_open only). */
  probes: number[];
  /** Deprioritised (not disabled) until this time, after a 429. */
  coolDownUntil: number;
}

export interface CheckResult {
  /** True when closed, or half_open with a free probe slot (which `check` takes). */
  allow: boolean;
  state: BreakerStatus;
  coolingDown: boolean;
  /** When the channel is expected to be fully usable again: end of the open period, of the probe lease in the way, or of the cool-down. */
  retryAt?: number;
  /** The state to store; the same object when nothing changed. */
  next: BreakerState;
}

export function initialState(): BreakerState {
  return { v: 1, status: "closed", buckets: [], openUntil: 0, trips: 0, probes: [], coolDownUntil: 0 };
}

const finite = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

/** Reads a stored state back; anything unreadable or from another version becomes the initial state. */
export function parseState(json: string | null | undefined): BreakerState {
  if (!json) return initialState();
  try {
    const s = JSON.parse(json) as Partial<BreakerState>;
    const statusOk = s.status === "closed" || s.status === "open" || s.status === "half_open";
    const bucketsOk = Array.isArray(s.buckets) && s.buckets.every((b) => Array.isArray(b) && b.length === 3 && b.every(finite));
    const probesOk = Array.isArray(s.probes) && s.probes.every(finite);
    if (s.v !== 1 || !statusOk || !bucketsOk || !probesOk || !finite(s.openUntil) || !finite(s.trips) || !finite(s.coolDownUntil)) return initialState();
    return s as BreakerState;
  } catch {
    return initialState();
  }
}

/** The open period after `trips` consecutive trips: OPEN_MS doubling per re-open, capped. */
export function openPeriod(trips: number): number {
  return Math.min(OPEN_MS * 2 ** Math.max(0, trips - 1), MAX_OPEN_MS);
}

/** The window's buckets at `now` (those that started within the last WINDOW_MS). */
function live(buckets: Bucket[], now: number): Bucket[] {
  return buckets.filter(([start]) => start > now - WINDOW_MS && start <= now);
}

/** Successes and failures recorded in the window at `now`. */
export function windowCounts(state: BreakerState, now: number): { successes: number; failures: number } {
  let successes = 0;
  let failures = 0;
  for (const [, ok, fail] of live(state.buckets, now)) {
    successes += ok;
    failures += fail;
  }
  return { successes, failures };
}

/** Lazily applies the passage of time: open → half_open after openUntil, expired probe leases dropped. */
function advance(state: BreakerState, now: number): BreakerState {
  let s = state;
  if (s.status === "open" && now >= s.openUntil) s = { ...s, status: "half_open", probes: [] };
  if (s.status === "half_open" && s.probes.some((until) => until <= now)) s = { ...s, probes: s.probes.filter((until) => until > now) };
  return s;
}

function tripped(state: BreakerState, now: number, trips: number): BreakerState {
  return { ...state, status: "open", buckets: [], openUntil: now + openPeriod(trips), trips, probes: [] };
}

function view(s: BreakerState, now: number, allow: boolean): Omit<CheckResult, "next"> {
  const coolingDown = now < s.coolDownUntil;
  let retryAt: number | undefined;
  if (s.status === "open") retryAt = s.openUntil;
  else if (s.status === "half_open" && !allow) retryAt = Math.min(...s.probes);
  if (coolingDown) retryAt = Math.max(retryAt ?? 0, s.coolDownUntil);
  return retryAt === undefined ? { allow, state: s.status, coolingDown } : { allow, state: s.status, coolingDown, retryAt };
}

/**
 * Asks whether a request may use the channel now. Closed: allowed (even while cooling down —
 * the caller only deprioritises). Open: refused. Half_open: allowed if a probe slot is free,
 * and the slot is taken (store `next`); refused otherwise.
 */
export function check(state: BreakerState, now: number): CheckResult {
  const s = advance(state, now);
  if (s.status === "closed") return { ...view(s, now, true), next: s };
  if (s.status === "half_open" && s.probes.length < MAX_PROBES) {
    const next = { ...s, probes: [...s.probes, now + PROBE_TIMEOUT_MS] };
    return { ...view(next, now, true), next };
  }
  return { ...view(s, now, false), next: s };
}

/** What `check` would answer at `now`, without taking a probe slot. */
export function peek(state: BreakerState, now: number): Omit<CheckResult, "next"> {
  const s = advance(state, now);
  return view(s, now, s.status === "closed" || (s.status === "half_open" && s.probes.length < MAX_PROBES));
}

/** The cool-down end after a 429 at `now` with the upstream's Retry-After (seconds), if any. */
export function coolDownEnd(now: number, retryAfterSeconds?: number): number {
  const ms = finite(retryAfterSeconds) && retryAfterSeconds >= 0 ? Math.min(retryAfterSeconds * 1000, MAX_COOL_DOWN_MS) : DEFAULT_COOL_DOWN_MS;
  return now + ms;
}

/** Records the outcome of a request that used the channel; returns the new state. */
export function record(state: BreakerState, outcome: Outcome, now: number, retryAfterSeconds?: number): BreakerState {
  const s = advance(state, now);
  if (outcome === "rate_limited") {
    const coolDownUntil = Math.max(s.coolDownUntil, coolDownEnd(now, retryAfterSeconds));
    // A probe that met a 429 proves nothing either way: free its slot for a later probe.
    return s.status === "half_open" ? { ...s, coolDownUntil, probes: s.probes.slice(1) } : { ...s, coolDownUntil };
  }
  switch (s.status) {
    case "open":
      return s;
    case "half_open":
      return outcome === "success" ? { ...s, status: "closed", buckets: [], openUntil: 0, trips: 0, probes: [] } : tripped(s, now, s.trips + 1);
    case "closed": {
      const start = Math.floor(now / BUCKET_MS) * BUCKET_MS;
      const buckets = live(s.buckets, now);
      const i = buckets.findIndex(([t]) => t === start);
      const old: Bucket = i >= 0 ? buckets[i]! : [start, 0, 0];
      const bucket: Bucket = outcome === "success" ? [start, old[1] + 1, old[2]] : [start, old[1], old[2] + 1];
      if (i >= 0) buckets[i] = bucket;
      else buckets.push(bucket);
      buckets.sort((a, b) => a[0] - b[0]);
      const next = { ...s, buckets };
      const { successes, failures } = windowCounts(next, now);
      const total = successes + failures;
      return total >= MIN_REQUESTS && failures / total >= FAILURE_RATE ? tripped(next, now, 1) : next;
    }
  }
}
