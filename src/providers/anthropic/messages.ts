import type { TranslatableChatRequest as ChatCompletionRequest } from "../chat-policy";
import type { AnthropicContentBlock, AnthropicMessage, AnthropicTextBlock, AnthropicToolResultBlock, AnthropicToolUseBlock } from "./types";
import { textBlocks, userBlocks } from "./content";
import { isRecord, unsupported } from "./shared";

type Message = ChatCompletionRequest["messages"][number];
type Assistant = Extract<Message, { role: "assistant" }>;

/**
 * Anthropic tool ids must match ^[a-zA-Z0-9_-]+$. OpenAI-format ids from elsewhere may not, so
 * other characters become "_" — applied to both tool_use and tool_result, so pairs still match.
 */
export function toolId(id: string): string {
  const clean = id.replace(/[^a-zA-Z0-9_-]/g, "_");
  return clean === "" ? "_" : clean;
}

/** OpenAI `function.arguments` (JSON text) → Anthropic `input` object; "" → {}; anything else → 400. */
function toolInput(args: string, param: string): Record<string, unknown> {
  if (args.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw unsupported(param, "Tool call arguments must be valid JSON for Anthropic models.");
  }
  if (!isRecord(parsed)) throw unsupported(param, "Tool call arguments must be a JSON object for Anthropic models.");
  return parsed;
}

/**
 * An assistant message → text blocks then tool_use blocks.
 * - `content` (string or text parts) → text; when empty, a `refusal` string is used as the text.
 * - `tool_calls` → `{type: "tool_use", id, name, input: JSON.parse(arguments)}`.
 * - `reasoning_content` is dropped: Anthropic only accepts thinking blocks with the signature it
 *   issued, which the OpenAI format cannot carry back.
 */
function assistantBlocks(m: Assistant, i: number): AnthropicContentBlock[] {
  const blocks: AnthropicContentBlock[] = m.content == null ? [] : textBlocks(m.content, `messages[${i}].content`);
  if (blocks.length === 0 && m.refusal) blocks.push({ type: "text", text: m.refusal });
  (m.tool_calls ?? []).forEach((call, j) => {
    const use: AnthropicToolUseBlock = {
      type: "tool_use",
      id: toolId(call.id),
      name: call.function.name,
      input: toolInput(call.function.arguments, `messages[${i}].tool_calls[${j}].function.arguments`),
    };
    blocks.push(use);
  });
  return blocks;
}

/** A `role: "tool"` message → a tool_result block (string content stays a string). */
function toolResult(m: Extract<Message, { role: "tool" }>, i: number): AnthropicToolResultBlock {
  const block: AnthropicToolResultBlock = { type: "tool_result", tool_use_id: toolId(m.tool_call_id) };
  if (typeof m.content === "string") {
    if (m.content !== "") block.content = m.content;
  } else {
    const parts = userBlocks(m.content, `messages[${i}].content`);
    if (parts.length) block.content = parts;
  }
  return block;
}

/**
 * OpenAI messages → Anthropic `system` + `messages`.
 * - system and developer messages, wherever they appear, become top-level `system` text blocks
 *   in order (Anthropic has no mid-conversation system role); `name` fields are dropped.
 * - user → user; assistant → assistant; tool → a user turn holding tool_result blocks.
 * - Consecutive turns with the same Anthropic role are merged into one (Anthropic requires
 *   alternation), so consecutive tool results share one user turn; within a user turn the
 *   tool_result blocks are moved first, as Anthropic requires after a tool_use turn.
 * - Messages left with no content are skipped; a request with no turn left is a 400.
 */
export function convertMessages(messages: ChatCompletionRequest["messages"]): { system: AnthropicTextBlock[]; messages: AnthropicMessage[] } {
  const system: AnthropicTextBlock[] = [];
  const turns: AnthropicMessage[] = [];
  const add = (role: AnthropicMessage["role"], blocks: AnthropicContentBlock[]) => {
    if (blocks.length === 0) return;
    const last = turns[turns.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: [...blocks] });
  };
  messages.forEach((m, i) => {
    switch (m.role) {
      case "system":
      case "developer":
        system.push(...textBlocks(m.content, `messages[${i}].content`));
        break;
      case "user":
        add("user", userBlocks(m.content, `messages[${i}].content`));
        break;
      case "assistant":
        add("assistant", assistantBlocks(m, i));
        break;
      case "tool":
        add("user", [toolResult(m, i)]);
        break;
    }
  });
  for (const t of turns) {
    if (t.role === "user") t.content = [...t.content.filter((b) => b.type === "tool_result"), ...t.content.filter((b) => b.type !== "tool_result")];
  }
  if (turns.length === 0) throw unsupported("messages", "Anthropic models need at least one non-empty user or assistant message besides system messages.");
  return { system, messages: turns };
}
