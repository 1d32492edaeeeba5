import { describe, expect, it } from "vitest";
import { estimateEmbeddingTokens } from "../../src/billing/estimate";
import { createUser, drained, openai, usageRows } from "../helpers/gateway";

// gemini-embedding-001 (seeded at 0.15 USD per 1M tokens = 150 nUSD per token) through /embeddings:
// the request is translated to batchEmbedContents; Gemini reports no usage, so the estimate is billed.
describe("Gemini embeddings through the OpenAI embeddings API", () => {
  it("returns one float vector per input and bills the estimate", async () => {
    const { key, userId } = await createUser("1.00");
    const input = ["sunny day at the beach", "rainy day in the city"];
    const res = await openai(key).embeddings.create({ model: "gemini-embedding-001", input, encoding_format: "float" });
    expect(res.data.map((d) => d.index)).toEqual([0, 1]);
    expect(res.data[0]!.embedding).toEqual([22 / 100, 0.25, -0.5, 1]);
    const tokens = estimateEmbeddingTokens(input);
    expect(res.usage).toMatchObject({ prompt_tokens: tokens, total_tokens: tokens });
    await drained(userId);
    expect((await usageRows(userId))[0]).toMatchObject({ provider: "google", prompt_tokens: tokens, cost_nano: tokens * 150, usage_source: "estimated" });
  });

  it("token-array input and base64 encoding are refused with a clear 400", async () => {
    const { key } = await createUser("1.00");
    await expect(openai(key).embeddings.create({ model: "gemini-embedding-001", input: [[1, 2, 3]] })).rejects.toMatchObject({ status: 400 });
    await expect(openai(key).embeddings.create({ model: "gemini-embedding-001", input: "x", encoding_format: "base64" })).rejects.toMatchObject({ status: 400 });
  });
});
