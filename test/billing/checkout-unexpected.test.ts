import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { account } from "../helpers/gateway";
import { signedInUser } from "../helpers/session";
import { eventJson, postWebhook, sessionEvent, signature, startTopup, uid, type TestEvent } from "./stripe-helpers";

async function deliverJson(e: TestEvent): Promise<{ status: number; body: { outcome?: string } }> {
  const body = eventJson(e);
  const res = await postWebhook(body, await signature(body));
  return { status: res.status, body: (await res.json()) as { outcome?: string } };
}

const topupStatus = async (id: string) => (await env.DB.prepare("SELECT status FROM topups WHERE id = ?").bind(id).first<{ status: string }>())?.status;

describe("a well-signed checkout session we cannot credit", () => {
  for (const [what, patch] of [["amount_total 0", { amount_total: 0 }], ["a non-USD currency", { currency: "eur" }]] as const) {
    it(`answers 200 "ignored" for ${what}, marks the top-up failed and credits nothing`, async () => {
      const user = await signedInUser("0");
      const p = await startTopup(user, "10.00", uid("pi"));
      const e = sessionEvent(p, "checkout.session.completed", "paid");
      const first = await deliverJson({ ...e, object: { ...e.object, ...patch } });
      expect(first).toEqual({ status: 200, body: expect.objectContaining({ outcome: "ignored" }) });
      expect(await topupStatus(p.topupId)).toBe("failed");
      expect((await account(user.userId).summary()).balanceNano).toBe(0);
      // A redelivery of the same event is recognised, not handled again.
      expect(await deliverJson({ ...e, object: { ...e.object, ...patch } })).toMatchObject({ status: 200, body: { outcome: "duplicate" } });
    });
  }
});
