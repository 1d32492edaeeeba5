import type { ChatCompletionRequest, FunctionTool } from "../../wire/chat";
import { convertMessages } from "./messages";
import { isCustomTool, isKnownBlock, messagesRequestSchema, type MessagesRequest } from "./schema";
import { unsupported } from "./shared";

type Effort = "low" | "medium" | "high";

/** OpenAI allows at most this many stop sequences. */
export const MAX_STOP_SEQUENCES = 4;

/**
 * Thinking budget → reasoning_effort: budget_tokens ≤ 2048 → low, ≤ 8192 → medium, else high
 * (the inverse of the budgets the Anthropic provider uses for low/medium/high: 2048/8192/16384).
 */
export function effortForBudget(budget: number): Effort {
  if (budget <= 2048) return "low";
  if (budget <= 8192) return "medium";
  return "high";
}

/**
 * `thinking` and `output_config.effort` → `reasoning_effort`:
 * - thinking disabled → none (the model's default);
 * - output_config.effort when given: low/medium/high as is, xhigh/max → high;
 * - else thinking enabled → effortForBudget(budget_tokens); adaptive or absent → none.
 * `display` (summarized/omitted) is dropped: reasoning text is returned when the provider sends it.
 */
function reasoningEffort(req: MessagesRequest): Effort | undefined {
  if (req.thinking?.type === "disabled") return undefined;
  const effort = req.output_config?.effort;
  if (effort) return effort === "xhigh" || effort === "max" ? "high" : effort;
  if (req.thinking?.type === "enabled") return effortForBudget(req.thinking.budget_tokens);
  return undefined;
}

/**
 * tools → function tools `{type: "function", function: {name, description, parameters:
 * input_schema, strict}}`; `cache_control` and `eager_input_streaming` are dropped.
 *
 * tool_choice: auto → "auto", any → "required", none → "none", tool → {type: "function",
 * function: {name}} (the name must be one of the tools, else 400).
 * disable_parallel_tool_use: true → parallel_tool_calls: false.
 * Without tools, tool_choice and disable_parallel_tool_use are dropped (OpenAI rejects them
 * without tools, and there is nothing to choose from), except a named tool, which is a 400.
 */
function convertTools(req: MessagesRequest): Pick<ChatCompletionRequest, "tools" | "tool_choice" | "parallel_tool_calls"> {
  const choice = req.tool_choice;
  const tools = req.tools ?? [];
  if (choice?.type === "tool" && !tools.some((t) => t.name === choice.name)) {
    throw unsupported("tool_choice.name", `tool_choice names the tool '${choice.name}', which is not in tools.`);
  }
  const bad = tools.findIndex((t) => !isCustomTool(t));
  if (bad >= 0) throw unsupported(`tools[${bad}].type`, `The Anthropic-defined tool '${tools[bad]!.type}' is served by Claude models only; use a custom tool.`);
  if (tools.length === 0) return {};
  const out: Pick<ChatCompletionRequest, "tools" | "tool_choice" | "parallel_tool_calls"> = {
    tools: tools.filter(isCustomTool).map((t) => {
      const fn: FunctionTool["function"] = { name: t.name, parameters: t.input_schema };
      if (t.description !== undefined) fn.description = t.description;
      if (t.strict !== undefined) fn.strict = t.strict;
      return { type: "function", function: fn };
    }),
  };
  if (choice) {
    if (choice.type === "auto") out.tool_choice = "auto";
    else if (choice.type === "any") out.tool_choice = "required";
    else if (choice.type === "none") out.tool_choice = "none";
    else out.tool_choice = { type: "function", function: { name: choice.name } };
    if (choice.type !== "none" && choice.disable_parallel_tool_use === true) out.parallel_tool_calls = false;
  }
  return out;
}

