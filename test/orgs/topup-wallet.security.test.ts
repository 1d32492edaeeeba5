import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { account } from "../helpers/gateway";
import { createOrg, joinOrg, orgCompleted, startOrgTopup } from "../helpers/orgs";
import { signedInUser } from "../helpers/session";
import { completed, deliver, refunded, startTopup } from "../billing/stripe-helpers";

const CENT = 10_000_000; // nUSD per cent
const balance = async (wallet: string) => (await account(wallet).summary()).balanceNano;
const status = async (topupId: string) => (await env.DB.prepare("SELECT status FROM topups WHERE id = ?").bind(topupId).first<{ status: string }>())!.status;

/**
 * The wallet a paid session credits is the one its top-up row names (written when the checkout was
 * started for that wallet); metadata that names another wallet (another organization, the paying
 * member, a personal top-up claiming an organization) credits nobody.
 */
describe("an organization's checkout credits that organization's wallet and no other", () => {
  it("a session of organization A whose metadata names B, or the paying member, credits nobody; the genuine one credits A only", async () => {
    const ownerA = await signedInUser("0");
    const orgA = await createOrg(ownerA, "A");
    const buyer = await joinOrg(ownerA, orgA, "billing");
    const orgB = await createOrg(buyer, "B"); // the buyer owns B too
    const p = await startOrgTopup(buyer, orgA, "20.00");

    const forged: Record<string, string>[] = [
      { ...p.metadata, wallet_id: orgB },
      { user_id: buyer.userId, topup_id: p.topupId }, // the personal shape: the member's own wallet
      { ...p.metadata, wallet_id: buyer.userId },
    ];
    for (const metadata of forged) expect(await deliver(orgCompleted(p, metadata))).toBe(200);
    for (const wallet of [orgA, orgB, buyer.userId]) expect(await balance(wallet), wallet).toBe(0);
    expect(await status(p.topupId)).toBe("pending");

    expect(await deliver(orgCompleted(p))).toBe(200);
    expect(await balance(orgA)).toBe(2000 * CENT);
    for (const wallet of [orgB, buyer.userId]) expect(await balance(wallet), wallet).toBe(0);
  });

  it("a refund of an organization's top-up reported by Stripe debits the organization's wallet, not the paying member's", async () => {
    const owner = await signedInUser("0");
    const orgId = await createOrg(owner);
    const buyer = await joinOrg(owner, orgId, "billing");
    const p = await startOrgTopup(buyer, orgId, "20.00");
    expect(await deliver(orgCompleted(p))).toBe(200);
    expect(await deliver(refunded(p, 500))).toBe(200);
    expect(await balance(orgId)).toBe((2000 - 500) * CENT);
    expect(await balance(buyer.userId)).toBe(0);
    const ledger = await account(buyer.userId).ledger();
    expect(ledger).toEqual([]);
  });

  it("a personal top-up whose metadata claims an organization's wallet credits nobody", async () => {
    const owner = await signedInUser("0");
    const orgId = await createOrg(owner);
    const p = await startTopup(owner, "15.00");
    const e = completed(p);
    expect(await deliver({ ...e, object: { ...e.object, metadata: { user_id: owner.userId, wallet_id: orgId, topup_id: p.topupId } } })).toBe(200);
    expect(await balance(orgId)).toBe(0);
    expect(await balance(owner.userId)).toBe(0);
    expect(await deliver(completed(p))).toBe(200);
    expect(await balance(owner.userId)).toBe(1500 * CENT);
    expect(await balance(orgId)).toBe(0);
  });
});
