import { countTokens } from "./tokenizer";

/** Tokens assumed for each image part when estimating a prompt before the call. */
export const IMAGE_TOKENS = 1600;

/** Whose tokenizer counts a model's tokens: o200k for OpenAI's own models, unknown elsewhere. */
export type TokenizerFamily = "o200k" | "unknown";

/** What the gateway measured of a prompt before the call. */
export interface PromptFigures {
  /** The estimate that sizes the reservation (and is billed when usage is missing). */
  estimate: number;
}

const encoder = new TextEncoder();

/**
 * Tokens of a text for the reservation: the o200k count, but never below one token per 3 UTF-8
 * bytes (the previous estimate), which covers tokenizers that split text finer than o200k.
 */
function textTokens(text: string): number {
  return text ? Math.max(countTokens(text), Math.ceil(encoder.encode(text).length / 3)) : 0;
}

interface ChatLike { messages: unknown[]; tools?: unknown; response_format?: unknown }

/**
 * An upper-leaning estimate of prompt tokens, used to size the reservation: the tokens (textTokens)
 * of the messages as JSON (keys and quotes included, more than the provider's own framing), of the
 * tools and of a response_format schema, plus 4 per message and a fixed figure per image.
 */
export function measureChatPrompt(body: ChatLike): PromptFigures {
  let images = 0;
  // Image parts sit at a known depth (a message's content parts); no replacer function, which would
  // add stack frames per level of a deeply nested request.
  const shallow = body.messages.map((m) => {
    const content = m && typeof m === "object" ? (m as { content?: unknown }).content : undefined;
    if (!Array.isArray(content)) return m;
    const parts = content.map((p) => {
      if (!p || typeof p !== "object" || !("image_url" in p)) return p;
      images++;
      return { ...p, image_url: "[image]" };
    });
    return { ...(m as object), content: parts };
  });
  const text = JSON.stringify(shallow);
  const extra = [body.tools, body.response_format].filter((v) => v !== undefined && v !== null).map((v) => JSON.stringify(v)).join("");
  const estimate = textTokens(text) + textTokens(extra) + 4 * body.messages.length + images * IMAGE_TOKENS;
  return { estimate };
}

export function estimateChatPromptTokens(body: ChatLike): number {
  return measureChatPrompt(body).estimate;
}

type EmbeddingInput = string | string[] | number[] | number[][];

export function measureEmbeddingInput(input: EmbeddingInput): PromptFigures {
  const items = Array.isArray(input) ? input : [input];
  let estimate = 0;
  for (const item of items) {
    if (typeof item === "string") estimate += textTokens(item) + 1;
    else if (Array.isArray(item)) estimate += item.length;
    else estimate += 1;
  }
  return { estimate };
}

export function estimateEmbeddingTokens(input: EmbeddingInput): number {
  return measureEmbeddingInput(input).estimate;
}
