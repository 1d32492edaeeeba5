import { describe, expect, it } from "vitest";
import { parseUsd } from "../../src/lib/money";
import { account, admin } from "../helpers/gateway";
import { signedInUser } from "../helpers/session";
import { completed, deliver, dispute, refunded, startTopup, uid } from "./stripe-helpers";

const CENT = 10_000_000; // nUSD per cent
type Revenue = { paid_usd: string; refunded_usd: string; disputes_lost_usd: string; usage_usd: string };

async function revenue(from: string): Promise<Record<keyof Revenue, number>> {
  const res = await admin(`/revenue?from=${encodeURIComponent(from)}`);
  expect(res.status).toBe(200);
  const r = (await res.json()) as Revenue;
  return { paid_usd: parseUsd(r.paid_usd)!, refunded_usd: parseUsd(r.refunded_usd)!, disputes_lost_usd: parseUsd(r.disputes_lost_usd)!, usage_usd: parseUsd(r.usage_usd)! };
}

describe("GET /api/admin/revenue", () => {
  it("adds up purchases, refunds and lost disputes from the ledger", async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const before = await revenue(from);
    const user = await signedInUser("0");
    const p = await startTopup(user, "10.00");
    expect(await deliver(completed(p))).toBe(200);
    expect(await deliver(refunded(p, 300))).toBe(200);
    expect(await deliver(dispute(p, uid("dp"), "charge.dispute.closed", "lost", 200))).toBe(200);
    await account(user.userId).flushOutbox();
    const after = await revenue(from);
    expect({
      paid: after.paid_usd - before.paid_usd, refunded: after.refunded_usd - before.refunded_usd,
      disputes: after.disputes_lost_usd - before.disputes_lost_usd,
    }).toEqual({ paid: 1000 * CENT, refunded: 300 * CENT, disputes: 200 * CENT });
    expect((await admin("/revenue?from=2026-11-22T00:00:00Z&to=2026-11-21T00:00:00Z")).status).toBe(400);
  });
});
