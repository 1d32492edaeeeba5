import { describe, expect, it } from "vitest";
import { formatUsd } from "../../src/lib/money";
import { account, chat, settled } from "../helpers/gateway";
import { signedInUser } from "../helpers/session";
import { adjust, chargesFor, optIn, saveCard, walletEmails } from "./auto-topup-helpers";
import { ECHO_COST, USD, keyFor } from "./ledger-helpers";

describe("opt-in auto top-up", () => {
  it("50 concurrent requests crossing the threshold together make exactly one charge, credited once and emailed", async () => {
    const user = await signedInUser("1.00");
    const { key } = await keyFor(user.userId);
    await saveCard(user);
    // The 26th of 50 echo charges takes the balance below the threshold.
    const threshold = USD - 25 * ECHO_COST - 10_000;
    await optIn(user, formatUsd(threshold), "5.00", "100.00");
    const responses = await Promise.all(Array.from({ length: 50 }, () => chat(key, { model: "test-echo" })));
    for (const r of responses) {
      expect(r.status).toBe(200);
      await r.arrayBuffer();
    }
    await settled(user.userId);
    await account(user.userId).runAutoTopups();
    await account(user.userId).runAutoTopups();
    const charges = await chargesFor(user.userId);
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({ amount: 500, off_session: true });
    expect((await account(user.userId).summary()).balanceNano).toBe(USD - 50 * ECHO_COST + 5 * USD);
    const purchases = (await account(user.userId).ledger(200)).filter((e) => e.kind === "purchase");
    expect(purchases).toHaveLength(1);
    expect(purchases[0]!.ref).toMatch(/^atp_txn_/);
    const mails = await walletEmails(user.userId, "auto_topup_charged");
    // One email, for the one charge (the balance it names depends on how many requests had settled when Stripe answered).
    expect(mails).toHaveLength(1);
    expect(JSON.parse(mails[0]!.data).amount_usd).toBe("5.00");
  });

  it("never charges more than the monthly cap: the third crossing of a 5.00 top-up under a 10.00 cap charges nothing", async () => {
    const user = await signedInUser("10.00");
    await saveCard(user);
    await optIn(user, "5.00", "5.00", "10.00");
    for (let crossing = 0; crossing < 3; crossing++) {
      const { balanceNano } = await account(user.userId).summary();
      await adjust(user.userId, 4 * USD - balanceNano); // down to 4.00: below the threshold
      await account(user.userId).runAutoTopups();
    }
    expect((await chargesFor(user.userId)).map((c) => c.amount)).toEqual([500, 500]);
    const state = await (await user.fetch("/api/billing/auto-topup")).json();
    expect(state).toMatchObject({ enabled: true, charged_this_month_usd: "10.00", monthly_cap_usd: "10.00" });
    expect((await account(user.userId).summary()).balanceNano).toBe(4 * USD);
  });

  it("a declined charge credits nothing, turns auto top-up off, says so by email, and no later crossing charges", async () => {
    const user = await signedInUser("10.00");
    await saveCard(user, `pm_fail_${Date.now()}`);
    await optIn(user, "5.00", "5.00", "50.00");
    await adjust(user.userId, -6 * USD);
    await account(user.userId).runAutoTopups();
    expect(await chargesFor(user.userId)).toHaveLength(1);
    expect((await account(user.userId).summary()).balanceNano).toBe(4 * USD);
    const state = await (await user.fetch("/api/billing/auto-topup")).json();
    expect(state).toMatchObject({ enabled: false, disabled_reason: "charge_failed:card_declined", charged_this_month_usd: "0.00" });
    expect((await walletEmails(user.userId, "auto_topup_failed")).map((m) => JSON.parse(m.data))).toEqual([{ amount_usd: "5.00", reason: "card_declined" }]);
    await adjust(user.userId, 2 * USD);
    await adjust(user.userId, -2 * USD);
    await account(user.userId).runAutoTopups();
    expect(await chargesFor(user.userId)).toHaveLength(1);
  });

  it("turning it off stops charges; the saved card is shown by brand and last 4 only", async () => {
    const user = await signedInUser("10.00");
    await saveCard(user, undefined, "1881");
    const on = await optIn(user, "5.00", "5.00", "50.00");
    expect(on.payment_method).toEqual({ brand: "visa", last4: "1881" });
    const off = await user.fetch("/api/billing/auto-topup", { method: "PUT", json: { enabled: false } });
    expect(await off.json()).toMatchObject({ enabled: false, disabled_reason: "turned_off" });
    await adjust(user.userId, -6 * USD);
    await account(user.userId).runAutoTopups();
    expect(await chargesFor(user.userId)).toHaveLength(0);
  });
});
