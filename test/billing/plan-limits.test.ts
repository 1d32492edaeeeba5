import { runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { RATE_WINDOW_MS } from "../../src/account/storage";
import { expectError } from "../helpers/errors";
import { account, admin, api, chat, settled } from "../helpers/gateway";
import { DAY, createPlan, permutations, send, subscriber, subscriptionEvent, type Plan } from "./subscription-helpers";

// A plan's rpm, tpm and models reach admission through the wallet (pushed by the subscription
// webhook): a key's own limit wins, then the plan's, then the deployment default (600 rpm in tests).

let small: Plan;
let big: Plan;
let claudeOnly: Plan;
beforeAll(async () => {
  small = await createPlan("1.00", "10.00", { rpm: 2, tpm: 50_000 });
  big = await createPlan("2.00", "20.00", { rpm: 50 });
  claudeOnly = await createPlan("1.00", "10.00", { models: ["test-claude-echo"] });
});

const now = () => Math.floor(Date.now() / 1000);

/** A subscriber with credits and one API key (with its own limits, if given). */
async function subscriberWithKey(keyLimits: Record<string, unknown> = {}) {
  const s = await subscriber();
  expect((await admin(`/users/${s.user.userId}/credits`, { method: "POST", json: { amount_usd: "5.00", note: "test" } })).status).toBe(201);
  const res = await admin(`/users/${s.user.userId}/keys`, { method: "POST", json: { name: "k", ...keyLimits } });
  expect(res.status).toBe(201);
  const { id, key } = (await res.json()) as { id: string; key: string };
  return { ...s, key, keyId: id };
}

async function call(key: string) {
  const res = await chat(key, { model: "test-echo", max_tokens: 5 });
  const body = (await res.json()) as { error?: { code: string } };
  return { status: res.status, code: body.error?.code ?? null, rpm: res.headers.get("x-ratelimit-limit-requests"), tpm: res.headers.get("x-ratelimit-limit-tokens") };
}

/** Empties a key's rate window (as if a minute had passed). */
async function newMinute(userId: string, keyId: string) {
  await settled(userId);
  await runInDurableObject(account(userId), (_i, state) => {
    state.storage.sql.exec("UPDATE rate_events SET ts = ts - ? WHERE key_id = ?", RATE_WINDOW_MS + 1, keyId);
  });
}

describe("plan limits at admission", () => {
  it("the plan's rpm and tpm apply to a key without its own, and are gone once the subscription is canceled", async () => {
    const s = await subscriberWithKey();
    expect(await call(s.key)).toMatchObject({ status: 200, rpm: "600" });
    const t = now();
    await send(subscriptionEvent("customer.subscription.created", s, small.price, t));
    expect(await call(s.key)).toMatchObject({ status: 200, rpm: "2", tpm: "50000" });
    expect(await call(s.key)).toMatchObject({ status: 429, code: "rate_limit_exceeded", rpm: "2" });
    // past_due still carries the plan (as for "already subscribed").
    await send(subscriptionEvent("customer.subscription.updated", s, small.price, t + 1, { status: "past_due" }));
    expect(await call(s.key)).toMatchObject({ status: 429, rpm: "2" });
    // Canceled (deleted at the period's end): the deployment default again.
    await send(subscriptionEvent("customer.subscription.deleted", s, small.price, t + 2, { status: "canceled" }));
    expect(await call(s.key)).toMatchObject({ status: 200, rpm: "600" });
    expect(await account(s.user.userId).setPlanLimits({ planId: null, rpm: null, tpm: null, models: null, eventAt: (t + 2) * 1000 })).toEqual({ applied: true, limits: null });
  });

  it("a key's own lower rpm still wins over the plan's", async () => {
    const s = await subscriberWithKey({ rpm: 1 });
    await send(subscriptionEvent("customer.subscription.created", s, big.price, now()));
    expect(await call(s.key)).toMatchObject({ status: 200, rpm: "1" });
    expect(await call(s.key)).toMatchObject({ status: 429, code: "rate_limit_exceeded", rpm: "1" });
    // Another key of the same user, without its own rpm, gets the plan's.
    const other = await admin(`/users/${s.user.userId}/keys`, { method: "POST", json: { name: "plain" } });
    expect(await call(((await other.json()) as { key: string }).key)).toMatchObject({ status: 200, rpm: "50" });
  });

  it("a model outside the plan is refused 403 model_not_in_plan: OpenAI's shape on /chat/completions, Anthropic's on /messages; the plan's model works", async () => {
    const s = await subscriberWithKey();
    await send(subscriptionEvent("customer.subscription.created", s, claudeOnly.price, now()));
    const openaiBody = await expectError(await chat(s.key, { model: "test-echo" }), 403, "model_not_in_plan", "permission_error", null);
    expect(openaiBody.error.message).toContain("test-echo");
    const messages = (model: string) => api("/messages", s.key, {
      method: "POST", headers: { "anthropic-version": "2023-06-01" }, json: { model, max_tokens: 16, messages: [{ role: "user", content: "Hi" }] },
    });
    const refused = await messages("test-echo");
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ type: "error", error: { type: "permission_error", message: expect.stringContaining("test-echo") } });
    // Fallback models count too, as for a key's allow-list.
    await expectError(await chat(s.key, { model: "test-claude-echo", models: ["test-echo"] }), 403, "model_not_in_plan", "permission_error", null);
    const ok = await messages("test-claude-echo");
    expect(ok.status, await ok.clone().text()).toBe(200);
    await settled(s.user.userId);
  });

  it("an older webhook delivered late does not bring old limits back, and does not revive a canceled plan", async () => {
    const s = await subscriberWithKey();
    const t = now();
    // Upgraded at t+10 (big), then the creation at t (small) arrives late.
    await send(subscriptionEvent("customer.subscription.updated", s, big.price, t + 10));
    await send(subscriptionEvent("customer.subscription.created", s, small.price, t));
    expect(await call(s.key)).toMatchObject({ status: 200, rpm: "50" });
    // Deleted at t+20; a late "updated" (active, small) from t+15 and a repeat of the upgrade change nothing.
    await send(subscriptionEvent("customer.subscription.deleted", s, big.price, t + 20, { status: "canceled" }));
    await send(subscriptionEvent("customer.subscription.updated", s, small.price, t + 15));
    await send(subscriptionEvent("customer.subscription.updated", s, big.price, t + 10), 3);
    await newMinute(s.user.userId, s.keyId);
    expect(await call(s.key)).toMatchObject({ status: 200, rpm: "600" });
    // The wallet's own rule: a push older than the stored one is not applied.
    const stale = await account(s.user.userId).setPlanLimits({ planId: small.id, rpm: 2, tpm: null, models: null, eventAt: (t + 5) * 1000 });
    expect(stale).toEqual({ applied: false, limits: null });
    expect(await call(s.key)).toMatchObject({ status: 200, rpm: "600" });
  });

  it("every order of {created (small), upgraded (big), deleted}, each delivered 3 times at once, ends with no plan once the deletion is in, and with big's before it", async () => {
    const t = now();
    const planOf = (userId: string) => runInDurableObject(account(userId), (_i, state) =>
      state.storage.sql.exec<{ plan_id: string | null; rpm: number | null }>("SELECT plan_id, rpm FROM plan_limits WHERE id = 1").toArray()[0] ?? null);
    await Promise.all(permutations([0, 1, 2]).map(async (order) => {
      const s = await subscriber();
      const events = [
        subscriptionEvent("customer.subscription.created", s, small.price, t),
        subscriptionEvent("customer.subscription.updated", s, big.price, t + 10),
        subscriptionEvent("customer.subscription.deleted", s, big.price, t + 20, { status: "canceled" }),
      ];
      const seen = new Set<number>();
      for (const i of order) {
        await send(events[i]!, 3);
        seen.add(i);
        // Once the deletion is in: no plan, whatever comes later; before it, once both are in: big's.
        if (seen.has(2)) expect(await planOf(s.user.userId), `order ${order}`).toMatchObject({ plan_id: null, rpm: null });
        else if (seen.size === 2) expect(await planOf(s.user.userId), `order ${order}`).toMatchObject({ plan_id: big.id, rpm: 50 });
      }
    }));
  });

  it("a new subscription after a canceled one brings its plan's limits", async () => {
    const s = await subscriberWithKey();
    const t = now();
    await send(subscriptionEvent("customer.subscription.created", s, big.price, t));
    await send(subscriptionEvent("customer.subscription.deleted", s, big.price, t + DAY, { status: "canceled" }));
    await send(subscriptionEvent("customer.subscription.created", { ...s, sub: `${s.sub}_2` }, small.price, t + 2 * DAY));
    expect(await call(s.key)).toMatchObject({ status: 200, rpm: "2" });
  });
});
