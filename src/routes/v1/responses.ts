import { Hono } from "hono";
import type { Env } from "../../env";
import { responsesAdapter } from "../../gateway/adapters/responses";
import { runMetered } from "../../gateway/pipeline/run";
import { validate } from "../../middleware/validate";
import { responsesSchema } from "../../wire/responses";

/** POST /responses — OpenAI's Responses API, passed through to OpenAI-format providers, metered (gateway/pipeline). */
export const responses = new Hono<{ Bindings: Env }>().post("/responses", validate("json", responsesSchema), (c) =>
  runMetered(c, responsesAdapter(c.req.valid("json")), c.get("caller")));