/**
 * An Anthropic Messages request → the OpenAI ChatCompletionRequest the gateway's normal pipeline
 * serves (it passes chatCompletionSchema). Messages: see messages.ts. Other fields:
 *
 * - model → model (the integrator resolves it as usual); max_tokens → max_tokens.
 * - temperature, top_p → same (Anthropic's 0–1 temperature is within OpenAI's 0–2).
 * - top_k → dropped (no OpenAI equivalent; a sampling hint only).
 * - stop_sequences → stop; more than 4 → 400 (OpenAI's limit); an empty list → omitted.
 * - stream: true → stream: true + stream_options.include_usage: true (the final usage is needed
 *   for the message_delta event); stream false/absent → omitted.
 * - metadata.user_id → user.
 * - thinking / output_config.effort → reasoning_effort (see reasoningEffort).
 * - output_config.format json_schema → response_format json_schema {name: "response", schema,
 *   strict: true} (Anthropic structured outputs are always strict).
 * - service_tier → dropped (Anthropic's auto/standard_only have no OpenAI-format equivalent);
 *   speed and diagnostics → dropped (hints about Anthropic's own serving and cache reporting).
 * - cache_control anywhere (top level, blocks, tools) → dropped: OpenAI-format providers cache
 *   prompt prefixes automatically; thinking blocks in history → dropped.
 * Throws ApiError 400 (unsupported_parameter) for what cannot be translated.
 */
export function toOpenAIRequest(req: MessagesRequest): ChatCompletionRequest {
  const out: ChatCompletionRequest = {
    model: req.model,
    messages: convertMessages(req),
    max_tokens: req.max_tokens,
    ...convertTools(req),
  };
  if (req.temperature !== undefined) out.temperature = req.temperature;
  if (req.top_p !== undefined) out.top_p = req.top_p;
  if (req.stop_sequences && req.stop_sequences.length > 0) {
    if (req.stop_sequences.length > MAX_STOP_SEQUENCES) {
      throw unsupported("stop_sequences", `This model accepts at most ${MAX_STOP_SEQUENCES} stop_sequences; ${req.stop_sequences.length} were given.`);
    }
    out.stop = [...req.stop_sequences];
  }
  if (req.stream === true) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  if (req.metadata?.user_id) out.user = req.metadata.user_id;
  const effort = reasoningEffort(req);
  if (effort) out.reasoning_effort = effort;
  const format = req.output_config?.format;
  if (format) out.response_format = { type: "json_schema", json_schema: { name: "response", schema: format.schema, strict: true } };
  return out;
}

/** Top-level Anthropic fields dropped as hints when translating (named in x-gateway-dropped-params). */
export const HINT_MESSAGES_FIELDS = ["top_k", "service_tier", "speed", "diagnostics", "cache_control", "context_management"] as const;

/** The fields of `req` that toOpenAIRequest drops: hints, unknown fields, echoed blocks (by type), nested hints. */
export function droppedForTranslation(req: MessagesRequest): string[] {
  const raw = req as Record<string, unknown>;
  const known = new Set(Object.keys(messagesRequestSchema.shape));
  const out = new Set<string>(HINT_MESSAGES_FIELDS.filter((f) => raw[f] != null));
  for (const key of Object.keys(raw)) if (!known.has(key) && raw[key] !== undefined) out.add(key);
  for (const t of req.tools ?? []) {
    if ("defer_loading" in t && t.defer_loading !== undefined) out.add("tools.defer_loading");
    if (t.cache_control) out.add("cache_control");
  }
  if (req.thinking && "display" in req.thinking && req.thinking.display) out.add("thinking.display");
  for (const m of req.messages) {
    for (const b of m.content as Array<{ type: string; cache_control?: unknown }>) {
      if (b.cache_control) out.add("cache_control");
      if (!isKnownBlock(b)) out.add(`content.${(b as { type: string }).type.slice(0, 64)}`);
    }
  }
  for (const b of req.system ?? []) if (b.cache_control) out.add("cache_control");
  return [...out];
}
