import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { invalidateCatalog } from "../../src/catalog/catalog";
import { addTestModels } from "../helpers/catalog";
import { api, createUser, drained, usageRows } from "../helpers/gateway";

// Issue 12 item 3: Anthropic bills cache writes with a 1-hour TTL at 2× input (5-minute: 1.25×).
// Prices here (nUSD per token): input 1000, cache read 500, 5-minute write 1250, 1-hour write 2000, output 2000.
beforeAll(async () => {
  await addTestModels(env, [["c1h-claude", "anthropic", "fixture:synthetic/anthropic-cache-1h"]]);
  await env.DB.prepare("UPDATE models SET cache_write_price = 1250000, cache_write_1h_price = 2000000 WHERE id = 'c1h-claude'").run();
  invalidateCatalog();
});

function messages(key: string, ttl: "5m" | "1h" | null, text: string, maxTokens = 100) {
  const block = { type: "text", text, ...(ttl ? { cache_control: { type: "ephemeral", ttl } } : {}) };
  return api("/messages", key, { method: "POST", json: { model: "c1h-claude", max_tokens: maxTokens, system: [block], messages: [{ role: "user", content: "Hi" }] } });
}

describe("1-hour cache writes are priced at their own price", () => {
  it("the cache-creation tokens are split by TTL and each part is priced (ephemeral_5m / ephemeral_1h)", async () => {
    const { key, userId } = await createUser("1.00");
    // A prompt as long as the one the fixture reports, so the reservation covers its cost (no waiver).
    const res = await messages(key, "1h", "cache me ".repeat(1_200));
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    await drained(userId);
    const [row] = await usageRows(userId);
    // 12 uncached × 1000 + 500 read × 500 + 1000 (5 m) × 1250 + 2000 (1 h) × 2000 + 29 × 2000
    expect(row).toMatchObject({ prompt_tokens: 3512, cached_tokens: 500, completion_tokens: 29, cost_nano: 12_000 + 250_000 + 1_250_000 + 4_000_000 + 58_000 });
  });

  it("admission reserves at the 1-hour price when the request asks for ttl 1h", async () => {
    // ~10,000 prompt tokens estimated: about 12.7 M nUSD reserved at 1.25×, about 20 M at 2×.
    const text = "cache me ".repeat(3_300);
    const { key } = await createUser("0.016");
    const fiveMinutes = await messages(key, "5m", text);
    expect(fiveMinutes.status).toBe(200);
    await fiveMinutes.arrayBuffer();
    const { key: key2 } = await createUser("0.016");
    const oneHour = await messages(key2, "1h", text);
    expect(oneHour.status).toBe(402);
    expect(((await oneHour.json()) as { error: { type: string } }).error.type).toBeTypeOf("string");
  });
});
