import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { formatUsd } from "../../src/lib/money";
import { addTestModels } from "../helpers/catalog";
import { account, chat, createUser, drained, usageRows } from "../helpers/gateway";
import opus5 from "../fixtures/providers/anthropic/anthropic-claude-opus-5-reasoning-high.1.json";
import jsonTool1 from "../fixtures/providers/anthropic/anthropic-json-tool.1.json";
import toolNoArgs from "../fixtures/providers/anthropic/anthropic-tool-no-args.json";
import geminiNoArgsRaw from "../fixtures/providers/google/google-stream-no-args-tool-call.chunks.txt?raw";

// Every recorded Anthropic and Gemini fixture (test/fixtures/providers/README.md) replayed through
// /api/v1/chat/completions: .json files with stream:false, .chunks.txt files with stream:true (with
// and without stream_options.include_usage). Test prices (nUSD per token): input 1000, cached 500,
// output 2000; cache_write_price NULL → cache writes at the input price (1000).

/** [catalog id, provider, fixture path]; max_output_tokens 8192 so no recorded figure is clamped. */
const ROWS: Array<[string, string, string]> = [
  ["fxag-a-text", "anthropic", "anthropic/anthropic-text"],
  ["fxag-a-noargs", "anthropic", "anthropic/anthropic-tool-no-args"],
  ["fxag-a-json1", "anthropic", "anthropic/anthropic-json-tool.1"],
  ["fxag-a-json2", "anthropic", "anthropic/anthropic-json-tool.2"],
  ["fxag-a-thinking", "anthropic", "anthropic/anthropic-clear-thinking.1"],
  ["fxag-a-opus5", "anthropic", "anthropic/anthropic-claude-opus-5-reasoning-high.1"],
  ["fxag-a-codeexec", "anthropic", "anthropic/anthropic-code-execution-20260120-prompt-cache.1"],
  ["fxag-a-deltainput", "anthropic", "anthropic/anthropic-message-delta-input-tokens"],
  ["fxag-g-text", "google", "google/google-text"],
  ["fxag-g-tool", "google", "google/google-tool-call"],
  ["fxag-g-noargs", "google", "google/google-stream-no-args-tool-call"],
];

beforeAll(async () => {
  await addTestModels(env, ROWS.map(([id, provider, path]) => [id, provider, `fixture:${path}`] as const), 8192);
});

/** A tool call; a numeric id is a Gemini call index: the gateway names it call_<request id>_<n>. */
interface Tool { id: string | number; name: string; args: string }
interface Case {
  file: string; model: string; provider: "anthropic" | "google";
  prompt: number; cached: number; cacheWrite: number; completion: number; reasoning: number; cost: number;
  finish: "stop" | "tool_calls"; text: string | null; thinking?: string; tools?: Tool[];
}

/** cost_nano = (prompt − cached − cacheWrite) × 1000 + cached × 500 + cacheWrite × 1000 + completion × 2000. */
const price = (c: Case) => (c.prompt - c.cached - c.cacheWrite) * 1000 + c.cached * 500 + c.cacheWrite * 1000 + c.completion * 2000;
const base = { cached: 0, cacheWrite: 0, reasoning: 0 };
const A = { ...base, provider: "anthropic" as const };
const G = { ...base, provider: "google" as const };
const geminiLines = geminiNoArgsRaw.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as { candidates: Array<{ content: { parts: Array<{ text?: string; thought?: boolean }> } }> });

