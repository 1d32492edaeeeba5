import { Hono } from "hono";
import { apiKeyAuth } from "../../middleware/api-key";
import { verifiedKeyBeforeAuto } from "../../middleware/auto-key";
import { limitBody, requireJson } from "../../middleware/body-limit";
import { chatCompletions } from "./chat-completions";
import { countTokens } from "./count-tokens";
import { credits } from "./credits";
import { embeddings } from "./embeddings";
import { generation } from "./generation";
import { messages } from "./messages";
import { models } from "./models";
import { provisioningKeys } from "./provisioning-keys";
import { recommendations } from "./recommendations";
import { responses } from "./responses";
import type { ErrorFormatEnv } from "../../errors";

/** The OpenAI-compatible API, mounted at /api/v1 and at /v1. */
export function v1Api() {
  const api = new Hono<ErrorFormatEnv>();
  api.use(async function errorShape(c, next) {
    // /messages speaks Anthropic's API, errors included; everything else OpenAI's.
    c.set("errorFormat", /\/messages(?:\/|$)/.test(c.req.path) ? "anthropic" : "openai");
    await next();
  });
  api.route("/", recommendations); // before models: /models/:id would catch /models/recommendations
  api.route("/", models);
  api.use("/keys", limitBody(), requireJson());
  api.use("/keys/*", limitBody(), requireJson());
  api.route("/", provisioningKeys); // management keys only; before the API-key check
  api.use(apiKeyAuth(), limitBody(), requireJson());
  api.use("/chat/completions", verifiedKeyBeforeAuto());
  api.route("/", chatCompletions);
  api.route("/", countTokens); // before messages
  api.route("/", messages);
  api.route("/", responses);
  api.route("/", embeddings);
  api.route("/", generation);
  api.route("/", credits);
  return api;
}
