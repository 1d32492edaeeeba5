import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { estimateChatPromptTokens } from "../../src/billing/estimate";
import { invalidateCatalog } from "../../src/catalog/catalog";
import { account, chat, createUser, drained, settled, usageRows } from "../helpers/gateway";
import { TEST_PRICE } from "../helpers/catalog";
import { d1Books } from "../helpers/usage-plane";

// Test prices in nUSD per token: input 1000, output 2000. Test models: max output 1000 tokens.
const IN = TEST_PRICE.input / 1000;
const OUT = TEST_PRICE.output / 1000;
const MAX_OUTPUT = 1000;
const USD = 1_000_000_000;
const MESSAGES = [{ role: "user", content: "Write a long answer about billing." }];

type Delta = { content?: unknown; refusal?: unknown; reasoning_content?: unknown };
type Event = { choices?: Array<{ delta?: Delta }>; usage?: unknown; error?: { code?: string } };

/** Parses the `data:` payloads of complete SSE events in `text`; returns them and the unparsed rest. */
function sseData(text: string): { events: string[]; rest: string } {
  const parts = text.replace(/\r\n/g, "\n").split("\n\n");
  const rest = parts.pop()!;
  const events = parts.flatMap((p) => p.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()));
  return { events, rest };
}

/** Characters and non-empty delta chunks the client saw, counted the way the gateway counts output. */
function countOutput(events: string[]): { chars: number; chunks: number } {
  let chars = 0;
  let chunks = 0;
  for (const e of events) {
    if (e === "[DONE]") continue;
    const j = JSON.parse(e) as Event;
    let n = 0;
    for (const ch of j.choices ?? []) {
      for (const v of [ch.delta?.content, ch.delta?.refusal, ch.delta?.reasoning_content]) if (typeof v === "string") n += v.length;
    }
    if (n > 0) { chars += n; chunks++; }
  }
  return { chars, chunks };
}

/** Balance unchanged, no usage ledger row, reservation released. */
async function expectNothingCharged(userId: string, balance: number) {
  const s = await drained(userId);
  expect(s).toMatchObject({ balanceNano: balance, holdsNano: 0, inFlight: 0 });
  expect(s.usageNano + 0).toBe(0); // summary() reports -0 when there is no usage row
  expect((await account(userId).ledger()).filter((e) => e.kind === "usage")).toEqual([]);
}

describe("billing: an upstream error before the first byte costs nothing", () => {
  const cases = [
    { model: "test-error-500", status: 502, code: "upstream_error" },
    { model: "test-error-503", status: 503, code: "upstream_unavailable" },
    { model: "test-error-429", status: 429, code: "upstream_rate_limited" },
    { model: "test-hang", status: 504, code: "upstream_timeout" },
  ];
  for (const c of cases) {
    for (const stream of [false, true]) {
      it(`${c.model} (stream: ${stream}) → ${c.status}, balance unchanged, reservation released, usage row upstream_error with cost 0`, async () => {
        const { userId, key } = await createUser("1.00");
        const res = await chat(key, { model: c.model, messages: MESSAGES, stream });
        expect(res.status).toBe(c.status);
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe(c.code);
        expect(body.error.message).not.toContain("upstream-internal-detail");
        const id = res.headers.get("x-request-id");
        expect(id).toMatch(/^gen-/);

        await expectNothingCharged(userId, 1 * USD);
        const rows = await usageRows(userId);
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({
          request_id: id, model: c.model, status: "upstream_error", cost_nano: 0, http_status: c.status, error_code: c.code,
          stream: stream ? 1 : 0,
        });
      });
    }
  }
});

