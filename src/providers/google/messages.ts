import { ApiError } from "../../errors";
import type { TranslatableChatRequest as ChatCompletionRequest } from "../chat-policy";
import { audioPart, filePart, imagePart, type MediaPart } from "./media";
import { isObject } from "./wire";

/**
 * OpenAI `messages` → Gemini `contents` + `systemInstruction`.
 *
 * - system and developer messages → `systemInstruction.parts` (text only, in order, wherever they
 *   appear in the conversation; Gemini has one system instruction per request).
 * - user → role "user"; assistant → role "model"; tool → role "user" with `functionResponse` parts.
 *   Consecutive turns of the same role are merged into one content (Gemini wants alternation), so
 *   the results of parallel calls form one turn.
 * - assistant `tool_calls` → `functionCall {name, args}` parts after the text; `arguments` must be
 *   a JSON object ("" counts as {}), otherwise 400.
 * - tool results → `functionResponse {name, response: {result}}`; the name is looked up from the
 *   earlier assistant tool_call with that id (unknown id → 400); `result` is the content parsed as
 *   JSON when it parses, else the string.
 * - Gemini 3 requires the `thoughtSignature` it attached to a model turn's first functionCall to be
 *   sent back; OpenAI callers cannot carry it, so for those models the first functionCall part of
 *   each model turn gets Google's documented sentinel `skip_thought_signature_validator`.
 * - Dropped: message `name`, assistant `refusal` and `reasoning_content` (Gemini cannot take
 *   thoughts back without their signatures), empty text parts and contents left without parts.
 * - 400: non-text content in system, developer, assistant or tool messages; a request made only of
 *   system messages (Gemini needs at least one content).
 */

type Message = ChatCompletionRequest["messages"][number];
type Content = Extract<Message, { role: "user" }>["content"];

export type GeminiRequestPart =
  | { text: string }
  | MediaPart
  | { functionCall: { name: string; args: Record<string, unknown> }; thoughtSignature?: string }
  | { functionResponse: { name: string; response: { result: unknown } } };

export interface GeminiContent {
  role: "user" | "model";
  parts: GeminiRequestPart[];
}

export const SIGNATURE_SENTINEL = "skip_thought_signature_validator";

const bad = (message: string, param: string) => new ApiError(400, "unsupported_parameter", message, { param, type: "invalid_request_error" });

/** Text of a content that must be text only (system, developer, assistant, tool). */
function textOnly(content: Content | null | undefined, param: string, role: string): string[] {
  if (content == null) return [];
  if (typeof content === "string") return [content];
  return content.map((p, j) => {
    if (p.type !== "text") throw bad(`Gemini accepts only text parts in ${role} messages (got ${p.type}).`, `${param}[${j}]`);
    return p.text;
  });
}

function userParts(content: Content, param: string): GeminiRequestPart[] {
  if (typeof content === "string") return [{ text: content }];
  return content.map((p, j): GeminiRequestPart => {
    const at = `${param}[${j}]`;
    switch (p.type) {
      case "text": return { text: p.text };
      case "image_url": return imagePart(p.image_url.url, `${at}.image_url.url`);
      case "input_audio": return audioPart(p.input_audio.data, p.input_audio.format);
      case "file": return filePart(p.file, `${at}.file`);
    }
  });
}

function parseArgs(raw: string, param: string): Record<string, unknown> {
  if (raw.trim() === "") return {};
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw bad("Tool call arguments must be a JSON object.", param);
  }
  if (!isObject(v)) throw bad("Tool call arguments must be a JSON object.", param);
  return v;
}

function parseResult(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function toGeminiContents(
  messages: Message[],
  opts: { signatureSentinel: boolean },
): { contents: GeminiContent[]; systemInstruction?: { parts: Array<{ text: string }> } } {
  const system: Array<{ text: string }> = [];
  const contents: GeminiContent[] = [];
  const names = new Map<string, string>();
  const add = (role: GeminiContent["role"], parts: GeminiRequestPart[]) => {
    const kept = parts.filter((p) => !("text" in p) || p.text !== "");
    if (kept.length === 0) return;
    const last = contents.at(-1);
    if (last && last.role === role) last.parts.push(...kept);
    else contents.push({ role, parts: kept });
  };

  messages.forEach((m, i) => {
    const param = `messages[${i}].content`;
    switch (m.role) {
      case "system":
      case "developer":
        for (const text of textOnly(m.content, param, m.role)) if (text !== "") system.push({ text });
        return;
      case "user":
        add("user", userParts(m.content, param));
        return;
      case "assistant": {
        const parts: GeminiRequestPart[] = textOnly(m.content, param, "assistant").map((text) => ({ text }));
        (m.tool_calls ?? []).forEach((tc, j) => {
          names.set(tc.id, tc.function.name);
          const call: GeminiRequestPart = { functionCall: { name: tc.function.name, args: parseArgs(tc.function.arguments, `messages[${i}].tool_calls[${j}].function.arguments`) } };
          if (opts.signatureSentinel && j === 0) call.thoughtSignature = SIGNATURE_SENTINEL;
          parts.push(call);
        });
        add("model", parts);
        return;
      }
      case "tool": {
        const name = names.get(m.tool_call_id);
        if (name === undefined) throw bad(`No earlier assistant tool call has the id '${m.tool_call_id}'; Gemini needs the function name of each tool result.`, `messages[${i}].tool_call_id`);
        const text = textOnly(m.content, param, "tool").join("");
        add("user", [{ functionResponse: { name, response: { result: parseResult(text) } } }]);
        return;
      }
    }
  });

  if (contents.length === 0) throw bad("Gemini needs at least one user or assistant message besides system messages.", "messages");
  return system.length > 0 ? { contents, systemInstruction: { parts: system } } : { contents };
}
