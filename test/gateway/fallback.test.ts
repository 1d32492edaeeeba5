import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { invalidateCatalog } from "../../src/catalog/catalog";
import { TEST_PRICE } from "../helpers/catalog";
import { account, chat, createUser, drained, usageRows } from "../helpers/gateway";

// Must show 4 (issue 3): a failing first channel, then a working second one. The stand-in's
// `seq:<name>:<steps>` scenario answers the n-th request for that model with the n-th step.
const run = crypto.randomUUID().slice(0, 8);
const seq = (name: string, steps: string) => `seq:${run}-${name}:${steps}`;

const model = (id: string, provider: string, upstream: string) => env.DB.prepare(
  `INSERT OR REPLACE INTO models (id, name, provider, upstream_model, kind, context_length, max_output_tokens, input_price, output_price, cached_input_price, cache_write_price, capabilities, enabled, price_source, price_updated_at)
   VALUES (?, ?, ?, ?, 'chat', 100000, 1000, ?, ?, NULL, NULL, '[]', 1, 'test', '2026-11-01')`,
).bind(id, id, provider, upstream, TEST_PRICE.input, TEST_PRICE.output);
const channel = (modelId: string, provider: string, upstream: string, priority: number) => env.DB.prepare(
  "INSERT OR REPLACE INTO model_channels (id, model_id, provider, upstream_model, priority, weight, enabled) VALUES (?, ?, ?, ?, ?, 1, 1)",
).bind(`${modelId}#${priority}`, modelId, provider, upstream, priority);

beforeAll(async () => {
  await env.DB.batch([
    // Channel 1 (openai): 503, then a connection reset before the first byte, for every request.
    model("fb-two-channels", "openai", "unused"),
    channel("fb-two-channels", "openai", seq("a", "error-503,drop,error-503,drop,error-503,drop"), 0),
    channel("fb-two-channels", "deepseek", "echo", 1),
    model("fb-stream", "openai", "unused"),
    channel("fb-stream", "openai", seq("s", "error-503,drop"), 0),
    channel("fb-stream", "deepseek", "echo", 1),
    model("fb-primary-down", "openai", "error-500"),
    model("fb-backup", "groq", "echo"),
    model("fb-bad-request", "openai", "error-400"),
    model("fb-ordered", "openai", "unused"),
    channel("fb-ordered", "openai", "echo", 0),
    channel("fb-ordered", "deepseek", "echo", 1),
    channel("fb-ordered", "groq", "echo", 2),
    model("fb-all-down", "openai", "unused"),
    channel("fb-all-down", "openai", "error-503", 0),
    channel("fb-all-down", "deepseek", "error-500", 1),
  ]);
  invalidateCatalog();
});

async function oneUsageRow(userId: string) {
  await drained(userId);
  const rows = await usageRows(userId);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe("fallbacks across channels and models", () => {
  it("first channel 503 then resets the connection; the second serves: one clean response, charged once, 3 attempts", async () => {
    const { key, userId } = await createUser("1.00");
    const res = await chat(key, { model: "fb-two-channels" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; usage: { prompt_tokens: number; completion_tokens: number } };
    expect(body.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7 });
    expect(res.headers.get("x-gateway-provider")).toBe("deepseek");
    expect(res.headers.get("x-gateway-attempts")).toBe("3");
    const row = await oneUsageRow(userId);
    // echo usage: 11 × 1000 + 7 × 2000 = 25,000 nUSD, charged once.
    expect(row).toMatchObject({ request_id: body.id, provider: "deepseek", attempts: 3, status: "success", cost_nano: 25_000 });
    const ledger = await account(userId).ledger();
    expect(ledger.filter((e) => e.kind === "usage")).toEqual([expect.objectContaining({ amountNano: -25_000, ref: body.id })]);
    expect((await account(userId).summary()).holdsNano).toBe(0);
  });

  it("the same for a stream: the client sees only the serving channel's stream", async () => {
    const { key, userId } = await createUser("1.00");
    const res = await chat(key, { model: "fb-stream", stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.trim().endsWith("data: [DONE]")).toBe(true);
    expect(text).not.toContain("error");
    expect(await oneUsageRow(userId)).toMatchObject({ provider: "deepseek", attempts: 3, status: "success", cost_nano: 25_000 });
  });

  it("models: [...] falls back to the next model; the usage record names the model and provider that served", async () => {
    const { key, userId } = await createUser("1.00");
    const res = await chat(key, { model: "fb-primary-down", models: ["fb-backup"] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-model")).toBe("fb-backup");
    // The primary's channel is tried twice (500, 500), then the backup serves.
    expect(await oneUsageRow(userId)).toMatchObject({ model: "fb-backup", provider: "groq", attempts: 3, cost_nano: 25_000 });
  });

  it("a 400 from the provider is not retried elsewhere and costs nothing", async () => {
    const { key, userId } = await createUser("1.00");
    const res = await chat(key, { model: "fb-bad-request", models: ["fb-backup"] });
    expect(res.status).toBe(400);
    expect(await oneUsageRow(userId)).toMatchObject({ model: "fb-bad-request", status: "upstream_error", attempts: 1, cost_nano: 0 });
  });

  it("when every channel fails the client gets one error, nothing is charged, and every attempt is counted", async () => {
    const { key, userId } = await createUser("1.00");
    const res = await chat(key, { model: "fb-all-down" });
    expect(res.status).toBe(502);
    expect(res.headers.get("x-gateway-attempts")).toBeNull();
    expect(await oneUsageRow(userId)).toMatchObject({ status: "upstream_error", attempts: 4, cost_nano: 0 });
    expect((await account(userId).summary()).balanceNano).toBe(1_000_000_000);
  });

  it("provider.order, only, ignore and allow_fallbacks choose the channels", async () => {
    const { key } = await createUser("1.00");
    const served = async (provider: Record<string, unknown>) => {
      const res = await chat(key, { model: "fb-ordered", provider });
      expect(res.status).toBe(200);
      return res.headers.get("x-gateway-provider");
    };
    expect(await served({})).toBe("openai");
    expect(await served({ order: ["groq", "deepseek"] })).toBe("groq");
    expect(await served({ only: ["deepseek"] })).toBe("deepseek");
    expect(await served({ ignore: ["openai"] })).toBe("deepseek");
    // The caller's own preferences exclude every provider that could serve: a 400, not a 503.
    const none = await chat(key, { model: "fb-ordered", provider: { only: ["mistral"] } });
    expect(none.status).toBe(400);
    expect(((await none.json()) as { error: { code: string; param: string } }).error).toMatchObject({ code: "no_allowed_provider", param: "provider" });
  });

  it("allow_fallbacks: false stops after the first channel", async () => {
    const { key, userId } = await createUser("1.00");
    const res = await chat(key, { model: "fb-all-down", provider: { allow_fallbacks: false } });
    expect(res.status).toBe(503);
    expect(await oneUsageRow(userId)).toMatchObject({ provider: "openai", attempts: 2 });
  });
});
