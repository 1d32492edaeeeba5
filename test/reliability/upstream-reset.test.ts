import { describe, expect, it } from "vitest";
import { estimateChatPromptTokens } from "../../src/billing/estimate";
import { messagesRequestSchema, toOpenAIRequest } from "../../src/surfaces/anthropic";
import { account, api, chat, createUser, usageRows } from "../helpers/gateway";
import { contentChunks, expectBooksBalance, IN, OUT, sseData, USD, writeFigures } from "./support";

// Fault: the upstream resets the connection mid-stream (stand-in `reset-mid-stream`: SSE headers,
// the first 5 events of its default stream, then the socket is destroyed, no [DONE]).
// test/billing/upstream-failures.test.ts already proves the OpenAI stream case (terminal error event,
// charge = prompt estimate + the output relayed, status stream_error). This file adds the other
// client-facing shapes: the same reset with include_usage, on the Anthropic /messages surface,
// and on a non-streamed request, each with the exact charge and the books checked.
const MESSAGES = [{ role: "user", content: "Write a long answer about billing." }];

describe("fault: the upstream resets mid-stream", () => {
  it("chat stream with include_usage: one terminal error event, no [DONE], charged prompt estimate + output relayed", async () => {
    const { userId, key } = await createUser("10.00");
    const res = await chat(key, { model: "test-reset-mid-stream", messages: MESSAGES, stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    const id = res.headers.get("x-request-id")!;
    const { events } = sseData(await res.text());
    expect(events).not.toContain("[DONE]");
    const last = JSON.parse(events.at(-1)!) as { error?: { code?: string } };
    expect(last.error).toMatchObject({ code: "upstream_stream_error" });
    expect(events.filter((e) => e.includes('"error"'))).toHaveLength(1);

    const { chars, chunks } = contentChunks(events.slice(0, -1));
    expect(chunks).toBeGreaterThan(0);
    // No usage arrived before the reset: prompt = the gateway's estimate, completion = max(ceil(chars / 4), chunks).
    const prompt = estimateChatPromptTokens({ messages: MESSAGES });
    const completion = Math.max(Math.ceil(chars / 4), chunks);
    const charged = prompt * IN + completion * OUT;
    const { summary, rows } = await expectBooksBalance(userId);
    expect(summary.balanceNano).toBe(10 * USD - charged);
    expect(rows).toEqual([expect.objectContaining({ request_id: id, status: "stream_error", prompt_tokens: prompt, completion_tokens: completion, cost_nano: charged })]);
    await writeFigures("upstream-reset-chat", { relayedChunks: chunks, relayedChars: chars, promptTokens: prompt, completionTokens: completion, chargedNano: charged, terminalErrorEvents: 1 });
  });

  it("Anthropic /messages stream: the reset ends in one `event: error`, no message_stop, charged for what was relayed", async () => {
    const { userId, key } = await createUser("10.00");
    const body = { model: "test-reset-mid-stream", max_tokens: 200, messages: MESSAGES, stream: true };
    const res = await api("/messages", key, { method: "POST", json: body });
    expect(res.status).toBe(200);
    const text = await res.text();
    const frames = text.split("\n\n").filter(Boolean);
    const lastFrame = frames.at(-1)!;
    expect(lastFrame).toMatch(/^event: error\n/);
    expect(text).not.toContain("message_stop");
    expect(frames.filter((f) => f.startsWith("event: error"))).toHaveLength(1);
    const deltas = frames.filter((f) => f.startsWith("event: content_block_delta"))
      .map((f) => (JSON.parse(f.split("\ndata: ")[1]!) as { delta: { text?: string } }).delta.text ?? "");
    const chars = deltas.reduce((a, t) => a + t.length, 0);
    const chunks = deltas.filter((t) => t.length > 0).length;
    expect(chunks).toBeGreaterThan(0);
    // The same rule as chat, with the estimate of the request as translated for the OpenAI pipeline.
    const prompt = estimateChatPromptTokens(toOpenAIRequest(messagesRequestSchema.parse(body)));
    const completion = Math.max(Math.ceil(chars / 4), chunks);
    const charged = prompt * IN + completion * OUT;
    const { summary, rows } = await expectBooksBalance(userId);
    expect(summary.balanceNano).toBe(10 * USD - charged);
    expect(rows).toEqual([expect.objectContaining({ status: "stream_error", endpoint: "messages", prompt_tokens: prompt, completion_tokens: completion, cost_nano: charged })]);
    await writeFigures("upstream-reset-messages", { relayedChunks: chunks, relayedChars: chars, promptTokens: prompt, completionTokens: completion, chargedNano: charged });
  });

  it("non-streamed request: the reset before a complete body → 502 in the error shape, nothing charged, reservation released", async () => {
    const { userId, key } = await createUser("10.00");
    const res = await chat(key, { model: "test-reset-mid-stream", messages: MESSAGES });
    expect(res.status).toBe(502);
    const err = (await res.json()) as { error: { code: string; type: string; message: string } };
    expect(Object.keys(err.error).sort()).toEqual(["code", "message", "param", "type"]);
    const { summary, ledger, rows } = await expectBooksBalance(userId);
    expect(summary.balanceNano).toBe(10 * USD);
    expect(ledger.filter((e) => e.kind === "usage")).toEqual([]);
    expect(rows).toEqual([expect.objectContaining({ status: "upstream_error", cost_nano: 0, http_status: 502, error_code: err.error.code })]);
    expect((await account(userId).summary()).holdsNano).toBe(0);
    await writeFigures("upstream-reset-nonstream", { status: res.status, code: err.error.code, chargedNano: 0, usageRows: (await usageRows(userId)).length });
  });
});
