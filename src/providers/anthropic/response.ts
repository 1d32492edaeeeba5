import { ApiError } from "../../errors";
import type { OpenAIChatCompletion, TransformContext } from "../transform";
import type { TokenUsage } from "../types";
import { JSON_RESPONSE_TOOL, argumentsText, finishReason, isRecord } from "./shared";
import { readAnthropicUsage, toOpenAIUsage } from "./usage";

type Message = OpenAIChatCompletion["choices"][number]["message"];
type ToolCall = NonNullable<Message["tool_calls"]>[number];

/**
 * A non-streamed Anthropic message → OpenAI chat.completion (id ctx.requestId, model ctx.model,
 * created ctx.created).
 * - text blocks → `content`, concatenated as they are streamed (no separator); null if none.
 * - thinking blocks → `reasoning_content` (omitted when none); redacted_thinking is skipped.
 * - tool_use → `tool_calls` with `arguments: JSON.stringify(input)` ("{}" for empty input).
 * - a tool_use of the injected JSON tool (response_format) → `content` = its input as JSON text,
 *   replacing any text (a forced tool call has none); finish_reason is then stop.
 * - server tools (server_tool_use, *_tool_result, mcp_*) are not client tool calls: skipped.
 * - stop_reason → finish_reason (see finishReason); usage → TokenUsage and OpenAI `usage`.
 * A body that is not an Anthropic message is a 502.
 */
export function translateResponse(body: unknown, ctx: TransformContext): { completion: OpenAIChatCompletion; usage: TokenUsage | null } {
  if (!isRecord(body) || !Array.isArray(body.content)) {
    throw new ApiError(502, "upstream_bad_response", "The provider 'anthropic' sent an unreadable answer. Nothing was charged.");
  }
  let text = "";
  let reasoning = "";
  let json: string | null = null;
  const toolCalls: ToolCall[] = [];
  for (const block of body.content as unknown[]) {
    if (!isRecord(block)) continue;
    if (block.type === "text" && typeof block.text === "string") text += block.text;
    else if (block.type === "thinking" && typeof block.thinking === "string") reasoning += block.thinking;
    else if (block.type === "tool_use" && typeof block.name === "string") {
      if (block.name === JSON_RESPONSE_TOOL) json = (json ?? "") + argumentsText(block.input);
      else toolCalls.push({ id: String(block.id ?? ""), type: "function", function: { name: block.name, arguments: argumentsText(block.input) } });
    }
  }
  const content = json ?? (text === "" ? null : text);
  const message: Message = { role: "assistant", content, refusal: null };
  if (reasoning !== "") message.reasoning_content = reasoning;
  if (toolCalls.length) message.tool_calls = toolCalls;
  const usage = readAnthropicUsage(body.usage);
  const completion: OpenAIChatCompletion = {
    id: ctx.requestId,
    object: "chat.completion",
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, message, finish_reason: finishReason(body.stop_reason, toolCalls.length > 0) ?? "stop", logprobs: null }],
  };
  if (usage) completion.usage = toOpenAIUsage(usage);
  return { completion, usage };
}
