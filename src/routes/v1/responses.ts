import { Hono } from "hono";
import { responsesAdapter } from "../../gateway/adapters/responses";
import { runMetered } from "../../gateway/pipeline/run";
import { validate } from "../../middleware/validate";
import { responsesSchema } from "../../wire/responses";
import type { ApiKeyEnv } from "../../middleware/api-key";

/** POST /responses — OpenAI's Responses API, passed through to OpenAI-format providers, metered (gateway/pipeline). */
export const responses = new Hono<ApiKeyEnv>().post("/responses", validate("json", responsesSchema), (c) =>
  runMetered(c, responsesAdapter(c.req.valid("json")), c.get("caller")));
