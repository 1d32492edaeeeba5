import { createMiddleware } from "hono/factory";
import type { KeyInfo } from "../account/types";
import type { Env } from "../env";
import { config } from "../config";
import { accountStub } from "../account/client";
import { rateHeaders, refusalError } from "../gateway/meter";
import type { ApiKeyVariables } from "./api-key";

/** The Hono environment of a route behind apiKeyAuth() and verifiedKey(): the caller and its verified key. */
export type VerifiedKeyEnv = { Bindings: Env; Variables: ApiKeyVariables & { key: KeyInfo } };

/** For read-only routes: asks the user's Durable Object whether the key is usable (one RPC). */
export function verifiedKey() {
  return createMiddleware<VerifiedKeyEnv>(async function verifiedKey(c, next) {
    const caller = c.get("caller");
    const result = await accountStub(c.env, caller.userId).verifyKey(caller.keyHash, config(c.env));
    if (!result.ok) throw refusalError(result);
    c.set("key", result.key);
    await next();
    for (const [name, value] of Object.entries(rateHeaders(result.rate))) c.res.headers.set(name, value);
  });
}
