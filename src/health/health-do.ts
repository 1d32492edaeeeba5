import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { check, initialState, OUTCOMES, parseState, peek, record, type BreakerState, type BreakerStatus, type Outcome } from "./breaker";

/** What the request path learns about a channel. */
export interface HealthView {
  state: BreakerStatus;
  /** May a request use the channel now? (From `check`: a half_open probe slot was taken for this caller.) */
  allow: boolean;
  /** A recent 429: try other channels first, but this one may still be used. */
  coolingDown: boolean;
  /** When the channel is expected to be fully usable again, if it is not now. */
  retryAt?: number;
}

const SCHEMA = "CREATE TABLE IF NOT EXISTS breaker (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL, updated_at INTEGER NOT NULL)";

/** The clock of a call: the caller's `now` when it is a real time (tests), else this object's clock. */
const clock = (now: unknown): number => (typeof now === "number" && Number.isFinite(now) ? now : Date.now());

/**
 * One per provider channel (addressed by `idFromName(channelId)`), so every edge location
 * shares what the others learn about the channel. Holds the circuit breaker of ./breaker.ts
 * as a single JSON row in SQLite, so it survives eviction, and caches it in memory. Calls are
 * synchronous against SQLite, hence serialised and atomic (a half_open probe slot is taken once).
 *
 * `now` is for tests with a controllable clock; the request path passes nothing, so all
 * callers share this object's clock.
 */
export class ChannelHealthDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private state: BreakerState;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
    const row = this.sql.exec<{ state: string }>("SELECT state FROM breaker WHERE id = 1").toArray()[0];
    this.state = parseState(row?.state);
  }

  private save(next: BreakerState, now: number): void {
    if (next === this.state) return;
    this.sql.exec("INSERT INTO breaker (id, state, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at", JSON.stringify(next), now);
    this.state = next;
  }

  /** Before using the channel: may this request use it? In half_open, `allow: true` takes the probe slot. */
  check(now?: number): HealthView {
    const t = clock(now);
    const { next, ...view } = check(this.state, t);
    this.save(next, t);
    return view;
  }

  /** After using the channel: its outcome; `retryAfterSeconds` from a 429's Retry-After. Returns the view after it (no slot taken). */
  report(outcome: Outcome, now?: number, retryAfterSeconds?: number): HealthView {
    if (!OUTCOMES.includes(outcome)) throw new TypeError(`unknown outcome: ${String(outcome)}`);
    const t = clock(now);
    this.save(record(this.state, outcome, t, retryAfterSeconds), t);
    return peek(this.state, t);
  }

  /** The current view without taking a probe slot (dashboards, diagnostics). */
  peek(now?: number): HealthView {
    return peek(this.state, clock(now));
  }

  /** Forgets everything learnt (operator action, tests). */
  reset(): void {
    this.sql.exec("DELETE FROM breaker");
    this.state = initialState();
  }
}
