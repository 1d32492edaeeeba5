import type { ChatCompletionRequest } from "../../wire/chat";
import { isKnownBlock, type KnownAssistantBlock as AssistantBlock, type KnownUserBlock as UserBlock, type MessageParam, type MessagesRequest, type ToolResultBlock } from "./schema";
import { unsupported } from "./shared";

type ChatMessage = ChatCompletionRequest["messages"][number];
type UserContent = Extract<ChatMessage, { role: "user" }>["content"];
type Part = Exclude<UserContent, string>[number];
type ToolCall = NonNullable<Extract<ChatMessage, { role: "assistant" }>["tool_calls"]>[number];
type Media = Extract<UserBlock, { type: "image" | "document" }>;

/** Limits of the chat schema (src/wire/chat.ts) that a conversion could exceed. */
const MAX_CHAT_MESSAGES = 4096;
const MAX_CHAT_PARTS = 512;
const MAX_CHAT_TEXT = 4_000_000;

/** Text blocks (and string content) are joined with a blank line into one string. */
const SEPARATOR = "\n\n";

const joinText = (texts: string[]): string => texts.filter((t) => t !== "").join(SEPARATOR);

/**
 * Texts as message content: one joined string, or — only if that string would exceed the chat
 * schema's text limit — the texts as separate text parts.
 */
function textContent(texts: string[]): string | Array<{ type: "text"; text: string }> {
  const text = joinText(texts);
  return text.length <= MAX_CHAT_TEXT ? text : texts.filter((t) => t !== "").map((t) => ({ type: "text" as const, text: t }));
}

/**
 * An image or document block → an OpenAI content part.
 * - image base64 → `image_url` with a `data:<media_type>;base64,<data>` URL; image url → `image_url`.
 * - document base64 PDF → `file` part `{file_data: data URL, filename: title ?? "document.pdf"}`.
 * - document plain text → a text part: title, context and text joined by blank lines.
 * `cache_control` and document `citations` are dropped.
 */
function mediaPart(b: Media): Part {
  if (b.type === "image") {
    const url = b.source.type === "base64" ? `data:${b.source.media_type};base64,${b.source.data}` : b.source.url;
    return { type: "image_url", image_url: { url } };
  }
  if (b.source.type === "text") return { type: "text", text: joinText([b.title ?? "", b.context ?? "", b.source.data]) };
  return { type: "file", file: { file_data: `data:application/pdf;base64,${b.source.data}`, filename: b.title || "document.pdf" } };
}

/**
 * Parts → user content: a single string when they are all text (joined by blank lines; the form
 * every OpenAI-compatible provider accepts), else the parts array.
 */
function userContent(parts: Part[], param: string): UserContent | null {
  if (parts.length === 0) return null;
  if (parts.every((p) => p.type === "text")) {
    const content = textContent(parts.map((p) => (p.type === "text" ? p.text : "")));
    if (content.length === 0) return null;
    if (typeof content === "string") return content;
  }
  if (parts.length > MAX_CHAT_PARTS) throw unsupported(param, `A user turn converts to more than ${MAX_CHAT_PARTS} content parts for this model.`);
  return parts;
}

/**
 * tool_result → a `role: "tool"` message. Its content is the result's text (string content, text
 * blocks and plain-text documents, joined by blank lines), prefixed "Error: " when `is_error`.
 * OpenAI tool messages carry text only, so images and PDFs of the result are returned as
 * `attachments`, to be sent in the user message that follows the tool messages, after a text part
 * naming the call; the tool message then says so.
 */
function toolMessage(b: ToolResultBlock): { message: ChatMessage; attachments: Part[] } {
  const blocks = b.content ?? [];
  const texts: string[] = [];
  const media: Part[] = [];
  for (const c of blocks) {
    if (c.type === "text") texts.push(c.text);
    else if (c.type === "document" && c.source.type === "text") texts.push((mediaPart(c) as { text: string }).text);
    else media.push(mediaPart(c));
  }
  const nonEmpty = texts.filter((t) => t !== "");
  if (media.length > 0 && nonEmpty.length === 0) nonEmpty.push("(The result is attached in the next user message.)");
  if (b.is_error) {
    if (nonEmpty.length === 0) nonEmpty.push("Error");
    else nonEmpty[0] = `Error: ${nonEmpty[0]}`;
  }
  const attachments: Part[] = media.length ? [{ type: "text", text: `Attachments returned by tool call ${b.tool_use_id}:` }, ...media] : [];
  return { message: { role: "tool", tool_call_id: b.tool_use_id, content: textContent(nonEmpty) }, attachments };
}

/**
 * A user turn → tool messages first (one per tool_result, in order), then one user message with
 * the remaining content (tool-result attachments, text, images, documents, in block order), if any.
 * As Anthropic requires (and OpenAI-format models too), each tool_result must answer a tool_use of
 * the assistant turn just before, and every such tool_use must be answered here; otherwise 400.
 */
