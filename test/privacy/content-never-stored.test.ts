import { afterEach, describe, expect, it } from "vitest";
import { account, api, createUser, drained, settled, usageRows } from "../helpers/gateway";
import { mirrorBill } from "../helpers/mirror";
import { captureConsole, scanD1, scanDO, sseData } from "./scan";

// P16: prompt and completion content is never stored. A unique marker goes into every part of
// the prompts (and, through the stand-in's mirror, into the completions); afterwards no row of any
// table in D1 or in the user's Durable Object, no DO key-value entry and no log line holds it.
const MARKER = `MARKER-${crypto.randomUUID()}`;

let capture: ReturnType<typeof captureConsole> | null = null;
afterEach(() => {
  capture?.restore();
  capture = null;
});

function markedChat(extra: Record<string, unknown>) {
  return {
    model: "test-mirror",
    messages: [
      { role: "system", content: `${MARKER}-system` },
      { role: "user", content: [{ type: "text", text: `${MARKER}-user` }] },
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: JSON.stringify({ q: `${MARKER}-args` }) } }] },
      { role: "tool", tool_call_id: "call_1", content: `${MARKER}-tool-result` },
    ],
    tools: [{
      type: "function",
      function: {
        name: "lookup", description: `${MARKER}-description`,
        parameters: { type: "object", properties: { q: { type: "string", description: `${MARKER}-param` } } },
      },
    }],
    ...extra,
  };
}
const PROMPT_PARTS = ["system", "user", "args", "tool-result", "description", "param"].map((p) => `${MARKER}-${p}`);

describe("P16: prompt and completion content is never stored", () => {
  it("no table, DO storage or log line holds any part of a prompt or completion", async () => {
    const { key, userId } = await createUser("5.00");
    capture = captureConsole();

    // 1. Non-streamed chat: the mirror puts the whole upstream body into the completion.
    const plain = await api("/chat/completions", key, { method: "POST", json: markedChat({}) });
    expect(plain.status).toBe(200);
    const plainJson = (await plain.json()) as { id: string; choices: Array<{ message: { content: string } }> };
    for (const part of PROMPT_PARTS) expect(plainJson.choices[0]!.message.content).toContain(part);

    // 2. Streamed chat, with the usage chunk.
    const streamed = await api("/chat/completions", key, { method: "POST", json: markedChat({ stream: true, stream_options: { include_usage: true } }) });
    expect(streamed.status).toBe(200);
    const chunks = sseData(await streamed.text()).map((d) => JSON.parse(d) as { choices: Array<{ delta?: { content?: string } }>; usage?: unknown });
    const streamedText = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    for (const part of PROMPT_PARTS) expect(streamedText).toContain(part);
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: mirrorBill(streamedText).completionTokens });

    // 3. Embeddings with the marker as input.
    const emb = await api("/embeddings", key, { method: "POST", json: { model: "test-embed", input: [`${MARKER}-embed`, "second"] } });
    expect(emb.status).toBe(200);
    expect(((await emb.json()) as { usage: unknown }).usage).toMatchObject({ prompt_tokens: 12 });

    // 4. A request the upstream refuses (stand-in error-400), marker in the prompt.
    const failed = await api("/chat/completions", key, { method: "POST", json: markedChat({ model: "test-error-400" }) });
    expect(failed.status).toBe(400);
    expect(((await failed.json()) as { error: { code: string } }).error.code).toBe("unsupported_parameter");

    // 5. A request the gateway rejects in validation: the marker is in a malformed field (and the prompt).
    // (Issue 13: unknown fields are passed through now, so a wrong type is what gets refused.)
    const invalid = await api("/chat/completions", key, {
      method: "POST", json: { model: "test-echo", messages: [{ role: "user", content: `${MARKER}-invalid` }], verbosity: MARKER },
    });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { code: string } }).error.code).toBe("invalid_request");

    // Before the outbox is flushed, the usage records wait in the DO's outbox: scan them there too.
    await settled(userId);
    const before = await scanDO(userId, MARKER);
    expect(before.tables).toEqual(expect.arrayContaining(["outbox", "ledger", "requests", "rate_events", "account", "api_keys"]));
    expect(before.hits).toEqual([]);

    await drained(userId);
    const logged = capture.lines(MARKER);
    expect(logged).toEqual([]);

    // The scans are meaningful: each marker-bearing request that reached admission left a usage row.
    const usage = await usageRows(userId);
    const byId = new Map(usage.map((r) => [r.request_id, r]));
    expect(usage).toHaveLength(4);
    expect(byId.get(plainJson.id)).toMatchObject({
      endpoint: "chat.completions", status: "success", stream: 0, prompt_tokens: 11, completion_tokens: mirrorBill(plainJson.choices[0]!.message.content).completionTokens,
    });
    expect(byId.get(streamed.headers.get("x-request-id")!)).toMatchObject({ endpoint: "chat.completions", status: "success", stream: 1 });
    expect(byId.get(emb.headers.get("x-request-id")!)).toMatchObject({ endpoint: "embeddings", status: "success", prompt_tokens: 12 });
    expect(byId.get(failed.headers.get("x-request-id")!)).toMatchObject({ status: "upstream_error", http_status: 400, cost_nano: 0 });

    const d1 = await scanD1(MARKER);
    expect(d1.tables).toEqual(expect.arrayContaining(["usage_logs", "transactions", "users", "api_keys", "models"]));
    expect(d1.rows).toBeGreaterThan(0);
    expect(d1.hits).toEqual([]);

    const after = await scanDO(userId, MARKER);
    expect(after.rows).toBeGreaterThan(0);
    expect(after.hits).toEqual([]);
    expect((await account(userId).summary()).pendingOutbox).toBe(0);
  });
});
