import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { formatUsd, parseUsd } from "../../src/lib/money";
import { addTestModels } from "../helpers/catalog";
import { account, chat, createUser, drained, openai, usageRows } from "../helpers/gateway";

// Every recorded OpenAI-compatible Chat Completions fixture (test/fixtures/providers/README.md,
// "Files") replayed through the gateway, streamed and not, with exact usage and cost.
// Test prices: input 1000, cached input 500, output 2000 nUSD per token.

const EXTRA_MODELS: Array<[id: string, provider: string, upstream: string]> = [
  ["fx-deepseek-reasoning", "deepseek", "fixture:others/deepseek/deepseek-reasoning"],
  ["fx-xai-tools", "xai", "fixture:others/xai/xai-tool-call"],
  ["fx-azure", "openai", "fixture:openai/chat/azure-model-router.1"],
];

beforeAll(async () => {
  await addTestModels(env, EXTRA_MODELS);
});

/** Billed figures: completion includes reasoning (for xAI: completion_tokens + reasoning_tokens). */
interface Figures { prompt: number; cached: number; completion: number; reasoning: number; cost: number }
interface ToolCall { id: string; name: string; args: string }
interface Case { file: string; model: string; f: Figures; text?: string; tool?: ToolCall; events?: number; usageOnlyLast?: boolean }

/** cost_nano = (prompt − cached) × 1000 + cached × 500 + completion × 2000. */
const price = (f: Figures) => (f.prompt - f.cached) * 1000 + f.cached * 500 + f.completion * 2000;

const JSON_CASES: Case[] = [
  // 16 × 1000 + 363 × 2000 = 742,000
  { file: "openai/chat/openai-text.json", model: "test-fixture-text", f: { prompt: 16, cached: 0, completion: 363, reasoning: 0, cost: 742_000 } },
  // 19 × 1000 + 320 × 500 + 92 × 2000 = 363,000
  { file: "others/deepseek/deepseek-tool-call.json", model: "test-deepseek-tools", f: { prompt: 339, cached: 320, completion: 92, reasoning: 48, cost: 363_000 },
    tool: { id: "call_00_9V0vrf86Pc9aelHCJMZqnJBo", name: "weather", args: '{"location": "San Francisco"}' } },
  // 18 × 1000 + 345 × 2000 = 708,000
  { file: "others/deepseek/deepseek-reasoning.json", model: "fx-deepseek-reasoning", f: { prompt: 18, cached: 0, completion: 345, reasoning: 315, cost: 708_000 } },
  // xAI excludes reasoning from completion_tokens: billed 2 + 320 = 322. 10 × 1000 + 2 × 500 + 322 × 2000 = 655,000
  { file: "others/xai/xai-text.json", model: "test-xai-text", f: { prompt: 12, cached: 2, completion: 322, reasoning: 320, cost: 655_000 }, text: "Grok" },
  // 26 + 255 = 281 billed. 63 × 1000 + 244 × 500 + 281 × 2000 = 747,000
  { file: "others/xai/xai-tool-call.json", model: "fx-xai-tools", f: { prompt: 307, cached: 244, completion: 281, reasoning: 255, cost: 747_000 },
    tool: { id: "call_46427107", name: "weather", args: '{"location":"San Francisco"}' } },
];

