import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DEFAULT_COOL_DOWN_MS, MIN_REQUESTS, OPEN_MS, PROBE_TIMEOUT_MS } from "./breaker";
import type { ChannelHealthDO } from "./health-do";

const T0 = 1_700_000_000_000;
const channel = () => `ch-${crypto.randomUUID()}`;
const stubFor = (id: string) => env.HEALTH.get(env.HEALTH.idFromName(id));

async function trip(stub: DurableObjectStub<ChannelHealthDO>, at: number) {
  for (let i = 0; i < MIN_REQUESTS; i++) await stub.report("failure", at);
}

describe("ChannelHealthDO", () => {
  it("stays closed on a single failure and on 429s; opens on sustained failures and then rejects", async () => {
    const stub = stubFor(channel());
    expect(await stub.check(T0)).toEqual({ state: "closed", allow: true, coolingDown: false });
    expect(await stub.report("failure", T0)).toEqual({ state: "closed", allow: true, coolingDown: false });
    for (let i = 0; i < 10; i++) await stub.report("rate_limited", T0 + i);
    expect(await stub.check(T0 + 10)).toMatchObject({ state: "closed", allow: true, coolingDown: true });

    for (let i = 1; i < MIN_REQUESTS; i++) await stub.report("failure", T0 + 100 + i);
    expect(await stub.check(T0 + 200)).toMatchObject({ state: "open", allow: false, retryAt: T0 + 104 + OPEN_MS });
    expect(await stub.check(T0 + 103 + OPEN_MS)).toMatchObject({ state: "open", allow: false });
  });

  it("half-opens after OPEN_MS with exactly one probe; its success closes the breaker", async () => {
    const stub = stubFor(channel());
    await trip(stub, T0);
    const at = T0 + OPEN_MS;
    const views = [await stub.check(at), await stub.check(at + 1), await stub.check(at + 2)];
    expect(views.map((v) => v.allow)).toEqual([true, false, false]);
    expect(views.every((v) => v.state === "half_open")).toBe(true);

    expect(await stub.report("success", at + 50)).toEqual({ state: "closed", allow: true, coolingDown: false });
    expect(await stub.check(at + 60)).toEqual({ state: "closed", allow: true, coolingDown: false });
    // The old failures were forgotten.
    expect(await stub.report("failure", at + 70)).toMatchObject({ state: "closed", allow: true });
  });

  it("concurrent checks in half_open hand out a single probe", async () => {
    const stub = stubFor(channel());
    await trip(stub, T0);
    const views = await Promise.all(Array.from({ length: 8 }, () => stub.check(T0 + OPEN_MS)));
    expect(views.filter((v) => v.allow)).toHaveLength(1);
  });

  it("a probe failure re-opens it for a longer period", async () => {
    const stub = stubFor(channel());
    await trip(stub, T0);
    const at = T0 + OPEN_MS;
    expect((await stub.check(at)).allow).toBe(true);
    expect(await stub.report("failure", at + 10)).toMatchObject({ state: "open", allow: false, retryAt: at + 10 + 2 * OPEN_MS });
    expect(await stub.check(at + 10 + OPEN_MS)).toMatchObject({ state: "open", allow: false });
    expect(await stub.check(at + 10 + 2 * OPEN_MS)).toMatchObject({ state: "half_open", allow: true });
  });

  it("a lost probe's lease expires", async () => {
    const stub = stubFor(channel());
    await trip(stub, T0);
    const at = T0 + OPEN_MS;
    expect((await stub.check(at)).allow).toBe(true); // never reported
    expect((await stub.check(at + PROBE_TIMEOUT_MS - 1)).allow).toBe(false);
    expect(await stub.check(at + PROBE_TIMEOUT_MS)).toMatchObject({ state: "half_open", allow: true });
  });

  it("a 429 cool-down honours Retry-After, and defaults without it", async () => {
    const stub = stubFor(channel());
    expect(await stub.report("rate_limited", T0, 12)).toEqual({ state: "closed", allow: true, coolingDown: true, retryAt: T0 + 12_000 });
    expect((await stub.check(T0 + 11_999)).coolingDown).toBe(true);
    expect((await stub.check(T0 + 12_000)).coolingDown).toBe(false);

    await stub.report("rate_limited", T0 + 20_000);
    expect((await stub.check(T0 + 20_000 + DEFAULT_COOL_DOWN_MS - 1)).coolingDown).toBe(true);
    expect((await stub.check(T0 + 20_000 + DEFAULT_COOL_DOWN_MS)).coolingDown).toBe(false);
  });

  it("state survives eviction (open, and a half_open probe lease)", async () => {
    const id = channel();
    const stub = stubFor(id);
    await trip(stub, T0);
    await stub.report("rate_limited", T0 + 1, 60);
    await evictDurableObject(stub);
    const again = stubFor(id);
    expect(await again.check(T0 + 2)).toMatchObject({ state: "open", allow: false, coolingDown: true });

    expect((await again.check(T0 + OPEN_MS)).allow).toBe(true);
    await evictDurableObject(again);
    expect(await stubFor(id).check(T0 + OPEN_MS + 1)).toMatchObject({ state: "half_open", allow: false });

    // And what is stored is one JSON row.
    await runInDurableObject(stubFor(id), (_: ChannelHealthDO, state) => {
      const rows = state.storage.sql.exec<{ state: string }>("SELECT state FROM breaker").toArray();
      expect(rows).toHaveLength(1);
      expect(JSON.parse(rows[0]!.state)).toMatchObject({ v: 1, status: "half_open" });
    });
  });

  it("a closed check writes nothing; each channel has its own breaker", async () => {
    const a = stubFor(channel());
    const b = stubFor(channel());
    await a.check(T0);
    await runInDurableObject(a, (_: ChannelHealthDO, state) => {
      expect(state.storage.sql.exec("SELECT * FROM breaker").toArray()).toHaveLength(0);
    });
    await trip(a, T0);
    expect((await a.check(T0 + 1)).state).toBe("open");
    expect((await b.check(T0 + 1)).state).toBe("closed");
  });

  it("uses its own clock when no time is given, and rejects unknown outcomes", async () => {
    const stub = stubFor(channel());
    await stub.report("rate_limited");
    const v = await stub.check();
    expect(v).toMatchObject({ state: "closed", allow: true, coolingDown: true });
    expect(v.retryAt).toBeGreaterThan(Date.now());
    const refused = await stub.report("bogus" as "success").then(() => null, (err: unknown) => err);
    expect(String(refused)).toContain("unknown outcome");
  });

  it("reset forgets everything", async () => {
    const stub = stubFor(channel());
    await trip(stub, T0);
    await stub.reset();
    expect(await stub.check(T0 + 1)).toEqual({ state: "closed", allow: true, coolingDown: false });
  });
});
