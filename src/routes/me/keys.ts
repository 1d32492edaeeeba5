import { Hono } from "hono";
import { clientInfo } from "../../auth/security-log";
import { accountStub } from "../../account/client";
import { createApiKey, SHOWN_ONCE } from "../../keys/create";
import { revokeApiKey, updateApiKey } from "../../keys/manage";
import { createKeySchema, keyIdParam, patchKeySchema, toKeyPatch } from "../../keys/schema";
import { keyView } from "../../keys/view";
import { requireVerifiedEmail, type SessionEnv } from "../../middleware/session";
import { validate } from "../../middleware/validate";

/** The signed-in user's API keys. Every key id is looked up within the user's own keys only. */
export const meKeys = new Hono<SessionEnv>()
  .get("/keys", async (c) => {
    // The Durable Object holds the live figures (last use, spend); newest key first.
    const keys = await accountStub(c.env, c.get("user").id).listKeys();
    const now = Date.now();
    return c.json({ data: keys.reverse().map((k) => keyView(k, now)) });
  })
  .post("/keys", requireVerifiedEmail(), validate("json", createKeySchema), async (c) => {
    const { key, view } = await createApiKey(c.env, c.get("user").id, c.req.valid("json"), clientInfo(c));
    return c.json({ key, ...view, warning: SHOWN_ONCE }, 201);
  })
  .patch("/keys/:id", validate("param", keyIdParam), validate("json", patchKeySchema), async (c) => {
    const patch = toKeyPatch(c.req.valid("json"), Date.now());
    return c.json(await updateApiKey(c.env, c.get("user").id, c.req.valid("param").id, patch, clientInfo(c)));
  })
  .delete("/keys/:id", validate("param", keyIdParam), async (c) => {
    return c.json(await revokeApiKey(c.env, c.req.valid("param").id, clientInfo(c), c.get("user").id));
  });
