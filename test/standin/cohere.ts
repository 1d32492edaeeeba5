// Cohere v2 routes: POST /cohere/v2/chat and /cohere/v2/embed, replaying recorded fixtures
// (model `fixture:cohere/<name>`; the default is cohere/cohere-text, or cohere/cohere-embedding).
// `stream: true` replays the .chunks.txt file as `event: <type>\ndata: <json>` SSE (README table).
import { loadFixture } from "./fixtures.js";
import { sendJson, type Ctx } from "./http.js";
import { framingFor, replay } from "./sse.js";

function cohereError(ctx: Ctx, status: number, message: string): void {
  sendJson(ctx.res, status, { id: "standin-error", message });
}

function fixtureName(model: string, fallback: string): string {
  return model.startsWith("fixture:") ? model.slice(8) : fallback;
}

export async function handleCohereChat(ctx: Ctx): Promise<void> {
  if (ctx.model === "error:400") return cohereError(ctx, 400, "invalid request: message must be at least 1 token long or tool results must be specified.");
  if (ctx.model === "error:429") return cohereError(ctx, 429, "You are using a Trial key, which is limited to 10 API calls / minute.");
  const f = loadFixture(fixtureName(ctx.model, "cohere/cohere-text"));
  if (!f) return cohereError(ctx, 404, `model '${ctx.model}' not found`);
  if (ctx.stream && f.lines) return replay(ctx.res, ctx.live, framingFor("cohere", true), f.lines, {});
  if (f.json === undefined) return cohereError(ctx, 400, "standin: this fixture is recorded as a stream only");
  return sendJson(ctx.res, 200, f.json);
}

export async function handleCohereEmbed(ctx: Ctx): Promise<void> {
  if (!Array.isArray(ctx.body.texts) || typeof ctx.body.input_type !== "string") {
    return cohereError(ctx, 400, "invalid request: texts and input_type are required for embedding models v3 and higher.");
  }
  const f = loadFixture(fixtureName(ctx.model, "cohere/cohere-embedding"));
  if (!f || f.json === undefined) return cohereError(ctx, 404, `model '${ctx.model}' not found`);
  return sendJson(ctx.res, 200, f.json);
}
