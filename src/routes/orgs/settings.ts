import { Hono } from "hono";
import { accountStub } from "../../account/client";
import { clientInfo } from "../../auth/security-log";
import { providerKeyBody, providerParam } from "../../byok/schema";
import { deleteProviderKey, listProviderKeys, storeProviderKey } from "../../byok/store";
import { managementKeyView } from "../../keys/management";
import { validate } from "../../middleware/validate";
import { MANAGERS, withRole } from "../../orgs/membership";
import { orgParam } from "./params";
import type { SessionEnv } from "../../middleware/session";

/** The organization's own provider keys (BYOK) and its management keys' list: owners and admins only. */
export const orgSettingsRoutes = new Hono<SessionEnv>()
  .get("/:id/provider-keys", validate("param", orgParam), async (c) => {
    const m = await withRole(c.env, c.req.valid("param").id, c.get("user").id, MANAGERS);
    return c.json({ data: await listProviderKeys(c.env, m.orgId) });
  })
  .put("/:id/provider-keys/:provider", validate("param", orgParam.merge(providerParam)), validate("json", providerKeyBody), async (c) => {
    const p = c.req.valid("param");
    const m = await withRole(c.env, p.id, c.get("user").id, MANAGERS);
    const body = c.req.valid("json");
    return c.json(await storeProviderKey(c.env, m.orgId, p.provider, body.key, body.allow_fallback ?? false, { userId: m.userId, ...clientInfo(c) }));
  })
  .delete("/:id/provider-keys/:provider", validate("param", orgParam.merge(providerParam)), async (c) => {
    const p = c.req.valid("param");
    const m = await withRole(c.env, p.id, c.get("user").id, MANAGERS);
    return c.json(await deleteProviderKey(c.env, m.orgId, p.provider, { userId: m.userId, ...clientInfo(c) }));
  })
  .get("/:id/management-keys", validate("param", orgParam), async (c) => {
    const m = await withRole(c.env, c.req.valid("param").id, c.get("user").id, MANAGERS);
    return c.json({ data: (await accountStub(c.env, m.orgId).listManagementKeys()).map(managementKeyView) });
  });
