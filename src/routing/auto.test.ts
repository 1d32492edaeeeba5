import { describe, expect, it } from "vitest";
import type { Catalog, CatalogModel } from "../catalog/catalog";
import type { ChatCompletionRequest } from "../wire/chat";
import { autoHeaders, autoPickError, pickAutoModel, PREFERENCES, recommendations, requiredCapabilities, type AutoResult } from "./auto";
import { LONG_CONTEXT_TOKENS, TASK_TYPES } from "./classify";
import routingDoc from "../../docs/routing.md?raw";

const ALL = ["tools", "vision", "json", "reasoning"];

/** [id, provider, input µUSD/Mtok, output µUSD/Mtok, context, max output, capabilities, kind] */
const ROWS: Array<[string, string, number, number, number, number | null, string[], ("chat" | "embedding")?]> = [
  ["claude-sonnet-5-5", "anthropic", 3_000_000, 15_000_000, 200_000, 64_000, ALL],
  ["claude-haiku-4-5-20251001", "anthropic", 1_000_000, 5_000_000, 200_000, 64_000, ALL],
  ["gemini-2.5-flash", "google", 300_000, 2_500_000, 1_048_576, 65_536, ALL],
  ["gemini-2.5-pro", "google", 1_250_000, 10_000_000, 1_048_576, 65_536, ALL],
  ["gemini-2.5-flash-lite", "google", 100_000, 400_000, 1_048_576, 65_536, ALL],
  ["gemini-embedding-001", "google", 150_000, 0, 2048, null, [], "embedding"],
  ["gpt-4.1", "openai", 2_000_000, 8_000_000, 1_047_576, 32_768, ["tools", "vision", "json"]],
  ["gpt-4.1-mini", "openai", 400_000, 1_600_000, 1_047_576, 32_768, ["tools", "vision", "json"]],
  ["gpt-4.1-nano", "openai", 100_000, 400_000, 1_047_576, 32_768, ["tools", "vision", "json"]],
  ["gpt-4o", "openai", 2_500_000, 10_000_000, 128_000, 16_384, ["tools", "vision", "json"]],
  ["gpt-4o-mini", "openai", 150_000, 600_000, 128_000, 16_384, ["tools", "vision", "json"]],
  ["o4-mini", "openai", 1_100_000, 4_400_000, 200_000, 100_000, ALL],
  ["deepseek-chat", "deepseek", 280_000, 420_000, 128_000, 8192, ["tools", "json"]],
  ["deepseek-reasoner", "deepseek", 280_000, 420_000, 128_000, 65_536, ["tools", "json", "reasoning"]],
  ["kimi-k2", "moonshot", 600_000, 2_500_000, 262_144, 32_768, ["tools", "json"]],
  ["mistral-small-latest", "mistral", 100_000, 300_000, 131_072, 32_768, ["tools", "json", "vision"]],
  ["grok-3-mini", "xai", 300_000, 500_000, 131_072, 32_768, ["tools", "json", "reasoning"]],
  ["llama-3.3-70b-versatile", "groq", 590_000, 790_000, 131_072, 32_768, ["tools", "json"]],
];

function model([id, provider, input, output, ctx, maxOut, caps, kind]: (typeof ROWS)[number]): CatalogModel {
  return {
    id, name: id, provider, upstreamModel: id, kind: kind ?? "chat", contextLength: ctx, maxOutputTokens: maxOut,
    inputPrice: input, outputPrice: output, cachedInputPrice: null, cacheWritePrice: null, capabilities: caps,
    priceSource: "test", priceUpdatedAt: "2026-11-22", channels: [{ id: `${id}@${provider}`, provider, upstreamModel: id, priority: 0, weight: 1 }],
  };
}

type Row = (typeof ROWS)[number];
/** ROWS with one model's capabilities and/or kind changed. */
function patched(id: string, change: { caps?: string[]; kind?: "chat" | "embedding" }): Row[] {
  return ROWS.map((r): Row => (r[0] === id ? [r[0], r[1], r[2], r[3], r[4], r[5], change.caps ?? r[6], change.kind ?? r[7]] : r));
}

function catalogOf(rows = ROWS, drop: string[] = []): Catalog {
  return { models: new Map(rows.filter((r) => !drop.includes(r[0])).map((r) => [r[0], model(r)])), aliases: new Map() };
}

