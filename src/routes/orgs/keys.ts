import { Hono } from "hono";
import { accountStub } from "../../account/client";
import { clientInfo } from "../../auth/security-log";
import { createApiKey, SHOWN_ONCE } from "../../keys/create";
import { revokeApiKey, updateApiKey } from "../../keys/manage";
import { createKeySchema, patchKeySchema, toKeyPatch } from "../../keys/schema";
import { keyView } from "../../keys/view";
import { requireVerifiedEmail, type SessionEnv } from "../../middleware/session";
import { validate } from "../../middleware/validate";
import { MANAGERS, membership, withRole } from "../../orgs/membership";
import { orgKeyParam, orgParam } from "./params";

const KEY_USERS = ["owner", "admin", "member"] as const;

/**
 * An organization's keys: they draw from the organization's wallet and belong to the member who
 * created them (whose member spend limit applies too). Owners and admins see and manage all of
 * them; a member sees and revokes their own.
 */
export const orgKeyRoutes = new Hono<SessionEnv>()
  .get("/:id/keys", validate("param", orgParam), async (c) => {
    const m = await membership(c.env, c.req.valid("param").id, c.get("user").id);
    const keys = (await accountStub(c.env, m.orgId).listKeys()).filter((k) => MANAGERS.includes(m.role) || k.memberId === m.userId);
    const now = Date.now();
    return c.json({ data: keys.reverse().map((k) => ({ ...keyView(k, now), member_id: k.memberId })) });
  })
  .post("/:id/keys", requireVerifiedEmail(), validate("param", orgParam), validate("json", createKeySchema), async (c) => {
    const m = await withRole(c.env, c.req.valid("param").id, c.get("user").id, KEY_USERS);
    const { key, view } = await createApiKey(c.env, m.userId, c.req.valid("json"), clientInfo(c), m.orgId);
    return c.json({ key, ...view, member_id: m.userId, warning: SHOWN_ONCE }, 201);
  })
  .patch("/:id/keys/:keyId", validate("param", orgKeyParam), validate("json", patchKeySchema), async (c) => {
    const { id, keyId } = c.req.valid("param");
    const m = await withRole(c.env, id, c.get("user").id, MANAGERS);
    return c.json(await updateApiKey(c.env, undefined, keyId, toKeyPatch(c.req.valid("json"), Date.now()), clientInfo(c), m.orgId));
  })
  .delete("/:id/keys/:keyId", validate("param", orgKeyParam), async (c) => {
    const { id, keyId } = c.req.valid("param");
    const m = await membership(c.env, id, c.get("user").id);
    const own = MANAGERS.includes(m.role) ? undefined : m.userId;
    return c.json(await revokeApiKey(c.env, keyId, clientInfo(c), own, m.orgId));
  });
