import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { formatUsd } from "../../src/lib/money";
import { addTestModels } from "../helpers/catalog";
import { api, createUser, drained, openai, usageRows } from "../helpers/gateway";

// The recorded OpenAI Responses fixtures through POST /api/v1/responses (passed through, metered).
// Test prices: input 1000, cached 500, output 2000 nUSD per token; reasoning is part of output.
const R = "fixture:openai/responses/";
beforeAll(() => addTestModels(env, [
  ["rs-phase", "openai", `${R}openai-phase.1`],
  ["rs-tool", "openai", `${R}openai-client-tool-search.2`],
  ["rs-reasoning", "openai", `${R}openai-reasoning-encrypted-content.1`],
  ...[1, 2, 3, 4].map((k) => [`rs-loop-${k}`, "openai", `${R}openai-reasoning-encrypted-content.1@${k}`] as const),
  ["rs-error", "openai", `${R}openai-error.1`],
  ["rs-claude", "anthropic", "fixture:anthropic/anthropic-text"],
]));

/**
 * The recorded phase fixture reports ~7,200 input tokens; the request sends an input of that order
 * so its reservation covers the recorded cost (a charge is capped at reservation + overdraft share,
 * issue 12 item 1; a 5-byte input would now have most of that recorded cost waived).
 */
const NEWS = "news? ".repeat(2_000);
const cost = (input: number, cached: number, output: number) => (input - cached) * 1000 + cached * 500 + output * 2000;

async function billed(userId: string) {
  await drained(userId);
  return (await usageRows(userId)).map((r) => ({ prompt: r.prompt_tokens, cached: r.cached_tokens, completion: r.completion_tokens, reasoning: r.reasoning_tokens, cost: r.cost_nano, status: r.status }));
}

describe("POST /responses (OpenAI Responses API, passed through)", () => {
  it("non-streamed files: exact usage and cost, upstream id kept for previous_response_id", async () => {
    const { key, userId } = await createUser("5.00");
    const client = openai(key);
    const phase = await client.responses.create({ model: "rs-phase", input: NEWS });
    expect(phase.id).toMatch(/^resp_/);
    expect(phase.output_text.length).toBeGreaterThan(100);
    expect((phase.usage as unknown as { cost: number }).cost).toBe(Number(formatUsd(cost(7243, 3072, 423))));
    const tool = await client.responses.create({ model: "rs-tool", input: "weather?" });
    expect(tool.output.some((o) => o.type === "function_call")).toBe(true);
    await client.responses.create({ model: "rs-reasoning", input: "x" });
    expect(await billed(userId)).toEqual([
      { prompt: 7243, cached: 3072, completion: 423, reasoning: 58, cost: cost(7243, 3072, 423), status: "success" },
      { prompt: 461, cached: 0, completion: 26, reasoning: 0, cost: cost(461, 0, 26), status: "success" },
      { prompt: 865, cached: 0, completion: 163, reasoning: 128, cost: cost(865, 0, 163), status: "success" },
    ]);
  });

  it("streamed files: events relayed as they came, usage taken from response.completed", async () => {
    const { key, userId } = await createUser("5.00");
    const client = openai(key);
    const stream = await client.responses.create({ model: "rs-phase", input: NEWS, stream: true });
    let text = "";
    let completedCost: number | undefined;
    for await (const e of stream) {
      if (e.type === "response.output_text.delta") text += e.delta;
      if (e.type === "response.completed") completedCost = (e.response.usage as unknown as { cost: number }).cost;
    }
    expect(text.startsWith("Got it")).toBe(true); // the commentary phase streams as deltas (openai-phase.1.chunks.txt)
    expect(completedCost).toBe(Number(formatUsd(cost(7112, 3072, 463))));
    const args: string[] = [];
    for await (const e of await client.responses.create({ model: "rs-tool", input: "weather?", stream: true })) {
      if (e.type === "response.function_call_arguments.delta") args.push(e.delta);
    }
    expect(JSON.parse(args.join(""))).toBeTypeOf("object");
    // The four responses of a multi-step tool loop, each its own request.
    for (const k of [1, 2, 3, 4]) for await (const _ of await client.responses.create({ model: `rs-loop-${k}`, input: "x", stream: true })) void _;
    const rows = await billed(userId);
    expect(rows.map((r) => [r.prompt, r.cached, r.completion, r.cost])).toEqual([
      [7112, 3072, 463, cost(7112, 3072, 463)],
      [467, 0, 26, cost(467, 0, 26)],
      [134, 0, 28, cost(134, 0, 28)], [221, 0, 26, cost(221, 0, 26)], [260, 0, 26, cost(260, 0, 26)], [299, 0, 12, cost(299, 0, 12)],
    ]);
  });

  it("an error inside a started stream ends with a clean error event and costs nothing more than what was generated", async () => {
    const { key, userId } = await createUser("5.00");
    const res = await api("/responses", key, { method: "POST", json: { model: "rs-error", input: "x", stream: true } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("upstream_stream_error");
    expect(text).not.toContain("exceeded your current quota");
    const [row] = await billed(userId);
    expect(row).toMatchObject({ status: "stream_error", completion: 0 });
  });

  it("a non-OpenAI-format model is refused with a clear 400; a bad body is a 400 naming the field", async () => {
    const { key } = await createUser("5.00");
    const r1 = await api("/responses", key, { method: "POST", json: { model: "rs-claude", input: "x" } });
    expect(r1.status).toBe(400);
    expect(((await r1.json()) as { error: { code: string } }).error.code).toBe("unsupported_model");
    const r2 = await api("/responses", key, { method: "POST", json: { model: "rs-phase", max_output_tokens: -1 } });
    expect(r2.status).toBe(400);
    expect(((await r2.json()) as { error: { param: string } }).error.param).toBe("max_output_tokens");
  });
});
