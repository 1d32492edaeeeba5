import { Hono } from "hono";
import { z } from "zod";
import { validate } from "../../middleware/validate";
import { listRightsRequests, resolveRequest, rightsView, type RightsRow } from "../../retention/rights-desk";
import type { AdminEnv } from "../../middleware/admin-auth";

const idParam = z.object({ id: z.string().regex(/^rr_[0-9a-z]{22}$/, "a rights request id") });
const listQuery = z.object({ status: z.enum(["open", "overdue", "fulfilled", "rejected"]).optional() });
const resolveBody = z.strictObject({ outcome: z.enum(["fulfilled", "rejected"]), note: z.string().trim().min(1).max(2000) });

const adminView = (r: RightsRow, now: number) => ({
  ...rightsView(r, now), user_id: r.user_id, resolved_by: r.resolved_by,
  reminded_7d_at: r.reminded_7d_at ? new Date(r.reminded_7d_at).toISOString() : null,
  reminded_2d_at: r.reminded_2d_at ? new Date(r.reminded_2d_at).toISOString() : null,
  escalated_at: r.escalated_at ? new Date(r.escalated_at).toISOString() : null,
});

/** The operator queue of rights requests, soonest due first; `overdue` = open past the due date. Resolve records what was done. */
export const adminRights = new Hono<AdminEnv>()
  .get("/rights-requests", validate("query", listQuery), async (c) => {
    const { status } = c.req.valid("query");
    const now = Date.now();
    const filter = status === "overdue" ? { status: "open", dueBefore: now } : { status: status ?? null, dueBefore: null };
    const results = await listRightsRequests(c.env, filter);
    return c.json({ data: results.map((r) => adminView(r, now)), overdue: results.filter((r) => r.status === "open" && now > r.due_at).length });
  })
  .post("/rights-requests/:id/resolve", validate("param", idParam), validate("json", resolveBody), async (c) => {
    const { outcome, note } = c.req.valid("json");
    const now = Date.now();
    return c.json(adminView(await resolveRequest(c.env, c.req.valid("param").id, c.get("adminActor"), outcome, note, now), now));
  });
