import { describe, expect, it } from "vitest";
import {
  BUCKET_MS, check, DEFAULT_COOL_DOWN_MS, FAILURE_RATE, initialState, MAX_COOL_DOWN_MS, MAX_OPEN_MS, MIN_REQUESTS, OPEN_MS,
  openPeriod, parseState, peek, PROBE_TIMEOUT_MS, record, WINDOW_MS, windowCounts, type BreakerState, type Outcome,
} from "./breaker";

const T0 = 1_700_000_000_000; // a multiple of BUCKET_MS

function apply(state: BreakerState, outcomes: Outcome[], now: number): BreakerState {
  return outcomes.reduce((s, o) => record(s, o, now), state);
}
const fails = (n: number): Outcome[] => Array<Outcome>(n).fill("failure");

/** A breaker that has just tripped at T0. */
const tripped = () => apply(initialState(), fails(MIN_REQUESTS), T0);

describe("breaker constants", () => {
  it("are the documented ones", () => {
    expect({ WINDOW_MS, MIN_REQUESTS, FAILURE_RATE, OPEN_MS, MAX_OPEN_MS, PROBE_TIMEOUT_MS, DEFAULT_COOL_DOWN_MS }).toEqual({
      WINDOW_MS: 60_000, MIN_REQUESTS: 5, FAILURE_RATE: 0.5, OPEN_MS: 30_000, MAX_OPEN_MS: 300_000, PROBE_TIMEOUT_MS: 65_000, DEFAULT_COOL_DOWN_MS: 5_000,
    });
    expect(WINDOW_MS % BUCKET_MS).toBe(0);
    expect(T0 % BUCKET_MS).toBe(0);
  });
});

describe("closed", () => {
  it("a single failure does not open it", () => {
    const s = record(initialState(), "failure", T0);
    expect(check(s, T0)).toMatchObject({ allow: true, state: "closed", coolingDown: false });
  });

  it("fewer than MIN_REQUESTS outcomes never open it, even all failures", () => {
    const s = apply(initialState(), fails(MIN_REQUESTS - 1), T0);
    expect(s.status).toBe("closed");
    expect(windowCounts(s, T0)).toEqual({ successes: 0, failures: MIN_REQUESTS - 1 });
  });

  it("a failure rate below FAILURE_RATE does not open it", () => {
    // After 5 successes, 4 failures: at most 4 in 9 = 44% < 50%.
    const s = apply(initialState(), ["success", "success", "success", "success", "success", ...fails(4)], T0);
    expect(s.status).toBe("closed");
  });

  it("opens on a sustained failure rate: MIN_REQUESTS outcomes at ≥ FAILURE_RATE", () => {
    // 3 failures in 6 = 50%: the 6th outcome trips it.
    let s = apply(initialState(), ["success", "success", "failure", "failure", "success"], T0);
    expect(s.status).toBe("closed");
    s = record(s, "failure", T0 + 1_000);
    expect(s.status).toBe("open");
    expect(s.openUntil).toBe(T0 + 1_000 + OPEN_MS);
  });

  it("counts failures spread over the window, but forgets those older than WINDOW_MS", () => {
    let s = initialState();
    for (let i = 0; i < MIN_REQUESTS - 1; i++) s = record(s, "failure", T0 + i * 10_000);
    expect(s.status).toBe("closed");
    expect(record(s, "failure", T0 + 45_000).status).toBe("open"); // all 5 within the last minute
    // One minute after the first failure, it has left the window: 4 in the window, still closed.
    const later = record(s, "failure", T0 + WINDOW_MS);
    expect(later.status).toBe("closed");
    expect(windowCounts(later, T0 + WINDOW_MS)).toEqual({ successes: 0, failures: MIN_REQUESTS - 1 });
  });

  it("429s never count toward opening; they only cool the channel down", () => {
    let s = initialState();
    for (let i = 0; i < 50; i++) s = record(s, "rate_limited", T0 + i);
    expect(s.status).toBe("closed");
    expect(windowCounts(s, T0 + 50)).toEqual({ successes: 0, failures: 0 });
    expect(check(s, T0 + 50)).toMatchObject({ allow: true, state: "closed", coolingDown: true, retryAt: T0 + 49 + DEFAULT_COOL_DOWN_MS });
    // Mixed with one real failure it still stays closed.
    s = record(s, "failure", T0 + 100);
    expect(s.status).toBe("closed");
  });

  it("keeps the window small: one bucket per BUCKET_MS, however many requests", () => {
    let s = initialState();
    for (let i = 0; i < 1_000; i++) s = record(s, "success", T0 + i * 100); // 100 s of traffic
    expect(s.buckets.length).toBeLessThanOrEqual(WINDOW_MS / BUCKET_MS);
    expect(JSON.stringify(s).length).toBeLessThan(600);
  });
});

