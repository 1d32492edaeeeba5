import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { Channel } from "../catalog/catalog";
import type { Env } from "../env";
import { MIN_REQUESTS, OPEN_MS } from "./breaker";
import { channelHealth, HEALTHY, orderChannels, parseRetryAfter, type HealthView } from "./health";

const ch = (id: string, priority: number): Channel => ({ id, provider: id.split("@")[1] ?? "p", upstreamModel: "m", priority, weight: 1 });
const A = ch("m@a", 0), B = ch("m@b", 1), C = ch("m@c", 2), D = ch("m@d", 3), E = ch("m@e", 4);

const healthy: HealthView = { state: "closed", allow: true, coolingDown: false };
const cooling: HealthView = { state: "closed", allow: true, coolingDown: true, retryAt: 1 };
const probe: HealthView = { state: "half_open", allow: true, coolingDown: false };
const probeTaken: HealthView = { state: "half_open", allow: false, coolingDown: false, retryAt: 1 };
const open: HealthView = { state: "open", allow: false, coolingDown: false, retryAt: 1 };

const ids = (cs: Channel[]) => cs.map((c) => c.id);

describe("orderChannels", () => {
  it("keeps priority order when all are healthy", () => {
    expect(ids(orderChannels([A, B, C], [healthy, healthy, healthy]))).toEqual(["m@a", "m@b", "m@c"]);
  });

  it("healthy first, then cooling down, then half-open probes, open last", () => {
    expect(ids(orderChannels([A, B, C, D, E], [open, probe, cooling, healthy, probeTaken]))).toEqual(["m@d", "m@c", "m@b", "m@a", "m@e"]);
  });

  it("keeps priority order within a tier", () => {
    expect(ids(orderChannels([A, B, C, D], [open, healthy, open, healthy]))).toEqual(["m@b", "m@d", "m@a", "m@c"]);
    expect(ids(orderChannels([A, B, C], [cooling, cooling, healthy]))).toEqual(["m@c", "m@a", "m@b"]);
  });

  it("can probe a half-open channel at its priority position", () => {
    expect(ids(orderChannels([A, B, C, D], [probe, healthy, cooling, open], { probesInPlace: true }))).toEqual(["m@a", "m@b", "m@c", "m@d"]);
    expect(ids(orderChannels([A, B], [probeTaken, healthy], { probesInPlace: true }))).toEqual(["m@b", "m@a"]);
  });

  it("still returns every channel when all are open", () => {
    expect(ids(orderChannels([A, B, C], [open, open, open]))).toEqual(["m@a", "m@b", "m@c"]);
    expect(ids(orderChannels([A], [open]))).toEqual(["m@a"]);
  });

  it("treats a missing view as healthy and does not touch its input", () => {
    const channels = [A, B, C];
    expect(ids(orderChannels(channels, [open]))).toEqual(["m@b", "m@c", "m@a"]);
    expect(ids(channels)).toEqual(["m@a", "m@b", "m@c"]);
    expect(orderChannels([], [])).toEqual([]);
  });
});

describe("channelHealth", () => {
  it("talks to the channel's shared health object", async () => {
    let now = 1_700_000_000_000;
    const id = `ch-${crypto.randomUUID()}`;
    const here = channelHealth(env, id, { now: () => now });
    const elsewhere = channelHealth(env, id, { now: () => now }); // another isolate, same object
    expect(await here.check()).toEqual(HEALTHY);
    for (let i = 0; i < MIN_REQUESTS; i++) await here.report("failure");
    expect(await elsewhere.check()).toMatchObject({ state: "open", allow: false });
    now += OPEN_MS;
    expect(await here.peek()).toMatchObject({ state: "half_open", allow: true }); // takes no slot
    expect(await elsewhere.check()).toMatchObject({ state: "half_open", allow: true });
    expect(await here.check()).toMatchObject({ state: "half_open", allow: false });
    expect(await here.report("success")).toEqual(HEALTHY);
    expect(await here.report("rate_limited", 30)).toMatchObject({ state: "closed", allow: true, coolingDown: true, retryAt: now + 30_000 });
  });

  it("never throws: a failing health object means healthy", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const broken = {
      HEALTH: {
        idFromName: () => { throw new Error("no namespace"); },
        get: () => { throw new Error("unreachable"); },
      },
    } as unknown as Env;
    const h = channelHealth(broken, "x");
    expect(await h.check()).toEqual(HEALTHY);
    expect(await h.report("failure")).toEqual(HEALTHY);

    const rejecting = {
      HEALTH: {
        idFromName: (n: string) => n,
        get: () => ({ check: async () => { throw new Error("DO overloaded"); }, peek: async () => { throw new Error("x"); }, report: () => Promise.reject(new Error("reset")) }),
      },
    } as unknown as Env;
    const r = channelHealth(rejecting, "y");
    expect(await r.check()).toEqual(HEALTHY);
    expect(await r.peek()).toEqual(HEALTHY);
    expect(await r.report("rate_limited", 3)).toEqual(HEALTHY);
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  it("never hangs: a silent health object means healthy after the timeout", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const silent = {
      HEALTH: { idFromName: (n: string) => n, get: () => ({ check: () => new Promise(() => {}), report: () => new Promise(() => {}) }) },
    } as unknown as Env;
    const h = channelHealth(silent, "z", { timeoutMs: 20 });
    const started = Date.now();
    expect(await h.check()).toEqual(HEALTHY);
    expect(await h.report("success")).toEqual(HEALTHY);
    expect(Date.now() - started).toBeLessThan(2_000);
    warn.mockRestore();
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates, and nothing else", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7);
    expect(parseRetryAfter(" 1.5 ", now)).toBe(1.5);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:20 GMT", now)).toBe(20);
    expect(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
    expect(parseRetryAfter("2026", now)).toBe(2026);
  });
});
