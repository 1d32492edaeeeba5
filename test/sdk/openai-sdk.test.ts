import { describe, expect, it } from "vitest";
import { createUser, drained, openai, usageRows } from "../helpers/gateway";

// Must show 1: the official openai SDK, pointed at the worker, against the recorded OpenAI fixtures.
describe("official openai SDK against the gateway", () => {
  it("completes a non-streamed chat with exact usage and cost", async () => {
    const { key, userId } = await createUser("5.00");
    const client = openai(key);
    const res = await client.chat.completions.create({ model: "gpt-4.1-nano", messages: [{ role: "user", content: "Tell me a story" }] });
    expect(res.object).toBe("chat.completion");
    expect(res.id).toMatch(/^gen-/);
    expect(res.choices[0]!.message.content).toContain("");
    // openai-text.json: in 16, out 363. gpt-4.1-nano: 0.10 in / 0.40 out per 1M tokens.
    expect(res.usage).toMatchObject({ prompt_tokens: 16, completion_tokens: 363, total_tokens: 379 });
    const cost = (res.usage as unknown as { cost: number }).cost;
    expect(cost).toBe(0.0001468); // (16 × 0.10 + 363 × 0.40) / 1e6
    const s = await drained(userId);
    expect(s.balanceNano).toBe(5_000_000_000 - 146_800);
    const rows = await usageRows(userId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ request_id: res.id, prompt_tokens: 16, completion_tokens: 363, cost_nano: 146_800, status: "success", model: "gpt-4.1-nano" });
  });

  it("streams a chat, strips the usage chunk it was not asked for, and bills the full stream", async () => {
    const { key, userId } = await createUser("5.00");
    const stream = await openai(key).chat.completions.create({ model: "gpt-4.1-nano", messages: [{ role: "user", content: "Story" }], stream: true });
    let text = "";
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      expect(chunk.id).toMatch(/^gen-/);
      expect(chunk.usage ?? undefined).toBeUndefined();
      text += chunk.choices[0]?.delta.content ?? "";
    }
    expect(chunks).toBeGreaterThan(100);
    expect(text.length).toBeGreaterThan(100);
    // openai-text.chunks.txt usage: in 16, out 300 → (16 × 100 + 300 × 400) nUSD = 121,600 nUSD
    const s = await drained(userId);
    expect(s.balanceNano).toBe(5_000_000_000 - 121_600);
    expect((await usageRows(userId))[0]).toMatchObject({ prompt_tokens: 16, completion_tokens: 300, cost_nano: 121_600, stream: 1, usage_source: "upstream" });
  });

  it("streams with include_usage and gets cost in the final usage chunk", async () => {
    const { key } = await createUser("5.00");
    const stream = await openai(key).chat.completions.create({
      model: "gpt-4.1-nano", messages: [{ role: "user", content: "Story" }], stream: true, stream_options: { include_usage: true },
    });
    let usage: Record<string, unknown> | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage as unknown as Record<string, unknown>;
    expect(usage).toMatchObject({ prompt_tokens: 16, completion_tokens: 300, total_tokens: 316, cost: 0.0001216 });
  });

  it("creates embeddings and lists models", async () => {
    const { key, userId } = await createUser("5.00");
    const client = openai(key);
    const emb = await client.embeddings.create({ model: "text-embedding-3-small", input: ["sunny day at the beach", "rainy day in the city"], encoding_format: "float" });
    expect(emb.data).toHaveLength(2);
    expect(emb.data[0]!.embedding.length).toBeGreaterThan(0);
    expect(emb.usage).toMatchObject({ prompt_tokens: 12, total_tokens: 12 });
    const s = await drained(userId);
    expect(s.balanceNano).toBe(5_000_000_000 - 240); // 12 × 0.02 USD/Mtok = 240 nUSD

    const list = await client.models.list();
    const ids = list.data.map((m) => m.id);
    expect(ids).toContain("gpt-4.1-nano");
    const nano = list.data.find((m) => m.id === "gpt-4.1-nano") as unknown as { pricing: { prompt: string; completion: string }; context_length: number };
    expect(nano.pricing).toMatchObject({ prompt: "0.0000001", completion: "0.0000004" });
    expect(nano.context_length).toBe(1047576);
  });

  it("works at the /v1 alias too", async () => {
    const { key } = await createUser("1.00");
    const res = await openai(key, "/v1").chat.completions.create({ model: "gpt-4.1-nano", messages: [{ role: "user", content: "hi" }] });
    expect(res.usage?.prompt_tokens).toBe(16);
  });
});
