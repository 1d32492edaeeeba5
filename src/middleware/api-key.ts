import { createMiddleware } from "hono/factory";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { settings } from "../lib/settings";
import { keysNotConfigured, keyTagSecret, MANAGEMENT_PREFIX, parseApiKey, sha256Hex, taggedKeyHash } from "../lib/api-key";

export interface CallerKey {
  userId: string;
  keyHash: string;
}

/** What apiKeyAuth() sets: the caller's user id and key hash (the key is verified later, at admission). */
export type ApiKeyVariables = { caller: CallerKey };
/** The Hono environment of a router behind apiKeyAuth(). */
export type ApiKeyEnv = { Bindings: Env; Variables: ApiKeyVariables };

/**
 * Reads the API key from `Authorization: Bearer` or `x-api-key`, checks its format and its tag
 * (src/lib/api-key.ts) and hashes it. A key the worker did not issue is refused here, before any
 * D1 read or Durable Object. The key itself (revoked, expired, limits) is then verified by the
 * user's Durable Object in the same call that admits the request. LEGACY_UNTAGGED_KEYS=on lets keys
 * issued before tags existed through to that check (a migration window; see docs/accounts.md).
 */
export function apiKeyAuth() {
  return createMiddleware<ApiKeyEnv>(async function apiKeyAuth(c, next) {
    const auth = c.req.header("authorization");
    const raw = auth?.toLowerCase().startsWith("bearer ") ? auth.slice(7).trim() : c.req.header("x-api-key")?.trim();
    if (!raw) throw new ApiError(401, "missing_api_key", "Missing API key: send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.");
    if (raw.startsWith(MANAGEMENT_PREFIX)) {
      throw new ApiError(403, "management_key_not_allowed", "A management key cannot call models: it only manages API keys (/api/v1/keys). Use an API key.");
    }
    const parsed = parseApiKey(raw);
    if (!parsed) throw new ApiError(401, "invalid_api_key", "Invalid API key.");
    const tagSecret = await keyTagSecret(c.env);
    if (!tagSecret) throw keysNotConfigured();
    const keyHash = (await taggedKeyHash(parsed, tagSecret)) ?? (settings(c.env).LEGACY_UNTAGGED_KEYS ? await sha256Hex(parsed.key) : null);
    if (!keyHash) throw new ApiError(401, "invalid_api_key", "Invalid API key.");
    c.set("caller", { userId: parsed.userId, keyHash });
    await next();
  });
}
