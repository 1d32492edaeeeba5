import { Hono } from "hono";
import { clientInfo } from "../../auth/security-log";
import { providerKeyBody, providerParam } from "../../byok/schema";
import { deleteProviderKey, listProviderKeys, storeProviderKey } from "../../byok/store";
import { requireVerifiedEmail, type SessionEnv } from "../../middleware/session";
import { validate } from "../../middleware/validate";

/** The signed-in user's own provider keys (BYOK) for their own wallet. The key is never returned. */
export const meProviderKeys = new Hono<SessionEnv>()
  .get("/provider-keys", async (c) => c.json({ data: await listProviderKeys(c.env, c.get("user").id) }))
  .put("/provider-keys/:provider", requireVerifiedEmail(), validate("param", providerParam), validate("json", providerKeyBody), async (c) => {
    const user = c.get("user");
    const body = c.req.valid("json");
    return c.json(await storeProviderKey(c.env, user.id, c.req.valid("param").provider, body.key, body.allow_fallback ?? false, { userId: user.id, ...clientInfo(c) }));
  })
  .delete("/provider-keys/:provider", validate("param", providerParam), async (c) => {
    const user = c.get("user");
    return c.json(await deleteProviderKey(c.env, user.id, c.req.valid("param").provider, { userId: user.id, ...clientInfo(c) }));
  });