const JSON_CASES: Case[] = [
  // in 12, out 29: 12 × 1000 + 29 × 2000 = 70,000
  { ...A, file: "anthropic/anthropic-text.json", model: "fxag-a-text", prompt: 12, completion: 29, cost: 70_000, finish: "stop",
    text: "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?" },
  // tool_use with input {} → arguments "{}". 602 × 1000 + 93 × 2000 = 788,000
  { ...A, file: "anthropic/anthropic-tool-no-args.json", model: "fxag-a-noargs", prompt: 602, completion: 93, cost: 788_000, finish: "tool_calls",
    text: toolNoArgs.content[0]!.text!, tools: [{ id: "toolu_01LRmxn9vGM1d2DZSDBowdZ1", name: "updateIssueList", args: "{}" }] },
  // 1151 × 1000 + 87 × 2000 = 1,325,000
  { ...A, file: "anthropic/anthropic-json-tool.1.json", model: "fxag-a-json1", prompt: 1151, completion: 87, cost: 1_325_000, finish: "tool_calls",
    text: null, tools: [{ id: "toolu_01Q9ExVZnzZj7E2QQYHYtNUa", name: "json", args: JSON.stringify(jsonTool1.content[0]!.input) }] },
  // thinking block → reasoning_content. 69 × 1000 + 33 × 2000 = 135,000
  { ...A, file: "anthropic/anthropic-clear-thinking.1.json", model: "fxag-a-thinking", prompt: 69, completion: 33, cost: 135_000, finish: "stop",
    text: "925 ÷ 5 = 185", thinking: "925 divided by 5 = 185" },
  // output 1699 includes thinking 139. 51 × 1000 + 1699 × 2000 = 3,449,000
  { ...A, file: "anthropic/anthropic-claude-opus-5-reasoning-high.1.json", model: "fxag-a-opus5", prompt: 51, completion: 1699, reasoning: 139, cost: 3_449_000,
    finish: "stop", text: opus5.content[1]!.text!, thinking: opus5.content[0]!.thinking! },
  // completion = candidates 28 + thoughts 244 = 272. 9 × 1000 + 272 × 2000 = 553,000
  { ...G, file: "google/google-text.json", model: "fxag-g-text", prompt: 9, completion: 272, reasoning: 244, cost: 553_000, finish: "stop",
    text: "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y." },
  // functionCall without id, finishReason STOP → tool_calls. 15 + 893 = 908. 29 × 1000 + 908 × 2000 = 1,845,000
  { ...G, file: "google/google-tool-call.json", model: "fxag-g-tool", prompt: 29, completion: 908, reasoning: 893, cost: 1_845_000, finish: "tool_calls",
    text: null, tools: [{ id: 0, name: "weather", args: '{"location":"San Francisco"}' }] },
];

const STREAM_CASES: Case[] = [
  // message_delta 12/30 replaces message_start 12/1. 12 × 1000 + 30 × 2000 = 72,000
  { ...A, file: "anthropic/anthropic-text.chunks.txt", model: "fxag-a-text", prompt: 12, completion: 30, cost: 72_000, finish: "stop",
    text: "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?" },
  // one empty input_json_delta → "{}"; pings between blocks. 565 × 1000 + 48 × 2000 = 661,000
  { ...A, file: "anthropic/anthropic-tool-no-args.chunks.txt", model: "fxag-a-noargs", prompt: 565, completion: 48, cost: 661_000, finish: "tool_calls",
    text: "I'll update the issue list for you.", tools: [{ id: "toolu_01QE1WLsSVp5hy5Q3GmGTmjP", name: "updateIssueList", args: "{}" }] },
  // input_json_delta fragments ("" first) joined. 849 × 1000 + 47 × 2000 = 943,000
  { ...A, file: "anthropic/anthropic-json-tool.2.chunks.txt", model: "fxag-a-json2", prompt: 849, completion: 47, cost: 943_000, finish: "tool_calls",
    text: "I'll invoke the JSON response tool.",
    tools: [{ id: "toolu_01KFbKqPYSuAKujiL6mTfzYA", name: "json", args: '{"elements": [{"location": "San Francisco", "temperature": 58, "condition": "sunny"}]}' }] },
  // thinking_delta → reasoning_content, signature_delta dropped. 69 × 1000 + 53 × 2000 = 175,000
  { ...A, file: "anthropic/anthropic-clear-thinking.1.chunks.txt", model: "fxag-a-thinking", prompt: 69, completion: 53, cost: 175_000, finish: "stop",
    text: "925 ÷ 5 = 185", thinking: "The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185" },
  // final: in 6, cache_creation 3337, cache_read 6289, out 198 → prompt 9632.
  // (9632 − 6289 − 3337) × 1000 + 6289 × 500 + 3337 × 1000 + 198 × 2000 = 6,000 + 3,144,500 + 3,337,000 + 396,000 = 6,883,500
  { ...A, file: "anthropic/anthropic-code-execution-20260120-prompt-cache.1.chunks.txt", model: "fxag-a-codeexec",
    prompt: 9632, cached: 6289, cacheWrite: 3337, completion: 198, cost: 6_883_500, finish: "stop",
    text: "The sum of the squares of the numbers 1 through 12 is **650**.", tools: [] },
  // third-party provider: provisional input 43 in message_start, 61 final. 61 × 1000 + 2 × 2000 = 65,000
  { ...A, file: "anthropic/anthropic-message-delta-input-tokens.chunks.txt", model: "fxag-a-deltainput", prompt: 61, completion: 2, cost: 65_000, finish: "stop", text: "pong" },
  // cumulative usageMetadata: last chunk 9 / 23 + 185 = 208 (not a sum over chunks). 9 × 1000 + 208 × 2000 = 425,000
  { ...G, file: "google/google-text.chunks.txt", model: "fxag-g-text", prompt: 9, completion: 208, reasoning: 185, cost: 425_000, finish: "stop",
    text: 'There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y' },
  // 29 / 15 + 45 = 60 in both chunks. 29 × 1000 + 60 × 2000 = 149,000
  { ...G, file: "google/google-tool-call.chunks.txt", model: "fxag-g-tool", prompt: 29, completion: 60, reasoning: 45, cost: 149_000, finish: "tool_calls",
    text: null, tools: [{ id: 0, name: "weather", args: '{"location":"San Francisco"}' }] },
  // thought summary; no-args call; 3 calls streamed via partialArgs/willContinue; trafficType-only usage until the end.
  // 249 / 58 + 183 = 241. 249 × 1000 + 241 × 2000 = 731,000
  { ...G, file: "google/google-stream-no-args-tool-call.chunks.txt", model: "fxag-g-noargs", prompt: 249, completion: 241, reasoning: 183, cost: 731_000,
    finish: "tool_calls", text: null, thinking: geminiLines[0]!.candidates[0]!.content.parts[0]!.text!,
    tools: [{ id: 0, name: "read_theme", args: "{}" }, { id: 1, name: "read_screen", args: '{"id":"A"}' },
      { id: 2, name: "read_screen", args: '{"id":"B"}' }, { id: 3, name: "read_screen", args: '{"id":"C"}' }] },
];