const CATALOG = catalogOf();
type Req = Parameters<typeof pickAutoModel>[0];
const ask = (content: string, extra: Partial<ChatCompletionRequest> = {}): Req => ({ messages: [{ role: "user", content }], ...extra } as Req);
const tool = { type: "function" as const, function: { name: "lookup", parameters: { type: "object" } } };
const picked = (r: AutoResult) => {
  if (!r.ok) throw new Error(`expected a pick, got: ${r.reason}`);
  return r.model.id;
};

/** One request per task type. */
const REQUESTS: Record<(typeof TASK_TYPES)[number], Req> = {
  code: ask("Why does this throw?\n```ts\nconst x: number = undefined;\n```"),
  math_reasoning: ask("Prove that \\sqrt{2} is irrational."),
  long_context: ask("Summarise this report. ".concat("The committee met and discussed the budget. ".repeat(2600))),
  vision: { messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "https://example.test/a.png" } }] }] } as Req,
  tools: ask("What's the weather in Paris?", { tools: [tool] }),
  chat: ask("Suggest three names for a bakery."),
};

describe("pickAutoModel: each task picks the head of its documented list", () => {
  const expected = {
    code: "claude-sonnet-5-5",
    math_reasoning: "o4-mini",
    long_context: "gemini-2.5-flash",
    vision: "gpt-4.1-mini",
    tools: "gpt-4.1-mini",
    chat: "gpt-4.1-mini",
  } as const;

  it.each(TASK_TYPES)("%s", (task) => {
    const r = pickAutoModel(REQUESTS[task], CATALOG);
    expect(r.task).toBe(task);
    expect(picked(r)).toBe(expected[task]);
    expect(PREFERENCES[task][0]).toBe(expected[task]);
    expect(r.reason).toMatch(new RegExp(`^task=${task}\\b`));
    expect(r.reason).toContain(`${expected[task]} is the first model in the ${task} list`);
    expect(r.candidates.map((c) => c.id)).toEqual([...PREFERENCES[task]]);
    expect(r.candidates[0]).toEqual({ id: expected[task], rank: 1, excluded: null, detail: null });
  });

  it("long_context request is really over the threshold", () => {
    expect(pickAutoModel(REQUESTS.long_context, CATALOG).promptTokens).toBeGreaterThanOrEqual(LONG_CONTEXT_TOKENS);
  });

  it("every id in the preference table is a chat model of the test catalog (which mirrors the seed)", () => {
    for (const ids of Object.values(PREFERENCES)) for (const id of ids) expect(CATALOG.models.get(id)?.kind, id).toBe("chat");
  });
});

