import Anthropic from "@anthropic-ai/sdk";
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, createUser, drained, usageRows } from "../helpers/gateway";

// Must show 3 (issue 3): the official Anthropic SDK against /api/v1/messages, served by a Claude
// model (native) and by OpenAI-format models (translated). Test prices: 1000 in / 2000 out nUSD per token.
// The Anthropic SDK appends /v1/messages to its base URL: <host>/api reaches /api/v1/messages, <host> reaches /v1/messages.
function anthropic(key: string, basePath = "/api") {
  return new Anthropic({ apiKey: key, baseURL: `${BASE}${basePath}`, maxRetries: 0, fetch: (input, init) => SELF.fetch(input as string, init as RequestInit) });
}

const ask = { max_tokens: 1000, messages: [{ role: "user" as const, content: "Hello" }] };

describe("Anthropic SDK against /messages", () => {
  it("Claude natively: text, not streamed (anthropic-text.json: 12 in, 29 out)", async () => {
    const { key, userId } = await createUser("1.00");
    const msg = await anthropic(key).messages.create({ model: "test-claude-text", ...ask });
    expect(msg.type).toBe("message");
    expect(msg.id).toMatch(/^msg_/);
    expect(msg.content[0]).toMatchObject({ type: "text" });
    expect(msg.usage).toMatchObject({ input_tokens: 12, output_tokens: 29 });
    expect((msg.usage as unknown as { cost: number }).cost).toBe(0.00007); // 12 × 1000 + 29 × 2000 = 70,000 nUSD
    await drained(userId);
    expect((await usageRows(userId))[0]).toMatchObject({ request_id: msg.id, endpoint: "messages", provider: "anthropic", prompt_tokens: 12, completion_tokens: 29, cost_nano: 70_000 });
  });

  it("Claude natively: streamed, the final usage replaces the start figures (12 in, 30 out)", async () => {
    const { key, userId } = await createUser("1.00");
    const final = await anthropic(key).messages.stream({ model: "test-claude-text", ...ask }).finalMessage();
    expect(final.content[0]).toMatchObject({ type: "text" });
    expect((final.content[0] as { text: string }).text.length).toBeGreaterThan(20);
    expect(final.usage).toMatchObject({ input_tokens: 12, output_tokens: 30 });
    await drained(userId);
    expect((await usageRows(userId))[0]).toMatchObject({ stream: 1, prompt_tokens: 12, completion_tokens: 30, cost_nano: 72_000, status: "success" });
  });

  it("Claude natively: a streamed tool call assembles its input (anthropic-json-tool.2: 849 in, 47 out)", async () => {
    const { key, userId } = await createUser("1.00");
    const final = await anthropic(key).messages.stream({
      model: "test-claude-tools", ...ask,
      tools: [{ name: "json", description: "Respond with JSON", input_schema: { type: "object", properties: {} } }],
    }).finalMessage();
    const tool = final.content.find((b) => b.type === "tool_use") as { name: string; input: unknown } | undefined;
    expect(tool?.name).toBe("json");
    expect(tool?.input).toBeTypeOf("object");
    expect(final.stop_reason).toBe("tool_use");
    await drained(userId);
    expect((await usageRows(userId))[0]).toMatchObject({ prompt_tokens: 849, completion_tokens: 47, cost_nano: 849 * 1000 + 47 * 2000 });
  });

  it("an OpenAI-format model, translated: text not streamed and streamed (openai-text: 16/363 and 16/300)", async () => {
    const { key, userId } = await createUser("1.00");
    const client = anthropic(key);
    const msg = await client.messages.create({ model: "test-fixture-text", ...ask });
    expect(msg.role).toBe("assistant");
    expect((msg.content[0] as { text: string }).text.length).toBeGreaterThan(100);
    expect(msg.usage).toMatchObject({ input_tokens: 16, output_tokens: 363 });
    expect(msg.stop_reason).toBe("end_turn");
    const final = await client.messages.stream({ model: "test-fixture-text", ...ask }).finalMessage();
    expect(final.usage).toMatchObject({ input_tokens: 16, output_tokens: 300 });
    await drained(userId);
    const rows = await usageRows(userId);
    expect(rows.map((r) => r.cost_nano)).toEqual([16 * 1000 + 363 * 2000, 16 * 1000 + 300 * 2000]);
    expect(rows.every((r) => r.provider === "openai" && r.endpoint === "messages")).toBe(true);
  });

  it("an OpenAI-format model, translated: a streamed tool call (deepseek-tool-call: 339 in / 320 cached, 83 out)", async () => {
    const { key, userId } = await createUser("1.00");
    const final = await anthropic(key).messages.stream({
      model: "test-deepseek-tools", ...ask,
      tools: [{ name: "get_weather", description: "weather", input_schema: { type: "object", properties: { location: { type: "string" } } } }],
    }).finalMessage();
    const tool = final.content.find((b) => b.type === "tool_use") as { name: string; input: Record<string, unknown> } | undefined;
    expect(tool?.name).toBeTruthy();
    expect(Object.keys(tool!.input).length).toBeGreaterThan(0);
    expect(final.stop_reason).toBe("tool_use");
    expect(final.usage).toMatchObject({ input_tokens: 339 - 320, output_tokens: 83, cache_read_input_tokens: 320 });
    await drained(userId);
    expect((await usageRows(userId))[0]).toMatchObject({ prompt_tokens: 339, cached_tokens: 320, completion_tokens: 83, cost_nano: 19 * 1000 + 320 * 500 + 83 * 2000 });
  });

  it("works at /v1/messages and with x-api-key; errors come in Anthropic's shape", async () => {
    const { key } = await createUser("1.00");
    const msg = await anthropic(key, "").messages.create({ model: "test-claude-text", ...ask });
    expect(msg.usage.input_tokens).toBe(12);
    const bad = await SELF.fetch(`${BASE}/api/v1/messages`, {
      method: "POST", headers: { "x-api-key": key, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "test-claude-text", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: expect.stringContaining("max_tokens") } });
    const unauth = await SELF.fetch(`${BASE}/api/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "x", max_tokens: 1, messages: [] }) });
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    await expect(anthropic(key).messages.create({ model: "no-such-model", ...ask })).rejects.toMatchObject({ status: 404 });
  });
});