describe("429 cool-down", () => {
  it("defaults to DEFAULT_COOL_DOWN_MS without Retry-After", () => {
    const s = record(initialState(), "rate_limited", T0);
    expect(check(s, T0 + DEFAULT_COOL_DOWN_MS - 1).coolingDown).toBe(true);
    expect(check(s, T0 + DEFAULT_COOL_DOWN_MS)).toMatchObject({ allow: true, coolingDown: false });
  });

  it("honours Retry-After seconds", () => {
    const s = record(initialState(), "rate_limited", T0, 20);
    const v = check(s, T0 + 19_999);
    expect(v).toMatchObject({ allow: true, state: "closed", coolingDown: true, retryAt: T0 + 20_000 });
    expect(check(s, T0 + 20_000).coolingDown).toBe(false);
  });

  it("caps an absurd Retry-After and ignores an unreadable one", () => {
    expect(record(initialState(), "rate_limited", T0, 86_400).coolDownUntil).toBe(T0 + MAX_COOL_DOWN_MS);
    expect(record(initialState(), "rate_limited", T0, Number.NaN).coolDownUntil).toBe(T0 + DEFAULT_COOL_DOWN_MS);
    expect(record(initialState(), "rate_limited", T0, -3).coolDownUntil).toBe(T0 + DEFAULT_COOL_DOWN_MS);
  });

  it("overlapping cool-downs keep the later end, whatever order they arrive in", () => {
    const a = record(record(initialState(), "rate_limited", T0, 30), "rate_limited", T0 + 1, 2);
    const b = record(record(initialState(), "rate_limited", T0 + 1, 2), "rate_limited", T0, 30);
    expect(a.coolDownUntil).toBe(T0 + 30_000);
    expect(b.coolDownUntil).toBe(T0 + 30_000);
  });
});

