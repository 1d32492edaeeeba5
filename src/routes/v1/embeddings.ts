import { Hono } from "hono";
import type { Env } from "../../env";
import { embeddingsAdapter } from "../../gateway/adapters/embeddings";
import { runMetered } from "../../gateway/pipeline/run";
import { validate } from "../../middleware/validate";
import { embeddingsSchema } from "../../wire/embeddings";

/** POST /embeddings — OpenAI Embeddings, metered by input tokens (gateway/pipeline). */
export const embeddings = new Hono<{ Bindings: Env }>().post("/embeddings", validate("json", embeddingsSchema), (c) =>
  runMetered(c, embeddingsAdapter(c.req.valid("json")), c.get("caller")));