const CREDITS = 10_000_000_000; // 10.00 USD
const costLiterals = (text: string) => [...text.matchAll(/"cost":(-?\d+(?:\.\d+)?(?:e-?\d+)?)(?=[,}])/g)].map((m) => m[1]!);
const toolsFor = (c: Case, rid: string) => (c.tools ?? []).map((t) => ({ ...t, id: typeof t.id === "number" ? `call_${rid}_${t.id}` : t.id }));

/** The OpenAI usage object for a case (with its cost as the exact decimal). */
function expectUsage(u: Record<string, unknown>, c: Case) {
  expect(u).toMatchObject({
    prompt_tokens: c.prompt, completion_tokens: c.completion, total_tokens: c.prompt + c.completion,
    prompt_tokens_details: { cached_tokens: c.cached, ...(c.provider === "anthropic" ? { cache_write_tokens: c.cacheWrite } : {}) },
    completion_tokens_details: { reasoning_tokens: c.reasoning },
  });
  expect(String(u.cost)).toBe(formatUsd(c.cost));
}

/** D1 usage row (after drained), balance and ledger carry exactly the case's cost. */
async function expectBilled(userId: string, rid: string, c: Case, stream: boolean) {
  const s = await drained(userId);
  expect(s.balanceNano).toBe(CREDITS - c.cost);
  const rows = await usageRows(userId);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({
    request_id: rid, model: c.model, provider: c.provider, status: "success", usage_source: "upstream", stream: stream ? 1 : 0, error_code: null,
    prompt_tokens: c.prompt, completion_tokens: c.completion, cached_tokens: c.cached, reasoning_tokens: c.reasoning, cost_nano: c.cost,
  });
  expect((await account(userId).ledger()).filter((e) => e.kind === "usage").map((e) => [e.ref, e.amountNano])).toEqual([[rid, -c.cost]]);
}

type Delta = { role?: string; content?: string | null; reasoning_content?: string | null; tool_calls?: Array<{ index: number; id?: string; type?: string; function?: { name?: string; arguments?: string } }> };
type Chunk = { id: string; object: string; created: number; model: string; choices: Array<{ index: number; delta: Delta; finish_reason: string | null }>; usage?: Record<string, unknown> | null };

/** Checks every chunk's OpenAI shape and assembles what a client would: text, reasoning, tool calls, finish reasons. */
function assemble(chunks: Chunk[], rid: string, model: string) {
  let text = "";
  let thinking = "";
  const tools: Array<{ id: string; name: string; args: string }> = [];
  const finishes: string[] = [];
  chunks.forEach((ch, i) => {
    expect(ch).toMatchObject({ id: rid, object: "chat.completion.chunk", model });
    expect(Number.isInteger(ch.created)).toBe(true);
    for (const choice of ch.choices) {
      expect(choice.index).toBe(0);
      expect(typeof choice.delta).toBe("object");
      expect("finish_reason" in choice).toBe(true);
      if (i === 0) expect(choice.delta.role).toBe("assistant");
      else expect(choice.delta.role).toBeUndefined();
      expect(finishes, "nothing after the finish chunk").toEqual([]);
      text += choice.delta.content ?? "";
      thinking += choice.delta.reasoning_content ?? "";
      for (const t of choice.delta.tool_calls ?? []) {
        if (!tools[t.index]) {
          // The first delta of a call carries its id, type and name (what the SDKs require).
          expect(t).toMatchObject({ type: "function", id: expect.any(String), function: { name: expect.any(String) } });
          expect(t.index).toBe(tools.length);
          tools[t.index] = { id: t.id!, name: t.function!.name!, args: "" };
        } else {
          expect(t.id === undefined || t.id === tools[t.index]!.id, "a call keeps its id").toBe(true);
        }
        tools[t.index]!.args += t.function?.arguments ?? "";
      }
      if (choice.finish_reason !== null) finishes.push(choice.finish_reason);
      // Nothing empty is relayed (ping, signature_delta, server-tool and empty-text events produce no chunk).
      const d = choice.delta;
      expect(d.role !== undefined || !!d.content || !!d.reasoning_content || !!d.tool_calls?.length || choice.finish_reason !== null).toBe(true);
    }
  });
  return { text, thinking, tools, finishes };
}

