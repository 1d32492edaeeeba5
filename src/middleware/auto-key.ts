import { createMiddleware } from "hono/factory";
import { config } from "../config";
import { accountStub } from "../account/client";
import { refusalError } from "../gateway/meter";
import { AUTO_MODEL_ID } from "../routing/auto";
import type { ApiKeyEnv } from "./api-key";

/** Whether the JSON body asks for `model: "auto"` (a body that is not JSON is left to the validator). */
async function asksForAuto(text: string): Promise<boolean> {
  if (!text.includes(`"${AUTO_MODEL_ID}"`)) return false;
  try {
    const body = JSON.parse(text) as unknown;
    return typeof body === "object" && body !== null && (body as { model?: unknown }).model === AUTO_MODEL_ID;
  } catch {
    return false;
  }
}

/**
 * `model: "auto"` makes the gateway read the request's text to classify it (src/routing). That
 * work is done only for a caller whose key the user's Durable Object has verified (live, not
 * revoked or expired, account usable): a forged, revoked or refused key gets its 401/403 first.
 * Other models skip this (admission verifies the key before any upstream work).
 */
export function verifiedKeyBeforeAuto() {
  return createMiddleware<ApiKeyEnv>(async function verifiedKeyBeforeAuto(c, next) {
    if (c.req.method === "POST" && await asksForAuto(await c.req.text())) {
      const caller = c.get("caller");
      const result = await accountStub(c.env, caller.userId).verifyKey(caller.keyHash, config(c.env));
      if (!result.ok) throw refusalError(result);
    }
    await next();
  });
}
