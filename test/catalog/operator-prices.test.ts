import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { addTestModels } from "../helpers/catalog";
import { admin, api, chat, createUser, drained, usageRows } from "../helpers/gateway";

// A model of its own, so other test files billing adm-price never see these prices.
beforeAll(() => addTestModels(env, [["adm-price", "openai", "echo"]]));

describe("operator API: model prices without a deploy", () => {
  it("PATCH /api/admin/models/:id changes the price the next request is billed at, with source and date", async () => {
    const res = await admin("/models/adm-price", { method: "PATCH", json: { input_usd_per_m: "3.00", output_usd_per_m: "4.50", price_source: "test price change" } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { pricing: { prompt: string; completion: string }; price_source: string; price_updated_at: string };
    expect(body.pricing).toMatchObject({ prompt: "0.000003", completion: "0.0000045" });
    expect(body.price_source).toBe("test price change");
    expect(body.price_updated_at).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const listed = (await (await api("/models/adm-price", null)).json()) as { pricing: { prompt: string } };
    expect(listed.pricing.prompt).toBe("0.000003");
    const { key, userId } = await createUser("1.00");
    expect((await chat(key, { model: "adm-price" })).status).toBe(200);
    await drained(userId);
    // echo usage 11 in / 7 out at 3.00 / 4.50 USD per 1M tokens = 33,000 + 31,500 nUSD
    expect((await usageRows(userId))[0]!.cost_nano).toBe(64_500);
  });

  it("rejects a float, a missing source, an unknown model and a missing token", async () => {
    expect((await admin("/models/adm-price", { method: "PATCH", json: { input_usd_per_m: 1.5, price_source: "x" } })).status).toBe(400);
    expect((await admin("/models/adm-price", { method: "PATCH", json: { input_usd_per_m: "1.5" } })).status).toBe(400);
    expect((await admin("/models/no-such", { method: "PATCH", json: { input_usd_per_m: "1.5", price_source: "x" } })).status).toBe(404);
    const anon = await api("/../admin/models/adm-price", null, { method: "PATCH", json: { price_source: "x" } });
    expect(anon.status).toBeGreaterThanOrEqual(400);
    expect(anon.status).toBeLessThan(500);
  });
});