describe("pickAutoModel: filters", () => {
  it("max_price excludes expensive models and picks the next one", () => {
    // code: sonnet (3/15) and gpt-4.1 (2/8) are over 1.00/5.00; deepseek-chat (0.28/0.42) is next.
    const r = pickAutoModel(REQUESTS.code, CATALOG, { maxPrice: { prompt: 1_000_000, completion: 5_000_000 } });
    expect(picked(r)).toBe("deepseek-chat");
    expect(r.candidates.slice(0, 3).map((c) => c.excluded)).toEqual(["over_max_price", "over_max_price", null]);
    expect(r.reason).toContain("deepseek-chat is the first usable model (#3) in the code list within max_price 1/5");
    expect(r.reason).toContain("skipped claude-sonnet-5-5 (price 3/15 over max_price), gpt-4.1 (price 2/8 over max_price)");
  });

  it("max_price applies to prompt and completion separately", () => {
    // math: o4-mini output 4.40 > 4.00 → excluded although its input is cheap; deepseek-reasoner fits.
    const r = pickAutoModel(REQUESTS.math_reasoning, CATALOG, { maxPrice: { prompt: 10_000_000, completion: 4_000_000 } });
    expect(picked(r)).toBe("deepseek-reasoner");
    // a price exactly at the limit is allowed
    const at = pickAutoModel(REQUESTS.math_reasoning, CATALOG, { maxPrice: { prompt: 1_100_000, completion: 4_400_000 } });
    expect(picked(at)).toBe("o4-mini");
  });

  it("skips models whose provider is unavailable", () => {
    const noAnthropic = (m: CatalogModel) => m.provider !== "anthropic";
    const r = pickAutoModel(REQUESTS.code, CATALOG, { available: noAnthropic });
    expect(picked(r)).toBe("gpt-4.1");
    expect(r.candidates[0]).toMatchObject({ excluded: "unavailable", detail: "no configured provider (anthropic)" });
    expect(r.reason).toContain("skipped claude-sonnet-5-5 (no configured provider (anthropic))");
    const onlyDeepseek = pickAutoModel(REQUESTS.chat, CATALOG, { available: (m) => m.provider === "deepseek" });
    expect(picked(onlyDeepseek)).toBe("deepseek-chat");
  });

  it("skips models missing from the catalog (e.g. disabled rows)", () => {
    const r = pickAutoModel(REQUESTS.math_reasoning, catalogOf(ROWS, ["o4-mini"]));
    expect(picked(r)).toBe("deepseek-reasoner");
    expect(r.candidates[0]).toMatchObject({ id: "o4-mini", excluded: "not_in_catalog" });
  });

  it("skips a listed id that is not a chat model", () => {
    const r = pickAutoModel(REQUESTS.chat, catalogOf(patched("gpt-4.1-mini", { kind: "embedding" })));
    expect(r.candidates[0]).toMatchObject({ excluded: "not_chat" });
    expect(picked(r)).toBe("deepseek-chat");
  });

  it("json response_format needs the json capability", () => {
    const r = pickAutoModel(ask("List three colours.", { response_format: { type: "json_object" } }), catalogOf(patched("gpt-4.1-mini", { caps: ["tools", "vision"] })));
    expect(r.required).toEqual(["json"]);
    expect(r.candidates[0]).toMatchObject({ excluded: "missing_capability", detail: "lacks json" });
    expect(picked(r)).toBe("deepseek-chat");
  });

  it("vision needs the vision capability; tools alongside an image need tools too", () => {
    const r = pickAutoModel({ ...REQUESTS.vision, tools: [tool] } as Req, catalogOf(ROWS, ["gpt-4.1-mini"]));
    expect(r.task).toBe("vision");
    expect(r.required).toEqual(["vision", "tools"]);
    expect(picked(r)).toBe("gemini-2.5-flash");
    // a chat task with reasoning_effort needs a reasoning model: gpt-4.1-mini and deepseek-chat lack it
    const reasoning = pickAutoModel(ask("Hello", { reasoning_effort: "low" }), CATALOG);
    expect(picked(reasoning)).toBe("gemini-2.5-flash");
    expect(reasoning.candidates.slice(0, 2).map((c) => c.detail)).toEqual(["lacks reasoning", "lacks reasoning"]);
  });

  it("tools needs the tools capability", () => {
    const catalog = catalogOf(patched("gpt-4.1-mini", { caps: ["json"] }));
    catalog.models.get("claude-haiku-4-5-20251001")!.capabilities = ["json"];
    expect(picked(pickAutoModel(REQUESTS.tools, catalog))).toBe("gpt-4.1");
  });

  it("context must hold the prompt estimate plus the output", () => {
    // ~100k-token prompt: long_context; with a 1M model missing, models with ≥ 100k + output context remain.
    const req = ask("x".repeat(300_000));
    const r = pickAutoModel(req, catalogOf(ROWS, ["gemini-2.5-flash", "gpt-4.1", "gpt-4.1-mini", "gemini-2.5-flash-lite", "gpt-4.1-nano"]));
    expect(r.task).toBe("long_context");
    expect(picked(r)).toBe("kimi-k2");
    // a requested output that does not fit next to the prompt excludes the model: o4-mini can write
    // 100k tokens, but ~100k prompt + 100k output is over its 200k context
    const big = pickAutoModel({ ...req, max_tokens: 100_000 } as Req, catalogOf(ROWS, ["gemini-2.5-flash", "gpt-4.1", "gpt-4.1-mini", "gemini-2.5-flash-lite", "gpt-4.1-nano"]));
    expect(big.ok).toBe(false);
    expect(big.candidates.find((c) => c.id === "o4-mini")).toMatchObject({ excluded: "context_too_small" });
    expect(big.candidates.find((c) => c.id === "kimi-k2")).toMatchObject({ excluded: "output_too_small" });
  });

  it("a max_tokens above a model's max output excludes it", () => {
    const r = pickAutoModel(ask("Hi", { max_completion_tokens: 50_000 }), CATALOG);
    expect(r.candidates[0]).toMatchObject({ id: "gpt-4.1-mini", excluded: "output_too_small", detail: "max output 32768 < 50000 requested" });
    expect(picked(r)).toBe("gemini-2.5-flash");
  });

  it("none fits: a typed result with every verdict, and the error to send", () => {
    const r = pickAutoModel(REQUESTS.code, CATALOG, { maxPrice: { prompt: 1, completion: 1 } });
    expect(r.ok).toBe(false);
    expect(r).not.toHaveProperty("model");
    expect(r.candidates.every((c) => c.excluded === "over_max_price")).toBe(true);
    expect(r.reason).toMatch(/^task=code .*; no model in the code list fits within max_price 0.000001\/0.000001: /);
    if (r.ok) throw new Error("unreachable");
    const err = autoPickError(r);
    expect([err.status, err.code, err.options.param]).toEqual([400, "no_model_fits", "model"]);

    const nothingConfigured = pickAutoModel(REQUESTS.chat, CATALOG, { available: () => false });
    expect(nothingConfigured.ok).toBe(false);
    if (nothingConfigured.ok) throw new Error("unreachable");
    expect(autoPickError(nothingConfigured)).toMatchObject({ status: 503, code: "provider_not_configured" });

    const empty = pickAutoModel(REQUESTS.chat, { models: new Map(), aliases: new Map() });
    expect(empty.ok).toBe(false);
    expect(empty.candidates.every((c) => c.excluded === "not_in_catalog")).toBe(true);
  });

  it("the reason is header-safe ASCII and the headers carry model and reason", () => {
    const r = pickAutoModel(ask("Beweise: ∑ 1/n² = π²/6"), CATALOG);
    expect(r.task).toBe("math_reasoning");
    expect(r.reason).toMatch(/^[\x20-\x7e]+$/);
    if (!r.ok) throw new Error(r.reason);
    expect(autoHeaders(r)).toEqual({ "x-gateway-auto-model": "o4-mini", "x-gateway-auto-reason": r.reason });
    expect(() => new Headers(autoHeaders(r))).not.toThrow();
  });

  it("requiredCapabilities reads the request", () => {
    expect(requiredCapabilities(ask("hi"))).toEqual([]);
    expect(requiredCapabilities(ask("hi", { tools: [tool], response_format: { type: "json_schema", json_schema: { name: "x" } }, reasoning_effort: "high" })))
      .toEqual(["tools", "json", "reasoning"]);
    expect(requiredCapabilities(ask("hi", { response_format: { type: "text" } }))).toEqual([]);
  });
});

