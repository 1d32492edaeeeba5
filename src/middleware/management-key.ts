import { createMiddleware } from "hono/factory";
import { accountStub } from "../account/client";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { hasValidTag, keysNotConfigured, keyTagSecret, parseManagementKey, sha256Hex } from "../lib/api-key";

export interface ManagementCaller { walletId: string; managementKeyId: string }

/** What managementKeyAuth() sets: the wallet the management key belongs to, and the key's id. */
export type ManagementVariables = { management: ManagementCaller };
/** The Hono environment of a route behind managementKeyAuth() (the provisioning API). */
export type ManagementEnv = { Bindings: Env; Variables: ManagementVariables };

const invalid = () => new ApiError(401, "invalid_management_key", "Invalid management key: the provisioning API takes a management key (sk-gw-mgmt-…), not an API key.");

/**
 * The provisioning API's authentication: a management key as `Authorization: Bearer`. Its tag is
 * checked first (a forged key touches nothing), then the wallet's Durable Object, the authority
 * for it, is asked whether it is live.
 */
export function managementKeyAuth() {
  return createMiddleware<ManagementEnv>(async function managementKeyAuth(c, next) {
    const auth = c.req.header("authorization");
    const raw = auth?.toLowerCase().startsWith("bearer ") ? auth.slice(7).trim() : c.req.header("x-api-key")?.trim();
    const parsed = raw ? parseManagementKey(raw) : null;
    if (!parsed) throw invalid();
    const tagSecret = await keyTagSecret(c.env);
    if (!tagSecret) throw keysNotConfigured();
    if (!(await hasValidTag(parsed, tagSecret))) throw invalid();
    const key = await accountStub(c.env, parsed.walletId).verifyManagementKey(await sha256Hex(parsed.key));
    if (!key) throw invalid();
    c.set("management", { walletId: parsed.walletId, managementKeyId: key.id });
    await next();
  });
}
