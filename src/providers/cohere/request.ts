import { ApiError } from "../../errors";
import type { ChatCompletionRequest as ChatInput } from "../../wire/chat";
import { forTranslation, type TranslatableChatRequest, type TranslatableMessage } from "../chat-policy";
import type { TransformContext, UpstreamRequest } from "../transform";

/**
 * OpenAI chat request → Cohere v2 `POST /chat` (base URL https://api.cohere.com/v2; the gateway adds
 * `Authorization: Bearer`). Cohere v2 messages are close to OpenAI's:
 * - system/developer → role system; user → user (text parts joined into Cohere content parts;
 *   image_url parts kept as `{type: "image_url", image_url: {url}}`, which Cohere's vision models take);
 * - assistant → assistant with `tool_calls` (same shape) and text content;
 * - tool → role tool with `tool_call_id` and its text content.
 * Parameters: temperature, top_p → p, stop → stop_sequences (≤ 5), seed, frequency_penalty,
 * presence_penalty, max_completion_tokens ?? max_tokens ?? ctx.outputCap → max_tokens,
 * response_format json_object / json_schema → `{type: "json_object", json_schema}`.
 * Tools: `{type: "function", function: {name, description, parameters}}`; tool_choice required → REQUIRED,
 * none → NONE, auto → omitted; a named function has no Cohere equivalent → 400.
 * Refused (400): logprobs / top_logprobs (not returned by this translation), a non-empty logit_bias.
 * Hints, unknown fields and reasoning_effort are dropped and named (src/providers/chat-policy.ts).
 */

const unsupported = (param: string, message: string) => new ApiError(400, "unsupported_parameter", message, { param, type: "invalid_request_error" });

type Part = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

function parts(content: unknown): Part[] | string {
  if (typeof content === "string" || content == null) return content ?? "";
  const out: Part[] = [];
  for (const p of content as Array<{ type: string; text?: string; image_url?: { url: string } }>) {
    if (p.type === "text") out.push({ type: "text", text: p.text ?? "" });
    else if (p.type === "image_url" && p.image_url) out.push({ type: "image_url", image_url: { url: p.image_url.url } });
    else throw unsupported("messages", `Cohere models on this gateway take text and image_url parts, not '${p.type}'.`);
  }
  return out;
}

const text = (content: unknown): string => {
  const p = parts(content);
  return typeof p === "string" ? p : p.map((x) => (x.type === "text" ? x.text : "")).join("");
};

function message(m: TranslatableMessage): Record<string, unknown> {
  switch (m.role) {
    case "system":
    case "developer":
      return { role: "system", content: text(m.content) };
    case "user":
      return { role: "user", content: parts(m.content) };
    case "tool":
      return { role: "tool", tool_call_id: m.tool_call_id, content: text(m.content) };
    case "assistant": {
      const out: Record<string, unknown> = { role: "assistant" };
      const t = text(m.content);
      if (m.tool_calls?.length) out.tool_calls = m.tool_calls.map((c) => ({ id: c.id, type: "function", function: { name: c.function.name, arguments: c.function.arguments } }));
      if (t !== "" || !m.tool_calls?.length) out.content = t;
      return out;
    }
  }
}

function options(req: TranslatableChatRequest, ctx: TransformContext): Record<string, unknown> {
  if (req.logprobs) throw unsupported("logprobs", "Cohere models on this gateway do not return log probabilities.");
  if (req.top_logprobs) throw unsupported("top_logprobs", "Cohere models on this gateway do not return log probabilities.");
  if (req.logit_bias && Object.keys(req.logit_bias).length > 0) throw unsupported("logit_bias", "Cohere does not support logit_bias.");
  const o: Record<string, unknown> = {};
  if (req.temperature != null) o.temperature = req.temperature;
  if (req.top_p != null) o.p = req.top_p;
  if (req.stop != null) {
    const stops = (typeof req.stop === "string" ? [req.stop] : req.stop).filter((s) => s !== "");
    if (stops.length) o.stop_sequences = stops.slice(0, 5);
  }
  const max = req.max_completion_tokens ?? req.max_tokens ?? ctx.outputCap;
  if (max != null) o.max_tokens = max;
  if (req.seed != null) o.seed = req.seed;
  if (req.frequency_penalty != null) o.frequency_penalty = req.frequency_penalty;
  if (req.presence_penalty != null) o.presence_penalty = req.presence_penalty;
  const rf = req.response_format;
  if (rf?.type === "json_object") o.response_format = { type: "json_object" };
  if (rf?.type === "json_schema") o.response_format = { type: "json_object", ...(rf.json_schema.schema ? { json_schema: rf.json_schema.schema } : {}) };
  return o;
}

function toolFields(req: TranslatableChatRequest): Record<string, unknown> {
  const tools = req.tools ?? [];
  const out: Record<string, unknown> = {};
  if (tools.length) {
    out.tools = tools.map((t) => ({
      type: "function",
      function: { name: t.function.name, ...(t.function.description ? { description: t.function.description } : {}), parameters: t.function.parameters ?? { type: "object", properties: {} } },
    }));
  }
  const choice = req.tool_choice;
  if (choice === undefined || choice === "auto") return out;
  if (typeof choice !== "string") throw unsupported("tool_choice", "Cohere cannot be made to call one named function; use \"required\" or \"auto\".");
  if (!tools.length) {
    if (choice === "none") return out;
    throw unsupported("tool_choice", "tool_choice requires tools.");
  }
  out.tool_choice = choice === "required" ? "REQUIRED" : "NONE";
  return out;
}

export function buildCohereRequest(input: ChatInput, ctx: TransformContext): UpstreamRequest {
  const { req, dropped } = forTranslation(input);
  const body: Record<string, unknown> = {
    model: ctx.upstreamModel,
    messages: req.messages.map(message),
    ...toolFields(req),
    ...options(req, ctx),
  };
  if (req.stream) body.stream = true;
  // No thinking budget is sent: the model's default applies, and nothing extra is billed for it.
  const named = req.reasoning_effort ? [...(dropped ?? []), "reasoning_effort"] : dropped;
  return { path: "/chat", headers: {}, body, dropped: named };
}
