import { Hono } from "hono";
import { z } from "zod";
import { approveRefund, rejectRefund } from "../../billing/refund-approval";
import { listRefundQueue, refundView, type RefundRow } from "../../billing/refunds";
import { validate } from "../../middleware/validate";
import type { AdminEnv } from "../../middleware/admin-auth";

const idParam = z.object({ id: z.string().regex(/^rfd_[0-9a-z]{22}$/, "a refund request id") });
const listQuery = z.object({
  status: z.enum(["requested", "approved", "rejected", "refunded", "failed"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().regex(/^rfd_[0-9a-z]{22}$/, "a next_cursor from an earlier page").optional(),
});

const adminView = (r: RefundRow) => ({ ...refundView(r), user_id: r.user_id, decided_by: r.decided_by });

/** The refund queue (user requests and account deletions): list, approve (Stripe refund + debit), reject. */
export const adminRefunds = new Hono<AdminEnv>()
  .get("/refunds", validate("query", listQuery), async (c) => {
    const { status, limit, cursor } = c.req.valid("query");
    const results = await listRefundQueue(c.env, { status: status ?? null, cursor: cursor ?? null, limit });
    return c.json({ data: results.map(adminView), next_cursor: results.length === limit ? results.at(-1)!.id : null });
  })
  .post("/refunds/:id/approve", validate("param", idParam), async (c) => {
    return c.json(adminView(await approveRefund(c.env, c.req.valid("param").id, c.get("adminActor"))));
  })
  .post("/refunds/:id/reject", validate("param", idParam), async (c) => {
    return c.json(adminView(await rejectRefund(c.env, c.req.valid("param").id, c.get("adminActor"))));
  });
