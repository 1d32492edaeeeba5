import { Hono } from "hono";
import { messagesAdapter } from "../../gateway/adapters/messages";
import { runMetered } from "../../gateway/pipeline/run";
import { validate } from "../../middleware/validate";
import { messagesRequestSchema } from "../../surfaces/anthropic";
import type { ApiKeyEnv } from "../../middleware/api-key";

/** POST /messages — Anthropic's Messages API (errors in Anthropic's shape), metered (gateway/pipeline). */
export const messages = new Hono<ApiKeyEnv>().post("/messages", validate("json", messagesRequestSchema), (c) =>
  runMetered(c, messagesAdapter(c.req.valid("json"), c.req.raw.headers), c.get("caller")));
