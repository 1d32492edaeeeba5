import { describe, expect, it } from "vitest";
import { formatPricePerToken } from "../../src/lib/money";
import { PREFERENCES } from "../../src/routing/auto";
import { api, chat, createUser, drained, usageRows } from "../helpers/gateway";

// Must show 6 (issue 3), end to end: model "auto" through /chat/completions. Every provider of the
// seeded catalog is configured in tests (stand-ins), so each task gets the first model of its list.
const first = (task: keyof typeof PREFERENCES) => PREFERENCES[task][0];

describe('model "auto" through /chat/completions', () => {
  it("plain chat picks the first chat model; the header and the generation record say which and why", async () => {
    const { key, userId } = await createUser("5.00");
    const res = await chat(key, { model: "auto", messages: [{ role: "user", content: "Hi, how are you?" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-auto-model")).toBe(first("chat"));
    expect(res.headers.get("x-gateway-auto-reason")).toContain("task=chat");
    expect(res.headers.get("x-gateway-model")).toBe(first("chat"));
    const { id } = (await res.json()) as { id: string };
    await drained(userId);
    const [row] = await usageRows(userId);
    expect(row).toMatchObject({ request_id: id, model: first("chat") });
    expect(String(row!.route_reason)).toContain("task=chat");
    const gen = await api(`/generation?id=${id}`, key);
    expect(((await gen.json()) as { data: { route_reason: string } }).data.route_reason).toContain(first("chat")!);
  });

  it("code picks the first code model", async () => {
    const { key } = await createUser("5.00");
    const res = await chat(key, { model: "auto", messages: [{ role: "user", content: "Fix this:\n```ts\nfunction add(a: number, b: number) { return a - b }\n```" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-auto-model")).toBe(first("code"));
  });

  it("max_price excludes models above it and the choice respects it", async () => {
    const { key } = await createUser("5.00");
    const res = await chat(key, { model: "auto", provider: { max_price: { prompt: "0.20", completion: "0.50" } }, messages: [{ role: "user", content: "Hello there" }] });
    expect(res.status).toBe(200);
    const chosen = res.headers.get("x-gateway-auto-model")!;
    const models = (await (await api("/models", null)).json()) as { data: Array<{ id: string; pricing: { prompt: string; completion: string } }> };
    const m = models.data.find((x) => x.id === chosen)!;
    // Prices are USD per token: 0.20 USD/Mtok = 0.0000002.
    expect(Number(m.pricing.prompt)).toBeLessThanOrEqual(Number(formatPricePerToken(200_000)));
    expect(Number(m.pricing.completion)).toBeLessThanOrEqual(Number(formatPricePerToken(500_000)));
    expect(res.headers.get("x-gateway-auto-reason")).toContain("max_price");
  });

  it("a max_price nothing meets is a clear 400", async () => {
    const { key } = await createUser("5.00");
    const res = await chat(key, { model: "auto", provider: { max_price: { prompt: 0, completion: 0 } } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string; param: string } }).error).toMatchObject({ code: "no_model_fits", param: "model" });
  });
});
