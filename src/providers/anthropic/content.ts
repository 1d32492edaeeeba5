import type { TranslatableChatRequest as ChatCompletionRequest } from "../chat-policy";
import type { AnthropicDocumentBlock, AnthropicImageBlock, AnthropicTextBlock } from "./types";
import { unsupported } from "./shared";

type Message = ChatCompletionRequest["messages"][number];
export type Content = Extract<Message, { role: "user" }>["content"];
export type Part = Exclude<Content, string>[number];

/** Image types Anthropic accepts. */
export const IMAGE_MEDIA_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"] as const;

const DATA_URL = /^data:([^;,]+)((?:;[^;,]*)*),(.*)$/s;

/** A parsed `data:` URL: its media type and base64 payload; null when not a base64 data URL. */
function parseDataUrl(url: string): { mediaType: string; data: string } | null {
  const m = DATA_URL.exec(url);
  if (!m) return null;
  const params = (m[2] ?? "").split(";").map((p) => p.trim().toLowerCase());
  if (!params.includes("base64")) return null;
  return { mediaType: (m[1] ?? "").trim().toLowerCase(), data: m[3] ?? "" };
}

/**
 * OpenAI `image_url` → Anthropic image block.
 * - `https://…` / `http://…` → `{source: {type: "url", url}}` (Anthropic fetches it).
 * - `data:<type>;base64,<data>` → `{source: {type: "base64", media_type, data}}`; the type must
 *   be jpeg, png, gif or webp.
 * - anything else (non-base64 data URLs, other schemes, other image types) → 400.
 * `detail` has no Anthropic equivalent and is dropped.
 */
export function imageBlock(url: string, param: string): AnthropicImageBlock {
  if (url.startsWith("data:")) {
    const parsed = parseDataUrl(url);
    if (!parsed) throw unsupported(param, "Image data URLs must be base64-encoded (data:<type>;base64,<data>) for Anthropic models.");
    if (!(IMAGE_MEDIA_TYPES as readonly string[]).includes(parsed.mediaType)) {
      throw unsupported(param, `Anthropic models accept ${IMAGE_MEDIA_TYPES.join(", ")} images, not '${parsed.mediaType}'.`);
    }
    return { type: "image", source: { type: "base64", media_type: parsed.mediaType, data: parsed.data } };
  }
  if (/^https?:\/\//i.test(url)) return { type: "image", source: { type: "url", url } };
  throw unsupported(param, "image_url.url must be an http(s) URL or a base64 data URL for Anthropic models.");
}

/**
 * OpenAI `file` part → Anthropic document block. Only inline PDFs are supported
 * (`file_data: "data:application/pdf;base64,…"`, `filename` → `title`); `file_id` (an OpenAI
 * file) and other file types → 400.
 */
export function documentBlock(file: Record<string, string>, param: string): AnthropicDocumentBlock {
  const data = file.file_data;
  if (data === undefined) throw unsupported(param, "Only inline files (file.file_data) are supported for Anthropic models; file_id is not.");
  const parsed = parseDataUrl(data);
  if (!parsed || parsed.mediaType !== "application/pdf") {
    throw unsupported(param, "Anthropic models accept inline files only as base64 PDF data URLs (data:application/pdf;base64,…).");
  }
  const block: AnthropicDocumentBlock = { type: "document", source: { type: "base64", media_type: "application/pdf", data: parsed.data } };
  if (file.filename) block.title = file.filename;
  return block;
}

/**
 * User-side content (user messages and tool results) → Anthropic blocks: text, images, PDFs.
 * Empty text is dropped (Anthropic rejects empty text blocks); audio → 400.
 */
export function userBlocks(content: Content, param: string): Array<AnthropicTextBlock | AnthropicImageBlock | AnthropicDocumentBlock> {
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  const out: Array<AnthropicTextBlock | AnthropicImageBlock | AnthropicDocumentBlock> = [];
  content.forEach((part, j) => {
    const p = `${param}[${j}]`;
    switch (part.type) {
      case "text":
        if (part.text !== "") out.push({ type: "text", text: part.text });
        break;
      case "image_url":
        out.push(imageBlock(part.image_url.url, `${p}.image_url.url`));
        break;
      case "file":
        out.push(documentBlock(part.file, `${p}.file`));
        break;
      case "input_audio":
        throw unsupported(p, "Audio input is not supported by Anthropic models.");
    }
  });
  return out;
}

/**
 * Text-only content (system, developer and assistant messages) → text blocks; empty text is
 * dropped and any non-text part is a 400.
 */
export function textBlocks(content: Content, param: string): AnthropicTextBlock[] {
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  return content.flatMap((part, j): AnthropicTextBlock[] => {
    if (part.type !== "text") throw unsupported(`${param}[${j}]`, `Only text content is supported here for Anthropic models, not '${part.type}'.`);
    return part.text === "" ? [] : [{ type: "text", text: part.text }];
  });
}
