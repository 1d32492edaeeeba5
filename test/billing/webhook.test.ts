import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { account } from "../helpers/gateway";
import { signedInUser } from "../helpers/session";
import {
  completed, deliver, eventJson, ledgerRows, postWebhook, refunded, sessionEvent, signature, startTopup, uid, type TestEvent,
} from "./stripe-helpers";

const CENT = 10_000_000; // nUSD per cent

const eventRow = (id: string) => env.DB.prepare("SELECT * FROM stripe_events WHERE id = ?").bind(id).first();
const topupStatus = async (id: string) => (await env.DB.prepare("SELECT status FROM topups WHERE id = ?").bind(id).first<{ status: string }>())!.status;

/** Delivers an event 5 times: twice one after the other, then 3 at once. */
async function fiveTimes(e: TestEvent) {
  const first = [await deliver(e), await deliver(e)];
  const rest = await Promise.all([deliver(e), deliver(e), deliver(e)]);
  expect([...first, ...rest]).toEqual([200, 200, 200, 200, 200]);
}

describe("Stripe webhook", () => {
  it("credits a paid checkout exactly once when the event is delivered 5 times, some concurrently", async () => {
    const user = await signedInUser("0");
    const p = await startTopup(user, "25.00");
    const ev = completed(p);
    await fiveTimes(ev);
    const stub = account(user.userId);
    expect((await stub.summary()).balanceNano).toBe(2500 * CENT);
    await stub.flushOutbox();
    expect(await ledgerRows(user.userId)).toEqual([{ kind: "purchase", amount_nano: 2500 * CENT, ref: p.sessionId }]); // one identity per top-up: the session (issue 12 item 6)
    expect(await topupStatus(p.topupId)).toBe("paid");
    expect(await eventRow(ev.id)).toMatchObject({ id: ev.id, type: "checkout.session.completed" });
    // Another delivery of the same payment under a new event id (Stripe resends as a new event) credits nothing either.
    expect(await deliver(completed(p))).toBe(200);
    expect((await stub.summary()).balanceNano).toBe(2500 * CENT);

    const view = await user.fetch(`/api/billing/checkout/${p.sessionId}`);
    expect(await view.json()).toEqual({ status: "paid", amount_usd: "25.00" });
  });

  it("debits a refund once when charge.refunded is delivered 5 times, some concurrently", async () => {
    const user = await signedInUser("0");
    const p = await startTopup(user, "10.00");
    expect(await deliver(completed(p))).toBe(200);
    await fiveTimes(refunded(p, 250));
    // 1000 cents paid − 250 cents refunded
    expect((await account(user.userId).summary()).balanceNano).toBe((1000 - 250) * CENT);
  });

  it("answers 400 and writes nothing for a tampered body, a wrong secret, an old timestamp or no signature", async () => {
    const user = await signedInUser("0");
    const p = await startTopup(user, "10.00");
    const ev = completed(p);
    const body = eventJson(ev);
    const tampered = body.replace(`"amount_total":${p.cents}`, `"amount_total":${p.cents * 100}`);
    expect(tampered).not.toBe(body);
    const attempts: [string, string | null][] = [
      [tampered, await signature(body)],
      [body, await signature(body, { secret: "whsec_wrong_secret_0123456789" })],
      [body, await signature(body, { timestamp: Math.floor(Date.now() / 1000) - 301 })],
      [body, null],
      [body, "t=1,v1=deadbeef"],
    ];
    for (const [payload, sig] of attempts) {
      const res = await postWebhook(payload, sig);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_signature");
    }
    const stub = account(user.userId);
    await stub.flushOutbox();
    expect(await eventRow(ev.id)).toBeNull();
    expect(await ledgerRows(user.userId)).toEqual([]);
    expect((await stub.summary()).balanceNano).toBe(0);
    expect(await topupStatus(p.topupId)).toBe("pending");
    // The same event, correctly signed, is then accepted.
    expect(await deliver(ev)).toBe(200);
    expect((await stub.summary()).balanceNano).toBe(1000 * CENT);
  });

  it("credits an unpaid completed session only when async_payment_succeeded arrives", async () => {
    const user = await signedInUser("0");
    const p = await startTopup(user, "50.00");
    expect(await deliver(sessionEvent(p, "checkout.session.completed", "unpaid"))).toBe(200);
    const stub = account(user.userId);
    expect((await stub.summary()).balanceNano).toBe(0);
    expect(await topupStatus(p.topupId)).toBe("pending");
    const succeeded = sessionEvent(p, "checkout.session.async_payment_succeeded", "paid");
    await fiveTimes(succeeded);
    expect((await stub.summary()).balanceNano).toBe(5000 * CENT);
    expect(await topupStatus(p.topupId)).toBe("paid");
  });

  it("credits nothing when the delayed payment fails", async () => {
    const user = await signedInUser("0");
    const p = await startTopup(user, "50.00");
    expect(await deliver(sessionEvent(p, "checkout.session.completed", "unpaid"))).toBe(200);
    expect(await deliver(sessionEvent(p, "checkout.session.async_payment_failed", "unpaid"))).toBe(200);
    const stub = account(user.userId);
    await stub.flushOutbox();
    expect((await stub.summary()).balanceNano).toBe(0);
    expect(await ledgerRows(user.userId)).toEqual([]);
    expect(await topupStatus(p.topupId)).toBe("failed");
    const view = await user.fetch(`/api/billing/checkout/${p.sessionId}`);
    expect(await view.json()).toEqual({ status: "failed", amount_usd: "50.00" });
  });

  it("ignores events for sessions it did not create", async () => {
    const user = await signedInUser("0");
    const p = { userId: user.userId, topupId: "top_unknown", sessionId: uid("cs"), pi: uid("pi"), charge: uid("ch"), cents: 500 };
    expect(await deliver(completed(p))).toBe(200);
    expect((await account(user.userId).summary()).balanceNano).toBe(0);
  });
});
