import type { OpenAIChatCompletion, TransformContext } from "../transform";
import type { TokenUsage } from "../types";
import { finishReason, isObject, readCohereUsage } from "./usage";

type ToolCall = NonNullable<OpenAIChatCompletion["choices"][number]["message"]["tool_calls"]>[number];

/** Cohere `tool_calls` (same shape as OpenAI's) → OpenAI tool calls; arguments "" or null become "{}". */
export function toolCalls(raw: unknown): ToolCall[] {
  if (!Array.isArray(raw)) return [];
  const out: ToolCall[] = [];
  for (const c of raw) {
    if (!isObject(c) || !isObject(c.function) || typeof c.function.name !== "string") continue;
    const args = typeof c.function.arguments === "string" && c.function.arguments !== "" ? c.function.arguments : "{}";
    out.push({ id: typeof c.id === "string" ? c.id : `call_${out.length}`, type: "function", function: { name: c.function.name, arguments: args } });
  }
  return out;
}

/**
 * Cohere v2 chat response → OpenAI chat.completion. `message.content[]` text parts are joined
 * (thinking parts become `reasoning_content`); `tool_plan` (the model's note before calling tools)
 * is shown as the message content when there is no text, so nothing the caller paid for is lost;
 * `finish_reason` COMPLETE/STOP_SEQUENCE → stop, MAX_TOKENS → length, TOOL_CALL → tool_calls.
 */
export function translateCohereResponse(body: unknown, ctx: TransformContext): { completion: OpenAIChatCompletion; usage: TokenUsage | null } {
  if (!isObject(body) || !isObject(body.message)) throw new Error("not a Cohere chat response");
  const m = body.message;
  let text = "";
  let thinking = "";
  for (const p of Array.isArray(m.content) ? m.content : []) {
    if (!isObject(p)) continue;
    if (p.type === "text" && typeof p.text === "string") text += p.text;
    if (p.type === "thinking" && typeof p.thinking === "string") thinking += p.thinking;
  }
  const plan = typeof m.tool_plan === "string" ? m.tool_plan : "";
  const calls = toolCalls(m.tool_calls);
  const content = text !== "" ? text : plan !== "" ? plan : null;
  const usage = readCohereUsage(body.usage);
  const message: OpenAIChatCompletion["choices"][number]["message"] = { role: "assistant", content };
  if (thinking) message.reasoning_content = thinking;
  if (calls.length) message.tool_calls = calls;
  return {
    completion: {
      id: ctx.requestId, object: "chat.completion", created: ctx.created, model: ctx.model,
      choices: [{ index: 0, message, finish_reason: calls.length ? "tool_calls" : finishReason(body.finish_reason), logprobs: null }],
    },
    usage,
  };
}
