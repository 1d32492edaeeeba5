import { describe, expect, it } from "vitest";
import { account, admin, chat, settled } from "../helpers/gateway";
import { signedInUser } from "../helpers/session";
import { completed, deliver, dispute, ledgerRows, startTopup, uid } from "./stripe-helpers";

const CENT = 10_000_000; // nUSD per cent
// test-echo reports 11 prompt and 7 completion tokens: 11 × 1000 + 7 × 2000 nUSD
const ECHO_COST = 11 * 1000 + 7 * 2000;

async function buyer(amountUsd = "10.00") {
  const user = await signedInUser("0");
  const p = await startTopup(user, amountUsd);
  expect(await deliver(completed(p))).toBe(200);
  const k = await admin(`/users/${user.userId}/keys`, { method: "POST", json: { name: "dispute test" } });
  const { key } = (await k.json()) as { key: string };
  return { user, p, key };
}

async function call(key: string, userId: string) {
  const res = await chat(key, { model: "test-echo", max_tokens: 10 });
  const body = (await res.json()) as { error?: { code: string } };
  await settled(userId);
  return { status: res.status, code: body.error?.code ?? null };
}

describe("card disputes", () => {
  it("pause API access with 403 account_disputed while open; a won dispute restores access and takes nothing", async () => {
    const { user, p, key } = await buyer();
    expect(await call(key, user.userId)).toEqual({ status: 200, code: null });
    const dp = uid("dp");
    expect(await deliver(dispute(p, dp, "charge.dispute.created", "needs_response", 1000))).toBe(200);
    expect(await call(key, user.userId)).toEqual({ status: 403, code: "account_disputed" });
    expect((await account(user.userId).summary()).status).toBe("disputed");
    expect(await deliver(dispute(p, dp, "charge.dispute.closed", "won", 1000))).toBe(200);
    expect(await call(key, user.userId)).toEqual({ status: 200, code: null });
    const s = await account(user.userId).summary();
    expect(s).toMatchObject({ status: "active", balanceNano: 1000 * CENT - 2 * ECHO_COST });
    // A late copy of "created" after "closed" does not reopen it.
    expect(await deliver(dispute(p, dp, "charge.dispute.created", "needs_response", 1000))).toBe(200);
    expect((await account(user.userId).summary()).status).toBe("active");
  });

  it("a lost dispute takes the disputed amount back (kind dispute, ref = dispute id) and restores access when the balance is not negative", async () => {
    const { user, p } = await buyer();
    const dp = uid("dp");
    expect(await deliver(dispute(p, dp, "charge.dispute.created", "needs_response", 600))).toBe(200);
    const closed = dispute(p, dp, "charge.dispute.closed", "lost", 600);
    expect(await Promise.all([deliver(closed), deliver(closed), deliver(closed)])).toEqual([200, 200, 200]);
    const stub = account(user.userId);
    // 1000 − 600 cents
    expect(await stub.summary()).toMatchObject({ status: "active", balanceNano: 400 * CENT });
    await stub.flushOutbox();
    expect((await ledgerRows(user.userId)).filter((r) => r.kind === "dispute")).toEqual([{ kind: "dispute", amount_nano: -600 * CENT, ref: dp }]);
  });

  it("keeps the account disputed after a loss that leaves the balance negative, until a top-up covers it", async () => {
    const { user, p, key } = await buyer();
    expect(await call(key, user.userId)).toEqual({ status: 200, code: null });
    const dp = uid("dp");
    expect(await deliver(dispute(p, dp, "charge.dispute.closed", "lost", 1000))).toBe(200);
    const stub = account(user.userId);
    // 1000 cents bought − one echo call − 1000 cents taken back
    expect(await stub.summary()).toMatchObject({ status: "disputed", balanceNano: -ECHO_COST });
    expect(await call(key, user.userId)).toEqual({ status: 403, code: "account_disputed" });
    const again = await startTopup(user, "5.00");
    expect(await deliver(completed(again))).toBe(200);
    expect(await stub.summary()).toMatchObject({ status: "active", balanceNano: 500 * CENT - ECHO_COST });
    expect(await call(key, user.userId)).toEqual({ status: 200, code: null });
  });
});