const STREAM_CASES: Case[] = [
  // 16 × 1000 + 300 × 2000 = 616,000
  { file: "openai/chat/openai-text.chunks.txt", model: "test-fixture-text", events: 303, usageOnlyLast: true, f: { prompt: 16, cached: 0, completion: 300, reasoning: 0, cost: 616_000 } },
  // 19 × 1000 + 320 × 500 + 83 × 2000 = 345,000
  { file: "others/deepseek/deepseek-tool-call.chunks.txt", model: "test-deepseek-tools", events: 52, f: { prompt: 339, cached: 320, completion: 83, reasoning: 39, cost: 345_000 },
    tool: { id: "call_00_ioIn7yN9p1ZOMNpDLwd4MgAF", name: "weather", args: '{"location": "San Francisco"}' } },
  // 18 × 1000 + 219 × 2000 = 456,000
  { file: "others/deepseek/deepseek-reasoning.chunks.txt", model: "fx-deepseek-reasoning", events: 220, f: { prompt: 18, cached: 0, completion: 219, reasoning: 205, cost: 456_000 },
    text: 'The word "strawberry" contains three "r"s.' },
  // 2 + 340 = 342 billed. 1 × 1000 + 11 × 500 + 342 × 2000 = 690,500
  { file: "others/xai/xai-text.chunks.txt", model: "test-xai-text", events: 344, usageOnlyLast: true, f: { prompt: 12, cached: 11, completion: 342, reasoning: 340, cost: 690_500 }, text: "Grok" },
  // 26 + 227 = 253 billed. 1 × 1000 + 306 × 500 + 253 × 2000 = 660,000
  { file: "others/xai/xai-tool-call.chunks.txt", model: "fx-xai-tools", events: 230, usageOnlyLast: true, f: { prompt: 307, cached: 306, completion: 253, reasoning: 227, cost: 660_000 },
    tool: { id: "call_79382389", name: "weather", args: '{"location":"San Francisco"}' } },
  // Usage on the finish chunk and again in x_groq.usage: counted once. 210 × 1000 + 15 × 2000 = 240,000
  { file: "others/groq/groq-tool-call.chunks.txt", model: "test-groq-tools", events: 3, f: { prompt: 210, cached: 0, completion: 15, reasoning: 0, cost: 240_000 },
    tool: { id: "tk85n1k4m", name: "weather", args: "{}" } },
  // First chunk: choices [] and id "". 15 × 1000 + 78 × 2000 = 171,000
  { file: "openai/chat/azure-model-router.1.chunks.txt", model: "fx-azure", events: 8, usageOnlyLast: true, f: { prompt: 15, cached: 0, completion: 78, reasoning: 64, cost: 171_000 },
    text: "Capital of Denmark." },
];

const CREDITS = 10_000_000_000; // 10.00 USD

/** Every exact `"cost":<number>` literal in a body, as nUSD. */
const costLiterals = (text: string) => [...text.matchAll(/"cost":(-?\d+(?:\.\d+)?)(?=[,}])/g)].map((m) => m[1]!);

/** The usage row in D1 (after drained) and the DO balance carry the exact figures. */
async function expectBilled(userId: string, requestId: string, c: Case, stream: boolean) {
  const s = await drained(userId);
  expect(s.balanceNano).toBe(CREDITS - c.f.cost);
  const rows = await usageRows(userId);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({
    request_id: requestId, model: c.model, status: "success", usage_source: "upstream", stream: stream ? 1 : 0,
    prompt_tokens: c.f.prompt, completion_tokens: c.f.completion, cached_tokens: c.f.cached, reasoning_tokens: c.f.reasoning, cost_nano: c.f.cost,
  });
  expect((await account(userId).ledger()).filter((e) => e.kind === "usage").map((e) => e.amountNano)).toEqual([-c.f.cost]);
}

type RawChunk = {
  id: string; usage?: Record<string, unknown> | null; x_groq?: { usage?: unknown };
  choices: Array<{ delta: { content?: string | null; tool_calls?: Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }> } }>;
};

/** Joins streamed content and tool-call fragments (by index), the way a client does. */
function assemble(chunks: Array<Pick<RawChunk, "choices">>): { text: string; tools: ToolCall[] } {
  let text = "";
  const tools: ToolCall[] = [];
  for (const ch of chunks) {
    for (const choice of ch.choices) {
      text += choice.delta?.content ?? "";
      for (const t of choice.delta?.tool_calls ?? []) {
        const acc = (tools[t.index] ??= { id: "", name: "", args: "" });
        if (t.id) acc.id = t.id;
        acc.name += t.function?.name ?? "";
        acc.args += t.function?.arguments ?? "";
      }
    }
  }
  return { text, tools };
}