describe("open → half_open → closed / open", () => {
  it("rejects while open, with retryAt the end of the open period", () => {
    const s = tripped();
    expect(check(s, T0)).toMatchObject({ allow: false, state: "open", coolingDown: false, retryAt: T0 + OPEN_MS });
    expect(check(s, T0 + OPEN_MS - 1)).toMatchObject({ allow: false, state: "open" });
  });

  it("ignores successes and failures reported while open (only a probe decides)", () => {
    const s = tripped();
    expect(record(s, "success", T0 + 1)).toBe(s);
    expect(record(s, "failure", T0 + 1)).toBe(s);
  });

  it("after OPEN_MS it is half_open and allows exactly one probe", () => {
    const s = tripped();
    const first = check(s, T0 + OPEN_MS);
    expect(first).toMatchObject({ allow: true, state: "half_open" });
    const second = check(first.next, T0 + OPEN_MS + 1);
    expect(second).toMatchObject({ allow: false, state: "half_open", retryAt: T0 + OPEN_MS + PROBE_TIMEOUT_MS });
    expect(check(second.next, T0 + OPEN_MS + 2).allow).toBe(false);
    // peek does not take the slot.
    expect(peek(s, T0 + OPEN_MS)).toMatchObject({ allow: true, state: "half_open" });
    expect(peek(s, T0 + OPEN_MS).allow && check(s, T0 + OPEN_MS).allow).toBe(true);
  });

  it("a probe success closes it with an empty window and re-enables the channel", () => {
    const probe = check(tripped(), T0 + OPEN_MS);
    const s = record(probe.next, "success", T0 + OPEN_MS + 500);
    expect(s.status).toBe("closed");
    expect(windowCounts(s, T0 + OPEN_MS + 500)).toEqual({ successes: 0, failures: 0 });
    expect(check(s, T0 + OPEN_MS + 600)).toMatchObject({ allow: true, state: "closed", coolingDown: false });
    // The old failures are gone: a single new failure does not re-open it.
    expect(record(s, "failure", T0 + OPEN_MS + 700).status).toBe("closed");
  });

  it("a probe failure re-opens it for a doubled period, capped at MAX_OPEN_MS, reset after recovery", () => {
    let s = tripped();
    let at = T0;
    const periods: number[] = [];
    for (let i = 0; i < 6; i++) {
      const opened = at;
      at = s.openUntil;
      periods.push(at - opened);
      const probe = check(s, at);
      expect(probe.allow).toBe(true);
      s = record(probe.next, "failure", at);
      expect(s.status).toBe("open");
      expect(check(s, at + 1)).toMatchObject({ allow: false, state: "open" });
    }
    expect(periods).toEqual([OPEN_MS, 2 * OPEN_MS, 4 * OPEN_MS, 8 * OPEN_MS, MAX_OPEN_MS, MAX_OPEN_MS]);
    expect(openPeriod(100)).toBe(MAX_OPEN_MS);

    // Recover, then trip again: back to OPEN_MS.
    at = s.openUntil;
    s = record(check(s, at).next, "success", at);
    expect(s.status).toBe("closed");
    s = apply(s, fails(MIN_REQUESTS), at + 1);
    expect(s.status).toBe("open");
    expect(s.openUntil - (at + 1)).toBe(OPEN_MS);
  });

  it("a lost probe's lease expires after PROBE_TIMEOUT_MS, and the next check takes a new one", () => {
    const start = T0 + OPEN_MS;
    const lost = check(tripped(), start).next; // its report never arrives
    expect(check(lost, start + PROBE_TIMEOUT_MS - 1).allow).toBe(false);
    const again = check(lost, start + PROBE_TIMEOUT_MS);
    expect(again).toMatchObject({ allow: true, state: "half_open" });
    expect(check(again.next, start + PROBE_TIMEOUT_MS + 1).allow).toBe(false);
    expect(record(again.next, "success", start + PROBE_TIMEOUT_MS + 2).status).toBe("closed");
  });

  it("a probe answered with 429 frees the slot, stays half_open and cools down", () => {
    const start = T0 + OPEN_MS;
    const probe = check(tripped(), start);
    const s = record(probe.next, "rate_limited", start + 10, 7);
    expect(s.status).toBe("half_open");
    expect(check(s, start + 20)).toMatchObject({ allow: true, state: "half_open", coolingDown: true, retryAt: start + 10 + 7_000 });
  });
});

describe("serialisation", () => {
  it("round-trips through JSON in every state", () => {
    const states = [initialState(), record(initialState(), "rate_limited", T0, 9), tripped(), check(tripped(), T0 + OPEN_MS).next];
    for (const s of states) expect(parseState(JSON.stringify(s))).toEqual(s);
    const probing = parseState(JSON.stringify(check(tripped(), T0 + OPEN_MS).next));
    expect(check(probing, T0 + OPEN_MS + 1).allow).toBe(false);
  });

  it("reads anything unreadable as a fresh, closed breaker", () => {
    for (const bad of [null, "", "not json", "{}", '{"v":2}', JSON.stringify({ ...initialState(), status: "weird" }), JSON.stringify({ ...initialState(), buckets: [[1, 2]] })]) {
      expect(parseState(bad)).toEqual(initialState());
    }
  });

  it("never mutates its input", () => {
    const s = apply(initialState(), ["success", "failure"], T0);
    const frozen = JSON.stringify(s);
    record(s, "failure", T0 + 1);
    record(s, "rate_limited", T0 + 1, 3);
    check(tripped(), T0 + OPEN_MS);
    expect(JSON.stringify(s)).toBe(frozen);
  });
});
