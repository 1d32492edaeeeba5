import { describe, expect, it } from "vitest";
import type { CatalogModel } from "../catalog/catalog";
import type { Env } from "../env";
import { channelProviders, servableOn } from "./available";

const m = (provider: string, channels: string[]): CatalogModel => ({
  id: "x", name: "x", provider, upstreamModel: "x", kind: "chat", contextLength: 1000, maxOutputTokens: null,
  inputPrice: 1, outputPrice: 1, cachedInputPrice: null, cacheWritePrice: null, capabilities: [], priceSource: "t", priceUpdatedAt: "t",
  channels: channels.map((p, i) => ({ id: `x@${p}`, provider: p, upstreamModel: "x", priority: i, weight: 1 })),
});

describe("servableOn", () => {
  const env = { GROQ_API_KEY: "k", LOCAL_BASE_URL: "http://127.0.0.1:1/v1" } as unknown as Env;
  const servable = servableOn(env, false);

  it("is true when any channel's provider is configured (key, or base URL alone)", () => {
    expect(servable(m("moonshot", ["moonshot", "groq"]))).toBe(true);
    expect(servable(m("local", ["local"]))).toBe(true);
  });

  it("is false when no channel's provider is configured", () => {
    expect(servable(m("anthropic", ["anthropic"]))).toBe(false);
    expect(servable(m("moonshot", ["moonshot", "together"]))).toBe(false);
  });

  it("the demo provider counts only when the demo is on", () => {
    expect(servable(m("demo", ["demo"]))).toBe(false);
    expect(servableOn(env, true)(m("demo", ["demo"]))).toBe(true);
  });

  it("channelProviders lists distinct providers in channel order", () => {
    expect(channelProviders(m("groq", ["groq", "together", "groq"]))).toEqual(["groq", "together"]);
  });
});