describe("recorded OpenAI-compatible fixtures through the gateway", () => {
  it("prices every case by (prompt − cached) × 1000 + cached × 500 + completion × 2000", () => {
    for (const c of [...JSON_CASES, ...STREAM_CASES]) expect(price(c.f), c.file).toBe(c.f.cost);
  });

  for (const c of JSON_CASES) {
    it(`non-streamed ${c.file} (${c.model})`, async () => {
      const { key, userId } = await createUser(formatUsd(CREDITS));
      const res = await chat(key, { model: c.model });
      expect(res.status).toBe(200);
      const raw = await res.text();
      const json = JSON.parse(raw) as { id: string; usage: Record<string, unknown>; choices: Array<{ message: { content: string | null; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }> } }> };
      expect(json.id).toBe(res.headers.get("x-request-id"));
      expect(json.id).toMatch(/^gen-/);
      expect(json.usage.prompt_tokens).toBe(c.f.prompt);
      // usage.cost is a JSON number, written exactly: the literal is the decimal of cost_nano / 1e9.
      expect(costLiterals(raw)).toEqual([formatUsd(c.f.cost)]);
      expect(String(json.usage.cost)).toBe(formatUsd(c.f.cost));
      expect(parseUsd(String(json.usage.cost))).toBe(c.f.cost);
      const msg = json.choices[0]!.message;
      if (c.text) expect(msg.content).toBe(c.text);
      if (c.tool) {
        expect(msg.tool_calls).toHaveLength(1);
        expect(msg.tool_calls![0]).toMatchObject({ id: c.tool.id, function: { name: c.tool.name, arguments: c.tool.args } });
      }
      await expectBilled(userId, json.id, c, false);
    });
  }

  for (const c of STREAM_CASES) {
    for (const includeUsage of [false, true]) {
      it(`streamed ${c.file} (${c.model}), include_usage ${includeUsage}`, async () => {
        const { key, userId } = await createUser(formatUsd(CREDITS));
        const res = await chat(key, { model: c.model, stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) });
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toContain("text/event-stream");
        const requestId = res.headers.get("x-request-id")!;
        const raw = await res.text();
        const events = raw.split("\n\n").filter(Boolean);
        expect(events.every((e) => e.startsWith("data: "))).toBe(true);
        expect(events.at(-1)).toBe("data: [DONE]");
        const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)) as RawChunk);
        // Every recorded event is relayed (the usage-only last chunk only when asked for), each with the gateway's id.
        expect(chunks).toHaveLength(c.events! - (c.usageOnlyLast && !includeUsage ? 1 : 0));
        for (const ch of chunks) expect(ch.id).toBe(requestId);
        const { text, tools } = assemble(chunks);
        if (c.text) expect(text).toBe(c.text);
        if (c.tool) expect(tools).toEqual([c.tool]);

        const withUsage = chunks.filter((ch) => ch.usage);
        if (!includeUsage) {
          // No usage anywhere: not on a chunk, not in a provider extension, no cost.
          expect(withUsage).toEqual([]);
          expect(chunks.filter((ch) => "usage" in ch)).toEqual([]);
          expect(chunks.filter((ch) => ch.x_groq?.usage !== undefined)).toEqual([]);
          expect(raw).not.toContain("prompt_tokens");
          expect(costLiterals(raw)).toEqual([]);
        } else {
          expect(withUsage).toHaveLength(1);
          expect(withUsage[0]).toBe(chunks.at(-1));
          expect(withUsage[0]!.usage!.prompt_tokens).toBe(c.f.prompt);
          expect(costLiterals(raw)).toEqual([formatUsd(c.f.cost)]);
        }
        await expectBilled(userId, requestId, c, true);
      });
    }
  }

  for (const c of STREAM_CASES.filter((s) => s.tool)) {
    for (const includeUsage of [false, true]) {
      it(`openai SDK streams the tool call of ${c.file} (${c.model}), include_usage ${includeUsage}`, async () => {
        const { key, userId } = await createUser(formatUsd(CREDITS));
        const stream = await openai(key).chat.completions.create({
          model: c.model, messages: [{ role: "user", content: "What is the weather in San Francisco?" }], stream: true,
          ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
        });
        const chunks: RawChunk[] = [];
        for await (const chunk of stream) chunks.push(chunk as unknown as RawChunk);
        const requestId = chunks[0]!.id;
        expect(requestId).toMatch(/^gen-/);
        expect(chunks.every((ch) => ch.id === requestId)).toBe(true);
        const { tools } = assemble(chunks);
        expect(tools).toEqual([c.tool]);
        expect(JSON.parse(tools[0]!.args)).toEqual(JSON.parse(c.tool!.args));
        const usages = chunks.map((ch) => ch.usage).filter((u) => u);
        if (!includeUsage) {
          expect(usages).toEqual([]);
          expect(chunks.filter((ch) => ch.x_groq?.usage !== undefined)).toEqual([]);
        } else {
          expect(usages).toHaveLength(1);
          expect(usages[0]!.prompt_tokens).toBe(c.f.prompt);
          expect(String(usages[0]!.cost)).toBe(formatUsd(c.f.cost));
        }
        await expectBilled(userId, requestId, c, true);
      });
    }
  }
});
