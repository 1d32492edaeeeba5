import { ApiError } from "../../errors";
import type { ChatCompletionRequest as ChatInput } from "../../wire/chat";
import { forTranslation, type TranslatableChatRequest as ChatCompletionRequest } from "../chat-policy";
import type { TransformContext, UpstreamRequest } from "../transform";
import { toGeminiContents } from "./messages";
import { toGeminiParameters, toResponseJsonSchema } from "./schema";

/**
 * OpenAI chat request → Gemini `generateContent` request (base URL …/v1beta; the gateway adds the
 * `x-goog-api-key` header, so no headers are set here).
 *
 * Path: `/models/<upstreamModel>:generateContent`, or `:streamGenerateContent?alt=sse` when
 * `stream` is true (`stream_options` needs no mapping: Gemini always reports usage).
 *
 * generationConfig:
 * - temperature → temperature (0–2 is Gemini's range too); top_p → topP; seed → seed;
 *   presence_penalty / frequency_penalty → presencePenalty / frequencyPenalty (some models reject
 *   penalties; that 400 comes from Gemini).
 * - stop (string or ≤4 strings; Gemini allows 5) → stopSequences.
 * - max_completion_tokens ?? max_tokens ?? ctx.outputCap → maxOutputTokens. On Gemini the thinking
 *   tokens count against this limit too.
 * - response_format json_object → responseMimeType "application/json"; json_schema → also
 *   `responseJsonSchema` (JSON Schema as sent, minus `$schema`; the newer field keeps
 *   additionalProperties/$ref, unlike the OpenAPI-subset `responseSchema`); text → nothing.
 * - reasoning_effort → thinkingConfig {thinkingBudget, includeThoughts: true}, with Google's own
 *   OpenAI-compatibility budgets: minimal 512, low 1024, medium 8192, high 24576 tokens (512 rather
 *   than 0 for minimal because the Pro models cannot switch thinking off). Without reasoning_effort
 *   no thinkingConfig is sent: the model's default thinking applies and no thoughts are returned.
 * - n is 1 at most (schema), so candidateCount is never sent.
 *
 * Tools: `tools: [{functionDeclarations: [{name, description, parameters}]}]` (parameters converted
 * by schema.ts; omitted for a function without parameters; `strict` dropped). tool_choice →
 * `toolConfig.functionCallingConfig.mode`: auto → AUTO, none → NONE, required → ANY,
 * {function: {name}} → ANY + allowedFunctionNames [name]. `parallel_tool_calls` is dropped: Gemini
 * has no switch for it and may still return several calls.
 *
 * Dropped harmlessly: modalities (text only), logprobs: false, top_logprobs: 0, an empty logit_bias.
 * Hints (user, metadata, store, service_tier, verbosity, prompt_cache_key, …, unknown fields) are
 * dropped and named in `dropped` (src/providers/chat-policy.ts).
 * 400 unsupported_parameter: logprobs: true, top_logprobs > 0, a non-empty logit_bias, a tool_choice
 * that needs tools when none are given or names an unknown function.
 */

const BUDGETS = { minimal: 512, low: 1024, medium: 8192, high: 24576 } as const;

const unsupported = (param: string, message: string) =>
  new ApiError(400, "unsupported_parameter", message, { param, type: "invalid_request_error" });

/** Gemini 3 and later validate thought signatures on replayed function calls. */
export function needsSignatureSentinel(upstreamModel: string): boolean {
  const major = /(?:^|\/)gemini-(\d+)/.exec(upstreamModel)?.[1];
  return major !== undefined && Number(major) >= 3;
}

function rejectUnsupported(req: ChatCompletionRequest): void {
  if (req.logprobs) throw unsupported("logprobs", "Gemini models on this gateway do not return log probabilities.");
  if (req.top_logprobs) throw unsupported("top_logprobs", "Gemini models on this gateway do not return log probabilities.");
  if (req.logit_bias && Object.keys(req.logit_bias).length > 0) throw unsupported("logit_bias", "Gemini does not support logit_bias.");
}

function generationConfig(req: ChatCompletionRequest, ctx: TransformContext): Record<string, unknown> {
  const g: Record<string, unknown> = {};
  if (req.temperature != null) g.temperature = req.temperature;
  if (req.top_p != null) g.topP = req.top_p;
  if (req.stop != null) {
    const stops = (typeof req.stop === "string" ? [req.stop] : req.stop).filter((s) => s !== "");
    if (stops.length > 0) g.stopSequences = stops.slice(0, 5);
  }
  const max = req.max_completion_tokens ?? req.max_tokens ?? ctx.outputCap;
  if (max != null) g.maxOutputTokens = max;
  if (req.seed != null) g.seed = req.seed;
  if (req.presence_penalty != null) g.presencePenalty = req.presence_penalty;
  if (req.frequency_penalty != null) g.frequencyPenalty = req.frequency_penalty;
  const rf = req.response_format;
  if (rf?.type === "json_object" || rf?.type === "json_schema") g.responseMimeType = "application/json";
  if (rf?.type === "json_schema" && rf.json_schema.schema) g.responseJsonSchema = toResponseJsonSchema(rf.json_schema.schema);
  if (req.reasoning_effort) g.thinkingConfig = { thinkingBudget: BUDGETS[req.reasoning_effort], includeThoughts: true };
  return g;
}

function toolFields(req: ChatCompletionRequest): Record<string, unknown> {
  const tools = req.tools ?? [];
  const out: Record<string, unknown> = {};
  if (tools.length > 0) {
    out.tools = [{
      functionDeclarations: tools.map((t) => {
        const decl: Record<string, unknown> = { name: t.function.name };
        if (t.function.description) decl.description = t.function.description;
        const parameters = toGeminiParameters(t.function.parameters);
        if (parameters) decl.parameters = parameters;
        return decl;
      }),
    }];
  }
  const choice = req.tool_choice;
  if (choice === undefined) return out;
  if (tools.length === 0) {
    if (choice === "none" || choice === "auto") return out;
    throw unsupported("tool_choice", "tool_choice requires tools.");
  }
  if (typeof choice === "string") {
    out.toolConfig = { functionCallingConfig: { mode: { auto: "AUTO", none: "NONE", required: "ANY" }[choice] } };
  } else {
    const name = choice.function.name;
    if (!tools.some((t) => t.function.name === name)) throw unsupported("tool_choice", `tool_choice names '${name}', which is not in tools.`);
    out.toolConfig = { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [name] } };
  }
  return out;
}

export function buildGeminiRequest(input: ChatInput, ctx: TransformContext): UpstreamRequest {
  const { req, dropped } = forTranslation(input);
  rejectUnsupported(req);
  const { contents, systemInstruction } = toGeminiContents(req.messages, { signatureSentinel: needsSignatureSentinel(ctx.upstreamModel) });
  const body: Record<string, unknown> = { contents };
  if (systemInstruction) body.systemInstruction = systemInstruction;
  Object.assign(body, toolFields(req));
  const g = generationConfig(req, ctx);
  if (Object.keys(g).length > 0) body.generationConfig = g;
  const path = req.stream
    ? `/models/${ctx.upstreamModel}:streamGenerateContent?alt=sse`
    : `/models/${ctx.upstreamModel}:generateContent`;
  return { path, headers: {}, body, dropped };
}
