import { Hono } from "hono";
import { embeddingsAdapter } from "../../gateway/adapters/embeddings";
import { runMetered } from "../../gateway/pipeline/run";
import { validate } from "../../middleware/validate";
import { embeddingsSchema } from "../../wire/embeddings";
import type { ApiKeyEnv } from "../../middleware/api-key";

/** POST /embeddings — OpenAI Embeddings, metered by input tokens (gateway/pipeline). */
export const embeddings = new Hono<ApiKeyEnv>().post("/embeddings", validate("json", embeddingsSchema), (c) =>
  runMetered(c, embeddingsAdapter(c.req.valid("json")), c.get("caller")));
