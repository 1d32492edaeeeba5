import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { findModel, invalidateCatalog, loadCatalog } from "../../src/catalog/catalog";
import { PREFERENCES } from "../../src/routing/auto";

type Row = {
  id: string; provider: string; upstream_model: string; kind: string; context_length: number; max_output_tokens: number | null;
  input_price: number; output_price: number; cached_input_price: number | null; cache_write_price: number | null;
  capabilities: string; enabled: number; price_source: string; price_updated_at: string;
};

async function row(id: string): Promise<Row | null> {
  return env.DB.prepare("SELECT * FROM models WHERE id = ?").bind(id).first<Row>();
}

const ALL = ["tools", "vision", "json", "reasoning"];

// Expected prices in µUSD per 1M tokens (0.10 USD/Mtok = 100000), from migrations/0003_seed_more_models.sql.
const EXPECTED: Array<[id: string, provider: string, kind: string, ctx: number, maxOut: number | null, input: number, output: number, cached: number | null, write: number | null, caps: string[], enabled: number]> = [
  // End of life 2026-11-30: disabled by migration 0011 (issue 13), price kept on record.
  ["claude-sonnet-4-5-20250929", "anthropic", "chat", 200_000, 64_000, 3_000_000, 15_000_000, 300_000, 3_750_000, ALL, 0],
  ["claude-haiku-4-5-20251001", "anthropic", "chat", 200_000, 64_000, 1_000_000, 5_000_000, 100_000, 1_250_000, ALL, 1],
  ["claude-opus-4-1-20250805", "anthropic", "chat", 200_000, 32_000, 15_000_000, 75_000_000, 1_500_000, 18_750_000, ALL, 0],
  ["gemini-2.5-flash", "google", "chat", 1_048_576, 65_536, 300_000, 2_500_000, 30_000, null, ALL, 1],
  ["gemini-2.5-pro", "google", "chat", 1_048_576, 65_536, 1_250_000, 10_000_000, 125_000, null, ALL, 1],
  ["gemini-2.5-flash-lite", "google", "chat", 1_048_576, 65_536, 100_000, 400_000, 10_000, null, ALL, 1],
  ["gemini-embedding-001", "google", "embedding", 2048, null, 150_000, 0, null, null, [], 1],
];

describe("catalog seed 0011: current Claude generations, nothing past end of life", () => {
  it("seeds Fable 5.1, Opus 5.5 and Sonnet 5.5 at their list prices, enabled, 1M context", async () => {
    for (const [id, input, output] of [["claude-fable-5-1", 10_000_000, 50_000_000], ["claude-opus-5-5", 4_000_000, 20_000_000], ["claude-sonnet-5-5", 2_000_000, 10_000_000]] as const) {
      expect(await row(id)).toMatchObject({ provider: "anthropic", upstream_model: id, input_price: input, output_price: output, context_length: 1_000_000, max_output_tokens: 128_000, enabled: 1 });
    }
  });

  it("no enabled Claude row is past its end-of-life date (Sonnet 4.5: 2026-11-30)", async () => {
    expect((await row("claude-sonnet-4-5-20250929"))!.enabled).toBe(0);
  });
});

