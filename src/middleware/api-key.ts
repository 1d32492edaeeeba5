import type { MiddlewareHandler } from "hono";
import { ApiError } from "../errors";
import { parseApiKey, sha256Hex } from "../lib/api-key";

export interface CallerKey {
  userId: string;
  keyHash: string;
}

declare module "hono" {
  interface ContextVariableMap {
    caller: CallerKey;
  }
}

/**
 * Reads the API key from `Authorization: Bearer` or `x-api-key`, checks its format and hashes it.
 * The key itself is verified by the user's Durable Object in the same call that admits the request.
 */
export function apiKeyAuth(): MiddlewareHandler {
  return async function apiKeyAuth(c, next) {
    const auth = c.req.header("authorization");
    const raw = auth?.toLowerCase().startsWith("bearer ") ? auth.slice(7).trim() : c.req.header("x-api-key")?.trim();
    if (!raw) throw new ApiError(401, "missing_api_key", "Missing API key: send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.");
    const parsed = parseApiKey(raw);
    if (!parsed) throw new ApiError(401, "invalid_api_key", "Invalid API key.");
    c.set("caller", { userId: parsed.userId, keyHash: await sha256Hex(parsed.key) });
    await next();
  };
}
