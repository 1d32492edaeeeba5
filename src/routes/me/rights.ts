import { Hono } from "hono";
import { z } from "zod";
import { reauthenticate } from "../../auth/reauth";
import { validate } from "../../middleware/validate";
import { fileRequest, listUserRightsRequests, rightsView } from "../../retention/rights-desk";
import { RIGHT_KINDS, RIGHTS } from "../../retention/rights-kinds";
import type { SessionEnv } from "../../middleware/session";

const fileBody = z.strictObject({
  kind: z.enum(RIGHT_KINDS),
  details: z.string().trim().max(2000).optional(),
  password: z.string().min(1).max(1024).optional(),
});

/**
 * The rights desk for users (P28): GET /rights-requests/kinds, POST /rights-requests (re-authenticated
 * like a password change), GET /rights-requests (status page). Erasure deletes the account at once,
 * so it also ends the session.
 */
export const meRights = new Hono<SessionEnv>()
  .get("/rights-requests/kinds", (c) =>
    c.json({ data: RIGHT_KINDS.map((k) => ({ kind: k, label: RIGHTS[k].label, self_service: RIGHTS[k].selfService, source: RIGHTS[k].source })), answer_within_days: 30 }))
  .get("/rights-requests", async (c) => {
    const now = Date.now();
    const rows = await listUserRightsRequests(c.env, c.get("user").id);
    return c.json({ data: rows.map((r) => rightsView(r, now)) });
  })
  .post("/rights-requests", validate("json", fileBody), async (c) => {
    const { kind, details, password } = c.req.valid("json");
    const user = c.get("user");
    const now = Date.now();
    await reauthenticate(c.env, { user, session: c.get("session") }, password, "password", now);
    const row = await fileRequest(c.env, { id: user.id, email: user.email }, kind, details || null, now);
    return c.json(rightsView(row, now), 201);
  });