describe("billing: streams that end early are charged for what was generated", () => {
  it("client disconnect mid-stream (test-slow-stream): estimated charge for the chunks generated, status client_disconnected", async () => {
    const { userId, key } = await createUser("10.00");
    const res = await chat(key, { model: "test-slow-stream", messages: MESSAGES, stream: true });
    expect(res.status).toBe(200);
    const id = res.headers.get("x-request-id")!;
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    const seen: string[] = [];
    while (countOutput(seen).chunks < 20) {
      const r = await reader.read();
      expect(r.done).toBe(false);
      const { events, rest } = sseData(buffer + decoder.decode(r.value, { stream: true }));
      buffer = rest;
      seen.push(...events);
    }
    await reader.cancel();
    const { chars, chunks: seenChunks } = countOutput(seen);
    expect(chars).toBe(4 * seenChunks); // every chunk is "tok "
    expect(seen).not.toContain("[DONE]");

    // The reservation: no max_tokens and a large balance → prompt estimate + the model's 1000 output tokens.
    const prompt = estimateChatPromptTokens({ messages: MESSAGES });
    const reserved = prompt * IN + MAX_OUTPUT * OUT;
    await settled(userId);
    const s = await drained(userId);
    const rows = await usageRows(userId);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({ request_id: id, status: "client_disconnected", usage_source: "estimated", prompt_tokens: prompt, stream: 1 });
    // The gateway counts max(ceil(chars / 4), chunks) = one token per "tok " chunk it relayed: at least
    // what the client read, at most a few chunks of read-ahead, never the full 200 the upstream would send.
    const completion = row.completion_tokens as number;
    expect(completion).toBeGreaterThanOrEqual(seenChunks);
    expect(completion).toBeLessThanOrEqual(seenChunks + 5);
    const charged = prompt * IN + completion * OUT;
    expect(row.cost_nano).toBe(charged);
    expect(charged).toBeGreaterThan(0);
    expect(charged).toBeLessThan(reserved);
    expect(charged).toBeLessThan(prompt * IN + 200 * OUT);
    expect(s).toMatchObject({ balanceNano: 10 * USD - charged, holdsNano: 0, inFlight: 0, usageNano: charged });
    const ledger = (await account(userId).ledger()).filter((e) => e.kind === "usage");
    expect(ledger.map((e) => [e.ref, e.amountNano])).toEqual([[id, -charged]]);
  });

  it("upstream reset mid-stream (test-reset-mid-stream): terminal error event, no [DONE], estimated charge, status stream_error", async () => {
    const { userId, key } = await createUser("10.00");
    const res = await chat(key, { model: "test-reset-mid-stream", messages: MESSAGES, stream: true });
    expect(res.status).toBe(200);
    const id = res.headers.get("x-request-id")!;
    const { events } = sseData(await res.text());
    expect(events).not.toContain("[DONE]");
    const last = JSON.parse(events.at(-1)!) as Event;
    expect(last.error).toMatchObject({ code: "upstream_stream_error" });
    expect(events.slice(0, -1).every((e) => (JSON.parse(e) as Event).error === undefined)).toBe(true);

    // What was generated before the reset, counted as the gateway counts it.
    const { chars, chunks } = countOutput(events.slice(0, -1));
    expect(chunks).toBeGreaterThan(0);
    const completion = Math.max(Math.ceil(chars / 4), chunks);
    const prompt = estimateChatPromptTokens({ messages: MESSAGES });
    const charged = prompt * IN + completion * OUT;

    const s = await drained(userId);
    expect(s).toMatchObject({ balanceNano: 10 * USD - charged, holdsNano: 0, inFlight: 0 });
    const rows = await usageRows(userId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      request_id: id, status: "stream_error", usage_source: "estimated", prompt_tokens: prompt, completion_tokens: completion, cost_nano: charged,
    });
    const usage = (await account(userId).ledger()).filter((e) => e.kind === "usage");
    expect(usage.map((e) => [e.ref, e.amountNano])).toEqual([[id, -charged]]);
    const txn = await d1Books(userId);
    expect(txn!.total).toBe(s.balanceNano);
  });

  it("upstream stalls mid-stream past the idle timeout: terminal error event, charged for the one chunk generated", async () => {
    // A catalog row of this file's own: the first "tok " at once, the next 2.5 s later (> UPSTREAM_TIMEOUT_MS 1500).
    await env.DB.prepare(
      `INSERT OR REPLACE INTO models (id, name, provider, upstream_model, kind, context_length, max_output_tokens, input_price, output_price, cached_input_price, cache_write_price, capabilities, enabled, price_source, price_updated_at)
       VALUES ('test-billing-stall', 'Test billing stall', 'openai', 'paced:0:3:2500', 'chat', 100000, 1000, ?, ?, ?, NULL, '[]', 1, 'test', '2026-11-01')`,
    ).bind(TEST_PRICE.input, TEST_PRICE.output, TEST_PRICE.cached).run();
    invalidateCatalog();
    try {
      const { userId, key } = await createUser("10.00");
      const res = await chat(key, { model: "test-billing-stall", messages: MESSAGES, stream: true });
      expect(res.status).toBe(200);
      const id = res.headers.get("x-request-id")!;
      const { events } = sseData(await res.text());
      expect(events).not.toContain("[DONE]");
      expect((JSON.parse(events.at(-1)!) as Event).error).toMatchObject({ code: "upstream_stream_error" });
      expect(countOutput(events)).toEqual({ chars: 4, chunks: 1 });
      const prompt = estimateChatPromptTokens({ messages: MESSAGES });
      const charged = prompt * IN + 1 * OUT; // max(ceil(4 / 4), 1) = 1 completion token
      const s = await drained(userId);
      expect(s).toMatchObject({ balanceNano: 10 * USD - charged, holdsNano: 0, inFlight: 0 });
      expect((await usageRows(userId))[0]).toMatchObject({
        request_id: id, status: "stream_error", usage_source: "estimated", prompt_tokens: prompt, completion_tokens: 1, cost_nano: charged,
      });
    } finally {
      invalidateCatalog();
    }
  });
});