describe("recorded Anthropic and Gemini fixtures through /api/v1/chat/completions", () => {
  it("every case's cost is (prompt − cached − cacheWrite) × 1000 + cached × 500 + cacheWrite × 1000 + completion × 2000", () => {
    for (const c of [...JSON_CASES, ...STREAM_CASES]) expect(price(c), c.file).toBe(c.cost);
  });

  for (const c of JSON_CASES) {
    it(`non-streamed ${c.file} (${c.model})`, async () => {
      const { key, userId } = await createUser(formatUsd(CREDITS));
      const res = await chat(key, { model: c.model, stream: false });
      const raw = await res.text();
      expect(res.status, raw).toBe(200);
      const rid = res.headers.get("x-request-id")!;
      expect(rid).toMatch(/^gen-/);
      expect(res.headers.get("x-gateway-provider")).toBe(c.provider);
      const body = JSON.parse(raw) as { id: string; object: string; created: number; model: string; usage: Record<string, unknown>;
        choices: Array<{ index: number; finish_reason: string; logprobs: null; message: { role: string; content: string | null; reasoning_content?: string; tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }> } }> };
      expect(body).toMatchObject({ id: rid, object: "chat.completion", model: c.model });
      expect(Number.isInteger(body.created)).toBe(true);
      expect(body.choices).toHaveLength(1);
      const choice = body.choices[0]!;
      expect(choice).toMatchObject({ index: 0, finish_reason: c.finish, logprobs: null, message: { role: "assistant", content: c.text } });
      expect(choice.message.reasoning_content).toBe(c.thinking);
      const tools = (choice.message.tool_calls ?? []).map((t) => { expect(t.type).toBe("function"); return { id: t.id, name: t.function.name, args: t.function.arguments }; });
      expect(tools).toEqual(toolsFor(c, rid));
      expectUsage(body.usage, c);
      expect(costLiterals(raw)).toEqual([formatUsd(c.cost)]);
      await expectBilled(userId, rid, c, false);
    });
  }

  for (const c of STREAM_CASES) {
    for (const includeUsage of [false, true]) {
      it(`streamed ${c.file} (${c.model}), include_usage ${includeUsage}`, async () => {
        const { key, userId } = await createUser(formatUsd(CREDITS));
        const res = await chat(key, { model: c.model, stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) });
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toContain("text/event-stream");
        const rid = res.headers.get("x-request-id")!;
        expect(rid).toMatch(/^gen-/);
        const raw = await res.text();
        const events = raw.split("\n\n").filter(Boolean);
        expect(events.every((e) => e.startsWith("data: "))).toBe(true);
        expect(events.at(-1)).toBe("data: [DONE]");
        expect(raw.endsWith("data: [DONE]\n\n")).toBe(true);
        const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)) as Chunk);
        expect(chunks.some((ch) => "error" in ch)).toBe(false);
        const withChoices = chunks.filter((ch) => ch.choices.length > 0);
        const got = assemble(withChoices, rid, c.model);
        expect(got.text || null).toBe(c.text);
        expect(got.thinking || undefined).toBe(c.thinking);
        expect(got.tools).toEqual(toolsFor(c, rid));
        expect(got.finishes).toEqual([c.finish]);
        // Provider internals never leak: no ping, no signatures, no server-tool blocks or ids.
        for (const leak of ["ping", "signature", "srvtoolu", "bash_code_execution", "trafficType", "usageMetadata"]) expect(raw).not.toContain(leak);

        const usageChunks = chunks.filter((ch) => "usage" in ch);
        if (!includeUsage) {
          expect(usageChunks).toEqual([]);
          expect(chunks).toEqual(withChoices);
          expect(raw).not.toContain("prompt_tokens");
          expect(costLiterals(raw)).toEqual([]);
        } else {
          // One usage chunk, last, with choices [] (as OpenAI sends it), final figures and the exact cost.
          expect(usageChunks).toHaveLength(1);
          expect(usageChunks[0]).toBe(chunks.at(-1));
          expect(usageChunks[0]).toMatchObject({ id: rid, object: "chat.completion.chunk", model: c.model, choices: [] });
          expectUsage(usageChunks[0]!.usage!, c);
          expect(costLiterals(raw)).toEqual([formatUsd(c.cost)]);
        }
        await expectBilled(userId, rid, c, true);
      });
    }
  }
});
