// POST /anthropic/v1/messages/count_tokens: Anthropic's token counting, `{ input_tokens }`.
// The count is one token per 4 bytes of the JSON of system, messages and tools (at least 1).
import { sendJson, type Ctx } from "./http.js";

export function countTokensOf(body: Record<string, unknown>): number {
  const text = JSON.stringify([body.system ?? "", body.messages ?? [], body.tools ?? []]);
  return Math.max(1, Math.ceil(Buffer.byteLength(text) / 4));
}

export async function handleCountTokens(ctx: Ctx): Promise<void> {
  sendJson(ctx.res, 200, { input_tokens: countTokensOf(ctx.body) });
}