function userTurn({ blocks, paths, index }: Extract<Turn, { role: "user" }>, callIds: Set<string>): ChatMessage[] {
  const tools: ChatMessage[] = [];
  const parts: Part[] = [];
  const answered = new Set<string>();
  blocks.forEach((b, j) => {
    if (b.type === "tool_result") {
      if (!callIds.has(b.tool_use_id)) {
        throw unsupported(`${paths[j]}.tool_use_id`, `The tool_result for '${b.tool_use_id}' does not answer a tool_use block of the preceding assistant message.`);
      }
      answered.add(b.tool_use_id);
      const { message, attachments } = toolMessage(b);
      tools.push(message);
      parts.push(...attachments);
    } else if (b.type === "text") {
      if (b.text !== "") parts.push({ type: "text", text: b.text });
    } else {
      parts.push(mediaPart(b));
    }
  });
  const missing = [...callIds].filter((id) => !answered.has(id));
  if (missing.length) {
    throw unsupported(`messages[${index}].content`, `tool_use ids were found without tool_result blocks immediately after: ${missing.join(", ")}. Each tool_use block must have a corresponding tool_result block in the next message.`);
  }
  const content = userContent(parts, `messages[${index}].content`);
  return content === null ? tools : [...tools, { role: "user", content }];
}

/**
 * An assistant turn → one assistant message: text blocks joined into `content` (null when there is
 * none), tool_use blocks → `tool_calls` ({id, type: "function", function: {name, arguments:
 * JSON.stringify(input)}}). thinking and redacted_thinking blocks are dropped: their signatures
 * only mean something to Anthropic, and OpenAI-format models take no reasoning history. A turn left
 * empty is skipped. A final assistant turn (Anthropic "prefill") is sent as a trailing assistant
 * message; whether the model continues it depends on the provider.
 */
function assistantTurn(blocks: AssistantBlock[]): { messages: ChatMessage[]; callIds: Set<string> } {
  const texts: string[] = [];
  const calls: ToolCall[] = [];
  for (const b of blocks) {
    if (b.type === "text") texts.push(b.text);
    else if (b.type === "tool_use") calls.push({ id: b.id, type: "function", function: { name: b.name, arguments: JSON.stringify(b.input) } });
  }
  const content = joinText(texts);
  const callIds = new Set(calls.map((c) => c.id));
  if (content === "" && calls.length === 0) return { messages: [], callIds };
  const message: ChatMessage = { role: "assistant", content: content === "" ? null : content };
  if (calls.length) message.tool_calls = calls;
  return { messages: [message], callIds };
}

type Turn =
  | { role: "user"; blocks: UserBlock[]; paths: string[]; index: number }
  | { role: "assistant"; blocks: AssistantBlock[]; paths: string[]; index: number };

/**
 * Anthropic merges consecutive messages of the same role into one turn; so does the gateway.
 * `paths` keeps each block's place in the request, for error messages.
 */
function turns(messages: MessageParam[]): Turn[] {
  const out: Turn[] = [];
  messages.forEach((m, index) => {
    if (m.role === "system") return;
    const known = (m.content as Array<UserBlock | AssistantBlock | { type: string }>).flatMap((b, j) => (isKnownBlock(b) ? [{ b, path: `messages[${index}].content[${j}]` }] : []));
    const blocks = known.map((k) => k.b);
    const paths = known.map((k) => k.path);
    const last = out[out.length - 1];
    if (last && last.role === m.role) {
      (last.blocks as unknown[]).push(...blocks);
      last.paths.push(...paths);
    } else {
      out.push({ role: m.role, blocks, paths, index } as Turn);
    }
  });
  return out;
}

/**
 * `system` + `messages` → OpenAI messages.
 * - system (string or text blocks joined by blank lines), then the text of any `role: "system"`
 *   entry of `messages` (merged in order) → a first `system` message, if not empty.
 * - blocks the gateway does not read (echoed server tool blocks, …) are dropped (to-openai.ts names them).
 * - user turns → tool messages then a user message; assistant turns → assistant messages (above).
 * - `cache_control` is dropped everywhere (OpenAI-format providers cache prompts automatically).
 * A conversation that would exceed the chat API's message limit, or that is left with no message
 * besides the system prompt, is a 400.
 */
export function convertMessages(req: MessagesRequest): ChatMessage[] {
  const out: ChatMessage[] = [];
  const inline = req.messages.flatMap((m) => (m.role === "system" ? m.content.map((b) => b.text) : []));
  const system = textContent([...(req.system ?? []).map((b) => b.text), ...inline]);
  if (system.length > 0) out.push({ role: "system", content: system });
  let callIds = new Set<string>();
  for (const turn of turns(req.messages)) {
    if (turn.role === "assistant") {
      const r = assistantTurn(turn.blocks);
      out.push(...r.messages);
      callIds = r.callIds;
    } else {
      out.push(...userTurn(turn, callIds));
      callIds = new Set();
    }
  }
  if (out.length === 0 || out.every((m) => m.role === "system")) throw unsupported("messages", "The messages hold no content to send (every message is empty).");
  if (out.length > MAX_CHAT_MESSAGES) throw unsupported("messages", `The conversation converts to more than ${MAX_CHAT_MESSAGES} messages for this model.`);
  return out;
}
