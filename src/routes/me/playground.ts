import { Hono } from "hono";
import type { Env } from "../../env";
import { storeNewKey } from "../../keys/create";
import { liveKeyHashNamed } from "../../keys/manage";
import type { ApiKeyVariables } from "../../middleware/api-key";
import { requireVerifiedEmail, type SessionVariables } from "../../middleware/session";
import { chatCompletions } from "../v1/chat-completions";

/** The key the playground bills to; visible (and revocable) in the user's key list under this name. */
export const PLAYGROUND_KEY_NAME = "Playground (dashboard)";

/**
 * The hash of the user's playground key, creating the key on first use. The plaintext key is
 * generated, hashed and dropped at once: neither the server nor the browser ever keeps it, and the
 * session (not a key) authorizes playground calls. Revoking it just makes the next call mint another.
 */
async function playgroundKeyHash(env: Env, userId: string): Promise<string> {
  const existing = await liveKeyHashNamed(env, userId, PLAYGROUND_KEY_NAME);
  if (existing) return existing;
  const { record } = await storeNewKey(env, userId, PLAYGROUND_KEY_NAME, {});
  return record.keyHash;
}

/**
 * POST /playground/chat/completions — the dashboard's chat playground. The very same metered handler
 * as /api/v1/chat/completions (admission, balance, streaming, settlement, usage log), authorized by
 * the session + CSRF of the /api/me router instead of a pasted key. Nothing of the conversation is stored (P16, P30).
 */
type PlaygroundEnv = { Bindings: Env; Variables: SessionVariables & ApiKeyVariables };

export const playground = new Hono<PlaygroundEnv>()
  .use("/playground/*", requireVerifiedEmail(), async (c, next) => {
    const userId = c.get("user").id;
    c.set("caller", { userId, keyHash: await playgroundKeyHash(c.env, userId) });
    await next();
  })
  .route("/playground", chatCompletions);
