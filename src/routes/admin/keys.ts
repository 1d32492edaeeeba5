import { Hono } from "hono";
import { clientInfo } from "../../auth/security-log";
import { createApiKey, SHOWN_ONCE } from "../../keys/create";
import { revokeApiKey } from "../../keys/manage";
import { createKeySchema, keyIdParam } from "../../keys/schema";
import { validate } from "../../middleware/validate";
import { requireUser, userIdParam } from "./users";
import type { AdminEnv } from "../../middleware/admin-auth";

/** Operator API: create a key for a user (shown once) and revoke keys. */
export const adminKeys = new Hono<AdminEnv>()
  .post("/users/:id/keys", validate("param", userIdParam), validate("json", createKeySchema), async (c) => {
    const { id: userId } = c.req.valid("param");
    await requireUser(c.env, userId);
    const { key, view } = await createApiKey(c.env, userId, c.req.valid("json"), { ...clientInfo(c), operator: true });
    return c.json({ ...view, key, warning: SHOWN_ONCE }, 201);
  })
  .delete("/keys/:id", validate("param", keyIdParam), async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await revokeApiKey(c.env, id, { ...clientInfo(c), operator: true }));
  });
