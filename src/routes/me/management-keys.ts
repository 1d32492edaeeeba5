import { Hono } from "hono";
import { z } from "zod";
import { accountStub } from "../../account/client";
import { clientInfo } from "../../auth/security-log";
import { createManagementKey, managementKeyView, revokeManagementKey } from "../../keys/management";
import { requireVerifiedEmail, type SessionEnv } from "../../middleware/session";
import { validate } from "../../middleware/validate";

const SHOWN_ONCE = "Store this management key now: it is shown only once. It manages API keys through /api/v1/keys and cannot call models.";

/** The signed-in user's management keys (for the provisioning API on their own wallet). */
export const meManagementKeys = new Hono<SessionEnv>()
  .get("/management-keys", async (c) => {
    const keys = await accountStub(c.env, c.get("user").id).listManagementKeys();
    return c.json({ data: keys.map(managementKeyView) });
  })
  .post("/management-keys", requireVerifiedEmail(), validate("json", z.strictObject({ name: z.string().trim().min(1).max(100) })), async (c) => {
    const user = c.get("user");
    const { key, view } = await createManagementKey(c.env, user.id, user.id, c.req.valid("json").name, clientInfo(c));
    return c.json({ key, ...view, warning: SHOWN_ONCE }, 201);
  })
  .delete("/management-keys/:id", validate("param", z.object({ id: z.string().regex(/^mgk_[0-9a-z]{22}$/, "not a management key id") })), async (c) => {
    const user = c.get("user");
    return c.json(await revokeManagementKey(c.env, user.id, user.id, c.req.valid("param").id, clientInfo(c)));
  });
