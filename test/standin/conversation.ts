// A stored Responses conversation, as OpenAI bills it: with `previous_response_id`, the stored
// context (that response's input + output) is read again and billed as input tokens.
import type { ServerResponse } from "node:http";
import { nowSec, sendJson, sendReply, type Ctx } from "./http.js";
import { startStream, write } from "./sse.js";

/** Stored response id → its context tokens (input, which includes its own chain, + output). */
const contexts = new Map<string, number>();
/** What the stand-in billed per `metadata.standin_account` (tests read it back). */
const bills = new Map<string, { input_tokens: number; output_tokens: number; responses: number }>();
let seq = 0;

/** About 4 UTF-8 bytes per token, as OpenAI's tokenizers average on English text. */
const tokens = (v: unknown) => (v === undefined || v === null ? 0 : Math.ceil(Buffer.byteLength(typeof v === "string" ? v : JSON.stringify(v)) / 4));
/** Output per response (`tok ` words, each one o200k token: the report is honest), never more than max_output_tokens. */
const OUTPUT_TOKENS = 40;

function accountOf(body: Record<string, unknown>): string | null {
  const m = body.metadata as Record<string, unknown> | undefined;
  return typeof m?.standin_account === "string" ? m.standin_account : null;
}

/**
 * POST /responses with model `conversation`: an unknown previous_response_id is OpenAI's 400
 * `previous_response_not_found`; otherwise input = stored context + new input, output = 40 tokens
 * (or max_output_tokens), and the response is stored unless `store: false`.
 */
export async function handleConversation(ctx: Ctx): Promise<void> {
  const b = ctx.body;
  const prev = typeof b.previous_response_id === "string" ? b.previous_response_id : null;
  if (prev !== null && !contexts.has(prev)) {
    return sendReply(ctx, { status: 400, body: { error: { message: `Previous response with id '${prev}' not found.`, type: "invalid_request_error", param: "previous_response_id", code: "previous_response_not_found" } } });
  }
  const input = (prev ? contexts.get(prev)! : 0) + tokens(b.input) + tokens(b.instructions);
  const output = Math.min(OUTPUT_TOKENS, typeof b.max_output_tokens === "number" ? b.max_output_tokens : OUTPUT_TOKENS);
  const id = `resp_standin_${Date.now().toString(36)}_${seq++}`;
  const store = b.store !== false;
  if (store) contexts.set(id, input + output);
  const account = accountOf(b);
  if (account) {
    const bill = bills.get(account) ?? { input_tokens: 0, output_tokens: 0, responses: 0 };
    bills.set(account, { input_tokens: bill.input_tokens + input, output_tokens: bill.output_tokens + output, responses: bill.responses + 1 });
  }
  const words = Array.from({ length: output }, () => "tok ");
  const response = {
    id, object: "response", created_at: nowSec(), status: "completed", model: "gpt-4.1-2025-04-14", store, previous_response_id: prev,
    output: [{ id: `msg_${id}`, type: "message", status: "completed", role: "assistant", content: [{ type: "output_text", text: words.join(""), annotations: [] }] }],
    usage: { input_tokens: input, input_tokens_details: { cached_tokens: 0 }, output_tokens: output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: input + output },
  };
  await new Promise((r) => setTimeout(r, 20)); // the provider takes a moment: concurrent requests overlap
  if (!ctx.stream) return sendJson(ctx.res, 200, response);
  return streamConversation(ctx, response, words);
}

async function streamConversation(ctx: Ctx, response: { id: string; output: unknown[] }, words: string[]): Promise<void> {
  const res: ServerResponse = ctx.res;
  startStream(res, "text/event-stream; charset=utf-8");
  const send = (type: string, data: Record<string, unknown>) => write(res, ctx.live, `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  await send("response.created", { response: { ...response, status: "in_progress", output: [], usage: null } });
  for (const delta of words) if (!(await send("response.output_text.delta", { item_id: `msg_${response.id}`, output_index: 0, content_index: 0, delta }))) return;
  await send("response.completed", { response });
  res.end();
}

/** GET /__responses/bill/<account>: the tokens the stand-in billed that account. */
export function conversationBill(res: ServerResponse, account: string): void {
  sendJson(res, 200, bills.get(account) ?? { input_tokens: 0, output_tokens: 0, responses: 0 });
}
