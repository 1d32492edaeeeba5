import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { formatUsd } from "../../src/lib/money";
import { addTestModels } from "../helpers/catalog";
import { account, chat, createUser, drained, usageRows } from "../helpers/gateway";

// Wire-level behaviour of the Anthropic and Gemini translation on the stand-in's byte-level
// scenarios: `split-bytes` (the provider's default fixture written in 1–13 byte fragments, cut
// inside lines, inside UTF-8 characters and between \r and \n) must give exactly what the unsplit
// replay gives; `reset-mid-stream` (the socket destroyed after the first events) must end the
// client's stream with a terminal error event. Prices (nUSD/token): input 1000, output 2000.

const ROWS: Array<[string, string, string]> = [
  ["fxagw-a-plain", "anthropic", "fixture:anthropic/anthropic-text"],
  ["fxagw-a-split", "anthropic", "split-bytes"],
  ["fxagw-a-reset", "anthropic", "reset-mid-stream"],
  ["fxagw-a-slow", "anthropic", "slow-stream"],
  ["fxagw-g-plain", "google", "fixture:google/google-text"],
  ["fxagw-g-split", "google", "split-bytes"],
  ["fxagw-g-reset", "google", "reset-mid-stream"],
  ["fxagw-g-slow", "google", "slow-stream"],
];

beforeAll(async () => {
  await addTestModels(env, ROWS, 8192);
});

const CREDITS = 10_000_000_000;

type Chunk = { id: string; created: number; model: string; choices: Array<{ delta: { content?: string | null; reasoning_content?: string | null } }>; usage?: Record<string, unknown> };

/** One call; returns the request id, the body (events or JSON) with id/created/model blanked, and the D1 row. */
async function run(model: string, stream: boolean, includeUsage = false) {
  const { key, userId } = await createUser(formatUsd(CREDITS));
  const res = await chat(key, { model, stream, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) });
  const raw = await res.text();
  expect(res.status, raw).toBe(200);
  const rid = res.headers.get("x-request-id")!;
  const blank = (o: { id: string; created: number; model: string }) => {
    expect(o).toMatchObject({ id: rid, model });
    return { ...o, id: "ID", created: 0, model: "MODEL" };
  };
  let body: unknown;
  if (stream) {
    const events = raw.split("\n\n").filter(Boolean);
    expect(events.at(-1)).toBe("data: [DONE]");
    body = events.slice(0, -1).map((e) => blank(JSON.parse(e.slice(6)) as Chunk));
  } else {
    body = blank(JSON.parse(raw) as Chunk);
  }
  await drained(userId);
  const rows = await usageRows(userId);
  expect(rows).toHaveLength(1);
  // Per-request fields aside, the usage row must be the same (tokens, cost, status, source…).
  const { request_id, model: m, user_id, key_id, latency_ms, created_at, price_version, ...row } = rows[0]!;
  expect([request_id, m, user_id]).toEqual([rid, model, userId]);
  expect(String(price_version)).toMatch(new RegExp(`^${model}@`)); // the model's own price version
  void key_id; void latency_ms; void created_at;
  return { rid, body, row, userId };
}

/** Expected billing of the unsplit default fixtures (README table). */
const DEFAULTS = {
  // anthropic-text.json 12/29: 12 × 1000 + 29 × 2000 = 70,000; .chunks.txt final 12/30: 12 × 1000 + 30 × 2000 = 72,000
  anthropic: { json: { prompt: 12, completion: 29, cost: 70_000 }, chunks: { prompt: 12, completion: 30, cost: 72_000 } },
  // google-text.json 9 / 28 + 244: 9 × 1000 + 272 × 2000 = 553,000; .chunks.txt last 9 / 23 + 185: 9 × 1000 + 208 × 2000 = 425,000
  google: { json: { prompt: 9, completion: 272, cost: 553_000 }, chunks: { prompt: 9, completion: 208, cost: 425_000 } },
};

describe("split-bytes: fragmented upstream bytes give the same result as the unsplit replay", () => {
  for (const [provider, p] of [["anthropic", "a"], ["google", "g"]] as const) {
    for (const mode of ["non-stream", "stream", "stream+usage"] as const) {
      it(`${provider} ${mode}`, async () => {
        const stream = mode !== "non-stream";
        const plain = await run(`fxagw-${p}-plain`, stream, mode === "stream+usage");
        const split = await run(`fxagw-${p}-split`, stream, mode === "stream+usage");
        expect(split.body).toEqual(plain.body);
        expect(split.row).toEqual(plain.row);
        const want = DEFAULTS[provider][stream ? "chunks" : "json"];
        expect(split.row).toMatchObject({ provider, status: "success", usage_source: "upstream", prompt_tokens: want.prompt, completion_tokens: want.completion, cost_nano: want.cost });
        expect((await account(split.userId).summary()).balanceNano).toBe(CREDITS - want.cost);
        if (stream) {
          const chunks = split.body as Chunk[];
          // Multi-byte characters cut across fragments are decoded intact.
          expect(JSON.stringify(chunks)).not.toContain("\uFFFD");
          expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("").length).toBeGreaterThan(20);
          const usage = chunks.filter((c) => c.usage);
          expect(usage.length).toBe(mode === "stream+usage" ? 1 : 0);
          if (usage[0]) expect(String(usage[0].usage!.cost)).toBe(formatUsd(want.cost));
        } else {
          expect(String((split.body as Chunk).usage!.cost)).toBe(formatUsd(want.cost));
        }
      });
    }
  }
});

type ErrorEvent = { error?: { message: string; type: string; code: string; param: null } };

