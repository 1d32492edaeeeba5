/** Tokens assumed for each image part when estimating a prompt before the call. */
export const IMAGE_TOKENS = 1600;

const encoder = new TextEncoder();
const bytes = (s: string) => encoder.encode(s).length;

/**
 * An upper-leaning estimate of prompt tokens, used only to size the reservation: one token per
 * 3 UTF-8 bytes of the messages and tools (real tokenizers average 3-4 bytes per token for
 * English and about 3 for CJK), plus a fixed figure per image (an image's bytes say little
 * about its tokens). The charge always uses the provider's reported usage.
 */
export function estimateChatPromptTokens(body: { messages: unknown[]; tools?: unknown }): number {
  let images = 0;
  const text = JSON.stringify(body.messages, (key, value: unknown) => {
    if (key !== "image_url") return value;
    images++;
    return "[image]";
  });
  const toolText = body.tools ? JSON.stringify(body.tools) : "";
  return Math.ceil((bytes(text) + bytes(toolText)) / 3) + 4 * body.messages.length + images * IMAGE_TOKENS;
}

export function estimateEmbeddingTokens(input: string | string[] | number[] | number[][]): number {
  const items = Array.isArray(input) ? input : [input];
  let total = 0;
  for (const item of items) {
    if (typeof item === "string") total += Math.ceil(bytes(item) / 3) + 1;
    else if (Array.isArray(item)) total += item.length;
    else total += 1;
  }
  return total;
}
