import { Hono } from "hono";
import { accountStub } from "../../account/client";
import { clientInfo } from "../../auth/security-log";
import type { BaseEnv } from "../../env";
import { ApiError } from "../../errors";
import { storeNewKey } from "../../keys/create";
import { keyOwner, revokeApiKey, updateApiKey } from "../../keys/manage";
import { provisionCreateSchema, provisionPatchSchema, provisionView, toProvisionPatch } from "../../keys/provisioning";
import { keyIdParam } from "../../keys/schema";
import { managementKeyAuth } from "../../middleware/management-key";
import { validate } from "../../middleware/validate";
import { logSecurityEvent } from "../../auth/security-log";

/**
 * The provisioning API (OpenRouter's shape): a management key creates, lists, changes and deletes
 * its wallet's API keys. Keys of any other wallet are answered as unknown (404).
 */
export const provisioningKeys = new Hono<BaseEnv>()
  .use("/keys", managementKeyAuth())
  .use("/keys/*", managementKeyAuth())
  .get("/keys", async (c) => {
    const keys = await accountStub(c.env, c.get("management").walletId).listKeys();
    return c.json({ data: keys.reverse().map(provisionView) });
  })
  .post("/keys", validate("json", provisionCreateSchema), async (c) => {
    const { walletId, managementKeyId } = c.get("management");
    if (walletId.startsWith("o")) throw new ApiError(400, "invalid_request", "An organization's keys belong to a member: create them in the organization.");
    const now = Date.now();
    const body = c.req.valid("json");
    const { key, record } = await storeNewKey(c.env, walletId, body.name, toProvisionPatch(body, now), now);
    const actor = clientInfo(c);
    await logSecurityEvent(c.env, { userId: walletId, kind: "key_created", outcome: "success", ...actor, detail: `${record.id} by management key ${managementKeyId}` }, now);
    const info = (await accountStub(c.env, walletId).listKeys()).find((k) => k.id === record.id)!;
    return c.json({ data: provisionView(info), key }, 201);
  })
  .get("/keys/:id", validate("param", keyIdParam), async (c) => {
    const { walletId } = c.get("management");
    const id = c.req.valid("param").id;
    await keyOwner(c.env, id, undefined, walletId);
    const info = (await accountStub(c.env, walletId).listKeys()).find((k) => k.id === id);
    if (!info) throw new ApiError(404, "key_not_found", `No key '${id}'.`, { param: "id" });
    return c.json({ data: provisionView(info) });
  })
  .patch("/keys/:id", validate("param", keyIdParam), validate("json", provisionPatchSchema), async (c) => {
    const { walletId } = c.get("management");
    const id = c.req.valid("param").id;
    await updateApiKey(c.env, undefined, id, toProvisionPatch(c.req.valid("json"), Date.now()), clientInfo(c), walletId);
    const info = (await accountStub(c.env, walletId).listKeys()).find((k) => k.id === id)!;
    return c.json({ data: provisionView(info) });
  })
  .delete("/keys/:id", validate("param", keyIdParam), async (c) => {
    const { walletId } = c.get("management");
    await revokeApiKey(c.env, c.req.valid("param").id, clientInfo(c), undefined, walletId);
    return c.json({ deleted: true });
  });