/** Output the client saw, counted the way the gateway counts relayed output: max(ceil(chars / 4), non-empty chunks). */
function counted(chunks: Chunk[]): number {
  let chars = 0;
  let n = 0;
  for (const c of chunks) {
    const len = (c.choices ?? []).reduce((a, ch) => a + (ch.delta.content ?? "").length + (ch.delta.reasoning_content ?? "").length, 0);
    if (len > 0) { chars += len; n++; }
  }
  return Math.max(Math.ceil(chars / 4), n);
}

describe("reset-mid-stream: the upstream socket is destroyed mid-stream", () => {
  // The stand-in sends the default stream's first events, then destroys the socket (no message_stop /
  // no finishReason). anthropic: message_start (in 12, provisional out 1), content_block_start, ping,
  // "Hello", "! I". google: the first 2 of 3 chunks of google-text.chunks.txt, the second with
  // cumulative usageMetadata 9 / 23 + 185 = 208.
  // Charged for what was generated (docs/architecture.md): never less output than the client was sent,
  // i.e. max(the provider's running output figure, the relayed output counted by the gateway).
  const CASES = [
    { provider: "anthropic", p: "a", prompt: 12, running: 1, reasoning: 0 },
    { provider: "google", p: "g", prompt: 9, running: 208, reasoning: 185 },
  ] as const;
  for (const c of CASES) {
    it(`${c.provider}: terminal OpenAI error event, no [DONE], status stream_error, charged at least the output relayed`, async () => {
      const { key, userId } = await createUser(formatUsd(CREDITS));
      const res = await chat(key, { model: `fxagw-${c.p}-reset`, stream: true, stream_options: { include_usage: true } });
      expect(res.status).toBe(200);
      const rid = res.headers.get("x-request-id")!;
      const raw = await res.text();
      const events = raw.split("\n\n").filter(Boolean);
      expect(events.every((e) => e.startsWith("data: "))).toBe(true);
      expect(raw).not.toContain("[DONE]");
      const parsed = events.map((e) => JSON.parse(e.slice(6)) as Chunk & ErrorEvent);
      const last = parsed.at(-1)!;
      expect(Object.keys(last)).toEqual(["error"]);
      expect(Object.keys(last.error!).sort()).toEqual(["code", "message", "param", "type"]);
      expect(last.error).toMatchObject({ type: "api_error", param: null });
      expect(["upstream_stream_error", "upstream_stream_incomplete"]).toContain(last.error!.code);
      const before = parsed.slice(0, -1);
      expect(before.length).toBeGreaterThan(0);
      expect(before.every((ch) => ch.error === undefined && ch.id === rid)).toBe(true);
      // The response never completed: no finish chunk, no usage chunk.
      expect(before.some((ch) => ch.usage !== undefined || (ch.choices as Array<{ finish_reason?: string | null }>).some((x) => x.finish_reason))).toBe(false);
      const seen = counted(before);
      expect(seen).toBeGreaterThan(0);
      // anthropic: max(1, max(ceil(8 / 4), 2)) = 2 → 12 × 1000 + 2 × 2000 = 16,000
      // google: max(208, max(ceil(55 / 4), 2)) = 208 → 9 × 1000 + 208 × 2000 = 425,000
      const completion = Math.max(c.running, seen);
      const cost = c.prompt * 1000 + completion * 2000;
      const s = await drained(userId);
      expect(s).toMatchObject({ balanceNano: CREDITS - cost, holdsNano: 0, inFlight: 0 });
      const rows = await usageRows(userId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        request_id: rid, provider: c.provider, status: "stream_error", error_code: last.error!.code, stream: 1,
        prompt_tokens: c.prompt, completion_tokens: completion, reasoning_tokens: c.reasoning, cost_nano: cost,
      });
    });
  }
});

describe("client disconnect from a translated stream", () => {
  // slow-stream = paced:10:200:10: 200 "tok " pieces; Anthropic's message_start says in 20 / out 1
  // (provisional), Gemini's intermediate chunks carry usageMetadata {promptTokenCount: 20} only.
  // Reading 20 content chunks and leaving must cost at least those 20 relayed tokens (never ~0 output).
  for (const [provider, model] of [["anthropic", "fxagw-a-slow"], ["google", "fxagw-g-slow"]] as const) {
    it(`${provider}: charged at least the 20 content chunks the client read, status client_disconnected`, async () => {
      const { key, userId } = await createUser(formatUsd(CREDITS));
      const res = await chat(key, { model, stream: true });
      expect(res.status).toBe(200);
      const rid = res.headers.get("x-request-id")!;
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      const seen: Chunk[] = [];
      while (seen.filter((c) => c.choices[0]?.delta.content).length < 20) {
        const r = await reader.read();
        expect(r.done).toBe(false);
        const parts = (buffer + decoder.decode(r.value, { stream: true })).split("\n\n");
        buffer = parts.pop()!;
        for (const e of parts) seen.push(JSON.parse(e.slice(6)) as Chunk);
      }
      await reader.cancel();
      const read = counted(seen);
      expect(read).toBeGreaterThanOrEqual(20);
      await drained(userId);
      const row = (await usageRows(userId))[0]!;
      expect(row).toMatchObject({ request_id: rid, provider, status: "client_disconnected", prompt_tokens: 20 });
      const completion = row.completion_tokens as number;
      expect(completion).toBeGreaterThanOrEqual(read);
      expect(completion).toBeLessThanOrEqual(read + 5); // a few chunks of read-ahead at most
      expect(row.cost_nano).toBe(20 * 1000 + completion * 2000);
    });
  }
});
