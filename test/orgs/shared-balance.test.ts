import { env } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SettleInput } from "../../src/account/types";
import { config } from "../../src/config";
import type { Env } from "../../src/env";
import { randomToken } from "../../src/lib/ids";
import { nano } from "../../src/lib/money";
import { TEST_PRICE } from "../helpers/catalog";
import { account, chat, settled } from "../helpers/gateway";
import { createOrg, fundOrg, joinOrg, orgKey } from "../helpers/orgs";
import { signedInUser, type SessionUser } from "../helpers/session";

const ECHO = 25_000; // test-echo: 11 × 1000 + 7 × 2000 nUSD
const CFG = { ...config(env as unknown as Env), overdraftNano: nano(0) };
const IN = TEST_PRICE.input / 1000;
const OUT = TEST_PRICE.output / 1000;

describe("one organization's shared balance under concurrency", () => {
  it("a 50-way race across 5 members exceeds neither the balance, nor any member limit, nor any key limit", async () => {
    const owner = await signedInUser("0");
    const orgId = await createOrg(owner);
    const BALANCE = 700_000;
    await fundOrg(orgId, BALANCE);
    // Member limits (nUSD); null = none. Members 3 and 4 are bound only by the shared balance.
    const memberLimits = [50_000, 100_000, 150_000, null, null];
    // Per member, two keys; member 2's first key has its own, tighter limit.
    const keyLimits = [[null, null], [null, null], ["0.00006", null], [null, "0.00005"], [null, null]];
    const members: { user: SessionUser; keys: { key: string; id: string }[] }[] = [];
    for (let i = 0; i < 5; i++) {
      const m = await joinOrg(owner, orgId);
      if (memberLimits[i] !== null) {
        const res = await owner.fetch(`/api/orgs/${orgId}/members/${m.userId}`, { method: "PATCH", json: { spend_limit_usd: (memberLimits[i]! / 1e9).toFixed(9) } });
        expect(res.status).toBe(200);
      }
      const keys = [];
      for (const limit of keyLimits[i]!) keys.push(await orgKey(m, orgId, limit ? { spend_limit_usd: limit } : {}));
      members.push({ user: m, keys });
    }
    // 50 requests at once: 10 per member, 5 per key.
    const calls = Array.from({ length: 50 }, (_, n) => ({ member: n % 5, key: Math.floor(n / 5) % 2 }));
    const answers = await Promise.all(calls.map(async (c) => {
      const res = await chat(members[c.member]!.keys[c.key]!.key, { model: "test-echo", max_tokens: 20 });
      const body = (await res.json()) as { error?: { code: string } };
      return { ...c, status: res.status, code: body.error?.code ?? null };
    }));
    const ok = answers.filter((a) => a.status === 200);
    for (const a of answers.filter((x) => x.status !== 200)) {
      expect(["insufficient_credits", "member_spend_limit_exceeded", "key_spend_limit_exceeded"]).toContain(a.code);
    }
    const s = await settled(orgId);
    // Every answered request was charged exactly its cost, once; nothing else.
    expect(s.usageNano).toBe(ok.length * ECHO);
    expect(s.balanceNano).toBe(BALANCE - ok.length * ECHO);
    expect(s.balanceNano).toBeGreaterThanOrEqual(0);
    const wallet = account(orgId);
    for (const f of await wallet.listMembers()) {
      if (f.spendLimitNano !== null) expect(f.spentNano).toBeLessThanOrEqual(f.spendLimitNano);
    }
    for (const k of await wallet.listKeys()) {
      if (k.spendLimitNano !== null) expect(k.spentNano).toBeLessThanOrEqual(k.spendLimitNano);
    }
    // Each member's charges are what their keys were charged, and what admission let through.
    for (let i = 0; i < 5; i++) {
      const spent = (await wallet.listMembers()).find((f) => f.userId === members[i]!.user.userId)!.spentNano;
      expect(spent).toBe(ok.filter((a) => a.member === i).length * ECHO);
    }
    // Member 0 (50,000 nUSD; each request reserves more than 25,000) gets at most one through; and the bounds did bind.
    expect(ok.filter((a) => a.member === 0).length).toBeLessThanOrEqual(1);
    expect(ok.length).toBeLessThan(50);
    expect(ok.length).toBeGreaterThan(0);
  });

  it("property: under any limits and any interleaving of admissions and settlements, no bound is ever exceeded", async () => {
    type Step = { t: "admit"; key: number; maxOut: number } | { t: "burst"; keys: number[]; maxOut: number } | { t: "settle"; pick: number; percent: number };
    const limit = fc.option(fc.integer({ min: 10_000, max: 300_000 }), { freq: 3 });
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ t: fc.constant("admit" as const), key: fc.integer({ min: 0, max: 9 }), maxOut: fc.integer({ min: 1, max: 60 }) }),
      fc.record({ t: fc.constant("burst" as const), keys: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 2, maxLength: 10 }), maxOut: fc.integer({ min: 1, max: 60 }) }),
      fc.record({ t: fc.constant("settle" as const), pick: fc.nat(), percent: fc.integer({ min: 0, max: 100 }) }),
    );
    const seen = { admitted: 0, balance: 0, member: 0, key: 0 };
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 20_000, max: 600_000 }), fc.array(limit, { minLength: 5, maxLength: 5 }), fc.array(limit, { minLength: 10, maxLength: 10 }), fc.array(step, { maxLength: 40 }),
      async (balance, memberLimits, keyLimits, steps) => {
        const orgId = `o${randomToken(20)}`;
        const wallet = account(orgId);
        const memberIds = memberLimits.map(() => `u${randomToken(20)}`);
        for (let i = 0; i < 5; i++) await wallet.setMember(orgId, memberIds[i]!, { spendLimitNano: memberLimits[i] ?? null });
        const keys = keyLimits.map((l, i) => ({ id: `key_${randomToken(22)}`, hash: randomToken(40), member: memberIds[i % 5]!, limit: l ?? null }));
        for (const k of keys) {
          await wallet.createKey(orgId, { id: k.id, name: "k", keyHash: k.hash, prefix: "sk-gw-", last4: "xxxx", createdAt: Date.now(), memberId: k.member,
            rpm: null, tpm: null, maxConcurrency: null, spendLimitNano: k.limit === null ? null : nano(k.limit), spendLimitPeriod: "total", models: null, expiresAt: null });
        }
        await wallet.credit(orgId, { kind: "grant", amountNano: balance, ref: `grant-${orgId}` });
        const open = new Map<string, { key: number; amount: number }>();
        const spentKey = new Array<number>(10).fill(0);
        let n = 0;
        const admit = async (key: number, maxOut: number) => {
          const requestId = `req-${orgId}-${n++}`;
          const r = await wallet.admit({ keyHash: keys[key]!.hash, requestId, model: "test-echo", now: Date.now(), inputPrice: TEST_PRICE.input, outputPrice: TEST_PRICE.output,
            promptTokensEstimate: 10, requestedMaxOutput: maxOut, modelMaxOutput: 1000, settings: CFG });
          if (r.ok) { open.set(requestId, { key, amount: r.reservedNano }); seen.admitted++; }
          else if (r.code === "insufficient_credits") seen.balance++;
          else if (r.code === "member_spend_limit_exceeded") seen.member++;
          else { expect(r.code).toBe("key_spend_limit_exceeded"); seen.key++; }
        };
        for (const s of steps) {
          if (s.t === "admit") await admit(s.key, s.maxOut);
          else if (s.t === "burst") await Promise.all(s.keys.map((k) => admit(k, s.maxOut)));
          else if (open.size > 0) {
            const id = [...open.keys()][s.pick % open.size]!;
            const { key, amount } = open.get(id)!;
            const cost = Math.floor((amount * s.percent) / 100);
            const r = await wallet.settle(settleInput(id, keys[key]!.id, cost));
            expect(r.chargedNano).toBe(cost);
            spentKey[key]! += cost;
            open.delete(id);
          }
          // The invariant, after every step: charged + still reserved stays within every bound.
          const held = (pred: (k: number) => boolean) => [...open.values()].filter((o) => pred(o.key)).reduce((a, o) => a + o.amount, 0);
          const summary = await wallet.summary();
          expect(summary.balanceNano).toBe(balance - spentKey.reduce((a, b) => a + b, 0));
          expect(summary.holdsNano).toBe(held(() => true));
          expect(summary.holdsNano).toBeLessThanOrEqual(summary.balanceNano);
          for (let k = 0; k < 10; k++) if (keys[k]!.limit !== null) expect(spentKey[k]! + held((x) => x === k)).toBeLessThanOrEqual(keys[k]!.limit!);
          for (let m = 0; m < 5; m++) {
            const mine = (x: number) => x % 5 === m;
            if (memberLimits[m] != null) expect(spentKey.filter((_, k) => mine(k)).reduce((a, b) => a + b, 0) + held(mine)).toBeLessThanOrEqual(memberLimits[m]!);
          }
        }
      },
    ), { numRuns: 40 });
    // Every kind of bound was reached in some run, so the property was really exercised.
    expect(Object.values(seen).every((v) => v > 0), JSON.stringify(seen)).toBe(true);
  }, 120_000);
});

function settleInput(requestId: string, keyId: string, costNano: number): SettleInput {
  return {
    requestId, keyId, model: "test-echo", provider: "openai", attempts: 1, endpoint: "chat.completions", stream: false,
    startedAt: Date.now(), latencyMs: 1, status: "success", httpStatus: 200, errorCode: null, promptTokens: 0, completionTokens: 0,
    cachedTokens: 0, reasoningTokens: 0, costNano: nano(costNano), usageSource: "upstream", overdraftNano: nano(0),
  };
}
