import { Hono } from "hono";
import { z } from "zod";
import { estimateChatPromptTokens } from "../../billing/estimate";
import { config } from "../../config";
import { ApiError } from "../../errors";
import { accountStub } from "../../account/client";
import { rateHeaders, refusalError } from "../../gateway/meter";
import { resolveModels } from "../../gateway/resolve";
import { newId } from "../../lib/ids";
import { validate } from "../../middleware/validate";
import { messagesRequestSchema } from "../../surfaces/anthropic";
import type { ApiKeyEnv } from "../../middleware/api-key";

/**
 * Anthropic's count_tokens body is a Messages body without `max_tokens` (and without stream):
 * the same schema, with a placeholder max_tokens so that the one schema checks both.
 */
const countTokensSchema = z.preprocess(
  (v) => (typeof v === "object" && v !== null && !Array.isArray(v) ? { ...v, max_tokens: 1 } : v),
  messagesRequestSchema,
);

/**
 * POST /messages/count_tokens — Anthropic's token counting: `{"input_tokens": N}`, estimated with
 * the gateway's own prompt estimator (the one that sizes reservations). Not billed; counted
 * against the key's requests-per-minute limit (no reservation). Errors in Anthropic's shape.
 */
export const countTokens = new Hono<ApiKeyEnv>().post("/messages/count_tokens", validate("json", countTokensSchema), async (c) => {
  const req = c.req.valid("json");
  const cfg = config(c.env);
  const [model] = await resolveModels(c.env, cfg, req.model, undefined, "chat");
  const caller = c.get("caller");
  const result = await accountStub(c.env, caller.userId).countFreeRequest(caller.keyHash, cfg, newId("cnt_"));
  if (!result.ok) throw refusalError(result);
  if (!result.key.models || result.key.models.includes(model!.id)) {
    const system = (req.system ?? []).map((b) => b.text).join("\n\n");
    const input_tokens = estimateChatPromptTokens({ messages: [...(system ? [{ role: "system", content: system }] : []), ...req.messages], tools: req.tools });
    return c.json({ input_tokens }, 200, rateHeaders(result.rate));
  }
  throw new ApiError(403, "model_not_allowed", `This API key may not use the model '${model!.id}'.`);
});
