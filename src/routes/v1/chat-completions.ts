import { Hono } from "hono";
import { chatAdapter } from "../../gateway/adapters/chat";
import { runMetered } from "../../gateway/pipeline/run";
import { validate } from "../../middleware/validate";
import { chatCompletionSchema } from "../../wire/chat";
import type { ApiKeyEnv } from "../../middleware/api-key";

/** POST /chat/completions — OpenAI Chat Completions, streamed and not, metered (gateway/pipeline). */
export const chatCompletions = new Hono<ApiKeyEnv>().post("/chat/completions", validate("json", chatCompletionSchema), (c) =>
  runMetered(c, chatAdapter(c.req.valid("json")), c.get("caller")));