describe("recommendations", () => {
  it("lists the task's models in preference order with 1-based ranks", () => {
    const list = recommendations("code", CATALOG);
    expect(list.map((r) => r.model.id)).toEqual([...PREFERENCES.code]);
    expect(list.map((r) => r.rank)).toEqual(list.map((_, i) => i + 1));
    expect(list[0]).toMatchObject({ listRank: 1, available: true });
    expect(list[0]!.why).toBe("#1 in the code list: Anthropic's coding and agent model");
  });

  it("puts available models first, keeping list order within each group", () => {
    const list = recommendations("code", CATALOG, (m) => m.provider !== "anthropic");
    const ids = list.map((r) => r.model.id);
    expect(ids.slice(-2)).toEqual(["claude-sonnet-5-5", "claude-haiku-4-5-20251001"]);
    expect(ids[0]).toBe("gpt-4.1");
    expect(list.at(-1)).toMatchObject({ available: false, listRank: 6, rank: list.length });
    expect(list.at(-1)!.why).toBe("#6 in the code list: fast, cheaper Claude; not served here: no configured provider (anthropic)");
  });

  it("drops models missing from the catalog, over max_price, or without the task's capability", () => {
    const cheap = recommendations("chat", catalogOf(ROWS, ["deepseek-chat"]), undefined, { maxPrice: { prompt: 300_000, completion: 1_000_000 } });
    // gpt-4.1-mini, gemini-2.5-flash, claude-haiku and llama are over 0.30/1.00; deepseek-chat is not in the catalog.
    expect(cheap.map((r) => r.model.id)).toEqual(["gpt-4o-mini", "gemini-2.5-flash-lite", "mistral-small-latest", "gpt-4.1-nano", "grok-3-mini"]);
    expect(recommendations("vision", catalogOf(patched("gpt-4o", { caps: ["tools"] }))).map((r) => r.model.id)).not.toContain("gpt-4o");
    expect(recommendations("vision", CATALOG).map((r) => r.model.id)).toContain("gpt-4o");
  });
});

describe("docs/routing.md", () => {
  it("lists the same preference lists, in the same order, as the code", () => {
    for (const task of TASK_TYPES) {
      const section = routingDoc.split(`\n### ${task}\n`)[1]?.split(/\n##/)[0];
      expect(section, `section for ${task}`).toBeDefined();
      const ids = [...section!.matchAll(/^\d+\. `([^`]+)`/gm)].map((m) => m[1]);
      expect(ids, task).toEqual([...PREFERENCES[task]]);
    }
  });

  it("names the thresholds the code uses", () => {
    expect(routingDoc).toContain(`estimated prompt ≥ ${LONG_CONTEXT_TOKENS.toLocaleString("en-US")} tokens`);
  });
});
