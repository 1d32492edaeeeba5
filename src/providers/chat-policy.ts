import { ApiError } from "../errors";
import type { ChatCompletionRequest, FunctionTool } from "../wire/chat";

/**
 * The pass-through policy for an OpenAI Chat Completions request served by a provider that
 * speaks another wire format (Anthropic, Gemini). See docs/compatibility.md.
 *
 * - Hints (HINT_CHAT_FIELDS, and any top-level field the gateway does not know) are dropped and
 *   returned in `dropped`, which the route sends back in `x-gateway-dropped-params`.
 * - Fields whose meaning cannot be kept (TRANSLATION_REFUSED_CHAT_FIELDS, custom tools) → 400.
 * - Echo fields of returned messages (annotations, audio, function_call, refusal parts) are
 *   removed from history without being named: they carry nothing the model needs.
 * - `tool_choice: allowed_tools` becomes the listed function tools with auto/required;
 *   `reasoning_effort` none → no reasoning, xhigh → high.
 */

/** Top-level chat fields the gateway knows (schema keys); anything else is unknown. */
const KNOWN_TOP_LEVEL = new Set([
  "model", "messages", "stream", "stream_options", "max_tokens", "max_completion_tokens", "temperature", "top_p", "n", "stop",
  "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "seed", "user", "safety_identifier",
  "prompt_cache_key", "prompt_cache_retention", "verbosity", "prediction", "tools", "tool_choice", "parallel_tool_calls",
  "response_format", "reasoning_effort", "modalities", "metadata", "store", "service_tier", "models", "provider",
  "web_search_options", "audio",
]);

/** Pure hints: dropped (and named) when translating. */
export const HINT_CHAT_FIELDS = [
  "user", "safety_identifier", "prompt_cache_key", "prompt_cache_retention", "verbosity", "prediction", "metadata", "store", "service_tier",
] as const;

/** Fields whose meaning another wire format cannot keep: 400 when translating. */
export const TRANSLATION_REFUSED_CHAT_FIELDS = {
  functions: "the legacy functions API is served by OpenAI-format models only; use tools",
  function_call: "the legacy functions API is served by OpenAI-format models only; use tool_choice",
} as const satisfies Record<string, string>;

type Effort = "minimal" | "low" | "medium" | "high";
type NamedChoice = { type: "function"; function: { name: string } };
type Message = ChatCompletionRequest["messages"][number];

type UserContent = Extract<Message, { role: "user" }>["content"];
/** An assistant message as translators see it: refusal parts are removed from its content (see `message`). */
type TranslatableAssistant = Omit<Extract<Message, { role: "assistant" }>, "content"> & { content?: UserContent | null };
export type TranslatableMessage = Exclude<Message, { role: "assistant" }> | TranslatableAssistant;

/** The request as translators see it: function tools only, plain tool_choice, a translatable effort. */
export type TranslatableChatRequest = Omit<ChatCompletionRequest, "tools" | "tool_choice" | "reasoning_effort" | "messages"> & {
  messages: TranslatableMessage[];
  tools?: FunctionTool[];
  tool_choice?: "none" | "auto" | "required" | NamedChoice;
  reasoning_effort?: Effort | null;
};

const unsupported = (param: string, message: string) => new ApiError(400, "unsupported_parameter", message, { param, type: "invalid_request_error" });

function tools(req: ChatCompletionRequest): Pick<TranslatableChatRequest, "tools" | "tool_choice"> {
  const list = req.tools ?? [];
  const fns = list.map((t, i) => {
    if (t.type !== "function") throw unsupported(`tools[${i}]`, "Custom tools are served by OpenAI-format models only; use a function tool.");
    return t;
  });
  const choice = req.tool_choice;
  if (choice === undefined || typeof choice === "string" || choice.type === "function") return { tools: req.tools ? fns : undefined, tool_choice: choice as TranslatableChatRequest["tool_choice"] };
  if (choice.type === "custom") throw unsupported("tool_choice", "Custom tools are served by OpenAI-format models only.");
  const allowed = new Set(choice.allowed_tools.tools.map((t) => (t.function as { name?: string } | undefined)?.name ?? t.name));
  return { tools: fns.filter((t) => allowed.has(t.function.name)), tool_choice: choice.allowed_tools.mode };
}

/** An assistant message without its echo fields; refusal parts are kept out of its content. */
function message(m: Message): TranslatableMessage {
  if (m.role !== "assistant") return m;
  const { annotations: _a, audio: _au, function_call: _f, content, ...rest } = m;
  if (!Array.isArray(content)) return { ...rest, content };
  const kept = content.filter((p) => p.type !== "refusal") as Exclude<UserContent, string>;
  return { ...rest, content: kept.length ? kept : null };
}

function effort(e: ChatCompletionRequest["reasoning_effort"]): Effort | null | undefined {
  if (e === "none") return undefined;
  if (e === "xhigh") return "high";
  return e;
}

/** Applies the policy; throws ApiError 400 for what cannot be translated. */
export function forTranslation(req: ChatCompletionRequest): { req: TranslatableChatRequest; dropped: string[] } {
  const raw = req as Record<string, unknown>;
  for (const [field, why] of Object.entries(TRANSLATION_REFUSED_CHAT_FIELDS)) {
    if (raw[field] != null) throw unsupported(field, `'${field}' cannot be translated for this model: ${why}.`);
  }
  const dropped: string[] = HINT_CHAT_FIELDS.filter((f) => raw[f] != null);
  for (const key of Object.keys(raw)) if (!KNOWN_TOP_LEVEL.has(key) && raw[key] !== undefined) dropped.push(key);
  if (req.stream_options?.include_obfuscation !== undefined) dropped.push("stream_options.include_obfuscation");
  if (req.reasoning_effort === "xhigh") dropped.push("reasoning_effort.xhigh");
  if (req.messages.some((m) => Array.isArray(m.content) && m.content.some((p) => "cache_control" in p))) dropped.push("cache_control");
  const { tools: _t, tool_choice: _c, reasoning_effort: _e, messages, ...rest } = req;
  const out: TranslatableChatRequest = { ...rest, messages: messages.map(message), ...tools(req), reasoning_effort: effort(req.reasoning_effort) };
  if (out.tools === undefined) delete out.tools;
  if (out.tool_choice === undefined) delete out.tool_choice;
  if (out.reasoning_effort === undefined) delete out.reasoning_effort;
  return { req: out, dropped };
}

/** The response header naming the dropped fields (none → no header). */
export const DROPPED_PARAMS_HEADER = "x-gateway-dropped-params";
export function droppedParamsHeader(dropped: readonly string[] | undefined): Record<string, string> {
  const names = [...new Set(dropped ?? [])].filter((n) => /^[\w.\[\]-]{1,100}$/.test(n)).slice(0, 50);
  return names.length ? { [DROPPED_PARAMS_HEADER]: names.join(",") } : {};
}
