import { Hono } from "hono";
import { z } from "zod";
import { appOrigin } from "../../auth/config";
import { requireVerifiedEmail, type SessionEnv } from "../../middleware/session";
import { validate } from "../../middleware/validate";
import { acceptInvitation, invite, pendingInvitations } from "../../orgs/invitations";
import { MANAGERS, withRole } from "../../orgs/membership";
import { sendQueuedMail } from "../auth/background";
import { orgParam } from "./params";

const inviteBody = z.strictObject({ email: z.email().max(254), role: z.enum(["admin", "member", "billing"]).default("member") });

/** Invitations: owners and admins invite by email; the invited user accepts with the link's token. */
export const invitationRoutes = new Hono<SessionEnv>()
  .post("/invitations/accept", requireVerifiedEmail(), validate("json", z.strictObject({ token: z.string().min(10).max(300) })), async (c) => {
    return c.json(await acceptInvitation(c.env, c.req.valid("json").token, c.get("user")));
  })
  .get("/:id/invitations", validate("param", orgParam), async (c) => {
    const m = await withRole(c.env, c.req.valid("param").id, c.get("user").id, MANAGERS);
    return c.json({ data: await pendingInvitations(c.env, m.orgId) });
  })
  .post("/:id/invitations", validate("param", orgParam), validate("json", inviteBody), async (c) => {
    const m = await withRole(c.env, c.req.valid("param").id, c.get("user").id, MANAGERS);
    const body = c.req.valid("json");
    const sent = await invite(c.env, m, body.email, body.role, appOrigin(c.env, c.req.url));
    sendQueuedMail(c);
    return c.json(sent, 201);
  });
