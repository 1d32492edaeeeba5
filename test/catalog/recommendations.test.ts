import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PREFERENCES } from "../../src/routing/auto";
import { expectError } from "../helpers/errors";

const URL_BASE = "http://gateway.test/api/v1/models/recommendations";

type Item = {
  id: string; name: string; rank: number; available: boolean; pricing: { prompt: string; completion: string };
  context_length: number; capabilities: string[]; why: string;
};

async function get(query: string): Promise<{ task: string; data: Item[] }> {
  const res = await SELF.fetch(`${URL_BASE}?${query}`);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  return JSON.parse(text) as { task: string; data: Item[] };
}

// The test gateway (vitest.config.ts) configures openai, anthropic, google, deepseek, xai, groq and
// mistral, not moonshot or together; kimi-k2 is still served through its groq channel. (The
// "configured providers first" order is covered with unavailable providers in src/routing/auto.test.ts.)
describe("GET /api/v1/models/recommendations", () => {
  it("task=code: the code list in order, prices per token, no key needed", async () => {
    const body = await get("task=code");
    expect(body.task).toBe("code");
    const ids = body.data.map((d) => d.id);
    expect([...ids].sort()).toEqual([...PREFERENCES.code].sort());
    expect(body.data.map((d) => d.rank)).toEqual(ids.map((_, i) => i + 1));
    expect(ids).toEqual([...PREFERENCES.code]);
    expect(body.data.every((d) => d.available)).toBe(true);
    expect(body.data[1]).toEqual({
      id: "gpt-4.1", name: "OpenAI GPT-4.1", rank: 2, available: true,
      pricing: { prompt: "0.000002", completion: "0.000008" },
      context_length: 1047576, capabilities: ["tools", "vision", "json"],
      why: "#2 in the code list: strong at code edits and instruction following",
    });
    const sonnet = body.data[0]!;
    expect(sonnet).toMatchObject({ id: "claude-sonnet-5-5", available: true, pricing: { prompt: "0.000002", completion: "0.00001" }, context_length: 1000000 });
    expect(sonnet.why).toBe("#1 in the code list: Anthropic's coding and agent model");
    // kimi-k2's own provider (moonshot) is not configured, but its groq channel is
    expect(body.data.find((d) => d.id === "kimi-k2")).toMatchObject({ available: true });
  });

  it("max_price_* (USD per 1M tokens) drops models above either limit", async () => {
    const body = await get("task=chat&max_price_prompt=0.30&max_price_completion=1");
    expect(body.data.map((d) => d.id)).toEqual(["deepseek-chat", "gpt-4o-mini", "gemini-2.5-flash-lite", "mistral-small-latest", "gpt-4.1-nano", "grok-3-mini"]);
    for (const d of body.data) {
      expect(Number(d.pricing.prompt)).toBeLessThanOrEqual(0.3e-6);
      expect(Number(d.pricing.completion)).toBeLessThanOrEqual(1e-6);
    }
  });

  it("vision lists only vision-capable models", async () => {
    const body = await get("task=vision");
    expect(body.data.length).toBeGreaterThan(0);
    expect(body.data.every((d) => d.capabilities.includes("vision"))).toBe(true);
  });

  it("rejects a missing or unknown task, a malformed price and unknown parameters", async () => {
    await expectError(await SELF.fetch(URL_BASE), 400, "invalid_request", "invalid_request_error", "task");
    await expectError(await SELF.fetch(`${URL_BASE}?task=poetry`), 400, "invalid_request", "invalid_request_error", "task");
    await expectError(await SELF.fetch(`${URL_BASE}?task=code&max_price_prompt=-1`), 400, "invalid_request", "invalid_request_error", "max_price_prompt");
    await expectError(await SELF.fetch(`${URL_BASE}?task=code&max_price=1`), 400, "unknown_parameter", "invalid_request_error", "max_price");
  });
});
