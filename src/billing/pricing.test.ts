import { describe, expect, it } from "vitest";
import { readAnthropicUsage } from "../providers/anthropic/usage";
import { oneHourWritePrice, priceTokens, usesOneHourCache } from "./pricing";

const PRICES = { inputPrice: 3_000_000, outputPrice: 15_000_000, cachedInputPrice: 300_000, cacheWritePrice: 3_750_000, cacheWrite1hPrice: 6_000_000 };

describe("1-hour cache-write pricing (issue 12 item 3)", () => {
  it("reads Anthropic's split of cache-creation tokens by TTL", () => {
    const u = readAnthropicUsage({
      input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 300, cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
    });
    expect(u).toEqual({ promptTokens: 310, completionTokens: 5, cachedTokens: 0, cacheWriteTokens: 300, cacheWrite1hTokens: 200, reasoningTokens: 0 });
  });

  it("prices 1-hour writes at their price, 5-minute writes at the cache-write price", () => {
    const u = { promptTokens: 310, completionTokens: 5, cachedTokens: 0, cacheWriteTokens: 300, cacheWrite1hTokens: 200, reasoningTokens: 0 };
    // 10 × 3 + 100 × 3.75 + 200 × 6 + 5 × 15 µUSD… in pUSD/token: (30 + 375 + 1200 + 75) × 10⁶ pUSD = 1,680,000 nUSD / 1000
    expect(priceTokens(u, PRICES)).toBe((10 * 3_000_000 + 100 * 3_750_000 + 200 * 6_000_000 + 5 * 15_000_000) / 1000);
    // Without a 1-hour price the rule is 2× input, never the cheaper 5-minute price.
    expect(oneHourWritePrice({ inputPrice: 3_000_000, cacheWrite1hPrice: null })).toBe(6_000_000);
    expect(priceTokens(u, { ...PRICES, cacheWrite1hPrice: null })).toBe(priceTokens(u, PRICES));
  });

  it("finds ttl 1h in system, message content and tools", () => {
    const cc = { cache_control: { type: "ephemeral", ttl: "1h" } };
    expect(usesOneHourCache({ system: [{ type: "text", text: "x", ...cc }] })).toBe(true);
    expect(usesOneHourCache({ messages: [{ role: "user", content: [{ type: "text", text: "x", ...cc }] }] })).toBe(true);
    expect(usesOneHourCache({ tools: [{ name: "t", input_schema: {}, ...cc }] })).toBe(true);
    expect(usesOneHourCache({ system: "plain", messages: [{ role: "user", content: "x" }] })).toBe(false);
    expect(usesOneHourCache({ system: [{ type: "text", text: "x", cache_control: { type: "ephemeral" } }] })).toBe(false);
  });
});