describe("catalog seed 0003: Claude, Gemini, aliases, channels", () => {
  it.each(EXPECTED)("%s has its list price, limits and capabilities", async (id, provider, kind, ctx, maxOut, input, output, cached, write, caps, enabled) => {
    const r = await row(id);
    expect(r).not.toBeNull();
    expect(r).toMatchObject({
      id, provider, upstream_model: id, kind, context_length: ctx, max_output_tokens: maxOut,
      input_price: input, output_price: output, cached_input_price: cached, cache_write_price: write, enabled,
      price_updated_at: "2026-11-22",
    });
    expect(JSON.parse(r!.capabilities)).toEqual(caps);
    expect(r!.price_source).toMatch(provider === "anthropic" ? /^platform\.claude\.com\/docs\/en\/about-claude\/pricing/ : /^ai\.google\.dev\/gemini-api\/docs\/pricing/);
  });

  it("Anthropic cache prices are 1.25x (5-minute write) and 0.1x (read) the input price", async () => {
    for (const id of ["claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001", "claude-opus-4-1-20250805", "claude-sonnet-5-5", "claude-fable-5-1"]) {
      const r = (await row(id))!;
      expect(r.cache_write_price! * 4, id).toBe(r.input_price * 5);
      expect(r.cached_input_price! * 10, id).toBe(r.input_price);
    }
  });

  it("Gemini 2.5 Pro documents its <= 200k price tier", async () => {
    expect((await row("gemini-2.5-pro"))!.price_source).toContain("<= 200k");
  });

  it("aliases point at the dated models", async () => {
    const { results } = await env.DB.prepare("SELECT alias, model_id FROM model_aliases ORDER BY alias").all<{ alias: string; model_id: string }>();
    expect(Object.fromEntries(results.map((a) => [a.alias, a.model_id]))).toMatchObject({
      "claude-sonnet-4-5": "claude-sonnet-5-5",
      "claude-sonnet-4": "claude-sonnet-5-5",
      "claude-haiku-4-5": "claude-haiku-4-5-20251001",
      "claude-opus-4-1": "claude-opus-4-1-20250805",
      "gemini-flash": "gemini-2.5-flash",
      "gemini-pro": "gemini-2.5-pro",
      "gemini-flash-lite": "gemini-2.5-flash-lite",
    });
  });

  it("channels serve kimi-k2 and llama-3.3-70b from two providers, in priority order", async () => {
    const { results } = await env.DB.prepare("SELECT id, model_id, provider, upstream_model, priority, weight, enabled FROM model_channels WHERE model_id IN ('kimi-k2', 'llama-3.3-70b-versatile') ORDER BY model_id, priority")
      .all();
    expect(results).toEqual([
      { id: "kimi-k2@moonshot", model_id: "kimi-k2", provider: "moonshot", upstream_model: "kimi-k2-0905-preview", priority: 0, weight: 1, enabled: 1 },
      { id: "kimi-k2@groq", model_id: "kimi-k2", provider: "groq", upstream_model: "moonshotai/kimi-k2-instruct-0905", priority: 1, weight: 1, enabled: 1 },
      { id: "llama-3.3-70b-versatile@groq", model_id: "llama-3.3-70b-versatile", provider: "groq", upstream_model: "llama-3.3-70b-versatile", priority: 0, weight: 1, enabled: 1 },
      { id: "llama-3.3-70b-versatile@together", model_id: "llama-3.3-70b-versatile", provider: "together", upstream_model: "meta-llama/Llama-3.3-70B-Instruct-Turbo", priority: 1, weight: 1, enabled: 1 },
    ]);
  });

  it("the catalog loader resolves the aliases and channels; the retired Opus 4.1 row stays out", async () => {
    invalidateCatalog();
    const catalog = await loadCatalog(env, false);
    expect(findModel(catalog, "claude-sonnet-4")?.id).toBe("claude-sonnet-5-5");
    expect(findModel(catalog, "claude-sonnet-4-5-20250929")).toBeUndefined();
    expect(findModel(catalog, "gemini-flash")?.id).toBe("gemini-2.5-flash");
    expect(findModel(catalog, "anthropic/claude-haiku-4-5")?.id).toBe("claude-haiku-4-5-20251001");
    expect(findModel(catalog, "claude-opus-4-1")).toBeUndefined();
    expect(findModel(catalog, "kimi-k2")!.channels.map((c) => `${c.provider}:${c.upstreamModel}`)).toEqual(["moonshot:kimi-k2-0905-preview", "groq:moonshotai/kimi-k2-instruct-0905"]);
    expect(findModel(catalog, "llama-3.3-70b-versatile")!.channels.map((c) => c.provider)).toEqual(["groq", "together"]);
  });

  it("the catalog has the GPT, DeepSeek, Kimi and Mistral chat models, and an embeddings model per provider that offers one", async () => {
    invalidateCatalog();
    const catalog = await loadCatalog(env, false);
    for (const id of ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o4-mini", "deepseek-chat", "deepseek-reasoner", "kimi-k2", "mistral-large-latest", "mistral-small-latest"]) {
      expect(catalog.models.get(id)?.kind, id).toBe("chat");
    }
    const embeddingProviders = new Set([...catalog.models.values()].filter((m) => m.kind === "embedding" && !m.id.startsWith("test-")).map((m) => m.provider));
    expect([...embeddingProviders].sort()).toEqual(["cohere", "google", "mistral", "openai"]);
  });

  it("every model in the auto-routing preference table is an enabled chat model of the seeded catalog", async () => {
    invalidateCatalog();
    const catalog = await loadCatalog(env, false);
    for (const [task, ids] of Object.entries(PREFERENCES)) {
      for (const id of ids) expect(catalog.models.get(id)?.kind, `${task}: ${id}`).toBe("chat");
    }
  });
});
