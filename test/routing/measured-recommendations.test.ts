import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { invalidateCatalog, loadCatalog } from "../../src/catalog/catalog";
import { invalidateModelStats, WEIGHTS } from "../../src/routing/measured";
import { PREFERENCES } from "../../src/routing/preferences";
import { chat, createUser } from "../helpers/gateway";
import { deliver, record } from "../helpers/usage-plane";

// P2: recommendations and model "auto" follow measured performance. Usage records with known
// latencies and failures are seeded (through the usage consumer into the rollups) for three models of the chat list; GET /models/recommendations
// must rank by the documented score (src/routing/measured.ts, docs/routing.md) and say why, and
// "auto" must pick the top of that ranking.

type Item = { id: string; rank: number; available: boolean; score: number; why: string;
  measured: { requests: number; failures: number; success_rate: number; p50_latency_ms: number | null; output_tokens_per_second: number | null } | null };

/** [model, requests, failures, latency of each successful request (ms), completion tokens of each]. */
const SEED: Array<[string, number, number, number, number]> = [
  ["gpt-4.1-mini", 20, 10, 3000, 100], // #1 on the list, but half its requests fail and it is slow
  ["deepseek-chat", 20, 0, 400, 100], // #2, reliable and the fastest
  ["gemini-2.5-flash", 20, 1, 1000, 50], // #3, one failure
];

beforeAll(async () => {
  const now = Date.now();
  const records = SEED.flatMap(([model, n, failures, latency, out]) => Array.from({ length: n }, (_, i) => {
    const failed = i < failures;
    return record({
      requestId: `gen-m-${model}-${i}`, keyId: "key_measured", model, provider: "seed", endpoint: "chat.completions", promptTokens: 10,
      completionTokens: failed ? 0 : out, costNano: 0, latencyMs: failed ? 200 : latency, status: failed ? "upstream_error" : "success",
      httpStatus: failed ? 502 : 200, createdAt: now - 3600_000 - i,
    });
  }));
  // Older than the 7-day window: not counted.
  records.push(record({
    requestId: "gen-m-old", keyId: "key_measured", model: "deepseek-chat", provider: "seed", endpoint: "chat.completions", promptTokens: 10,
    completionTokens: 0, costNano: 0, latencyMs: 99999, status: "upstream_error", httpStatus: 502, createdAt: now - 8 * 86_400_000,
  }));
  // Through the usage consumer into the hourly rollups, as a wallet's batch would go.
  await deliver([{ v: 1, userId: "u_measured", batch: 1, records }]);
  invalidateModelStats();
  invalidateCatalog();
});

/** The documented score, recomputed here from the published prices and the seeded figures. */
async function expectedScores(): Promise<Map<string, number>> {
  const catalog = await loadCatalog(env, true);
  const list = PREFERENCES.chat.filter((id) => catalog.models.has(id));
  const blended = (id: string) => { const m = catalog.models.get(id)!; return (m.inputPrice + 3 * m.outputPrice) / 4; };
  const cheapest = Math.min(...list.map(blended));
  const seeded = new Map(SEED.map(([m, n, f, lat]) => [m, { n, f, lat }]));
  const fastest = Math.min(...SEED.map(([, , , lat]) => lat));
  const out = new Map<string, number>();
  PREFERENCES.chat.forEach((id, i) => {
    if (!catalog.models.has(id)) return;
    const s = seeded.get(id);
    const quality = 1 - i / PREFERENCES.chat.length;
    const reliability = s ? (s.n - s.f + 9.5) / (s.n + 10) : 0.95;
    const speed = s ? fastest / s.lat : 0.5;
    const score = WEIGHTS.quality * quality + WEIGHTS.price * (cheapest / blended(id)) + WEIGHTS.reliability * reliability + WEIGHTS.speed * speed;
    out.set(id, Math.round(score * 1000) / 1000);
  });
  return out;
}

describe("recommendations from measured performance (usage of the last 7 days)", () => {
  it("GET /models/recommendations?task=chat ranks by the documented score and gives the measured figures and reasons", async () => {
    const res = await SELF.fetch("http://gateway.test/api/v1/models/recommendations?task=chat");
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: Item[] };
    const expected = await expectedScores();
    for (const d of data) expect(d.score, d.id).toBe(expected.get(d.id));
    // Available models first, each group by score (ties in list order).
    const available = data.filter((d) => d.available);
    expect(available.map((d) => d.score)).toEqual([...available.map((d) => d.score)].sort((a, b) => b - a));
    const pos = (id: string) => data.findIndex((d) => d.id === id);
    // gpt-4.1-mini, first on the curated list, loses the top place to reliable, fast deepseek-chat.
    expect(pos("deepseek-chat")).toBeLessThan(pos("gpt-4.1-mini"));
    expect(data[0]!.id).toBe("deepseek-chat");

    const mini = data.find((d) => d.id === "gpt-4.1-mini")!;
    expect(mini.measured).toEqual({ requests: 20, failures: 10, success_rate: 0.5, p50_latency_ms: 3000, output_tokens_per_second: 33.3 });
    expect(mini.why).toContain("#1 in the chat list: good general quality for the price; score");
    expect(mini.why).toContain("reliability 0.65, speed 0.133); measured: 20 requests, 10 failed, p50 3000 ms, 33.3 output tok/s");
    const deepseek = data.find((d) => d.id === "deepseek-chat")!;
    // The 8-day-old failure is outside the window.
    expect(deepseek.measured).toEqual({ requests: 20, failures: 0, success_rate: 1, p50_latency_ms: 400, output_tokens_per_second: 250 });
    expect(deepseek.why).toContain("reliability 0.983, speed 1); measured: 20 requests, 0 failed, p50 400 ms, 250 output tok/s");
    const unmeasured = data.find((d) => d.id === "gpt-4o-mini")!;
    expect(unmeasured.measured).toBeNull();
    expect(unmeasured.why).toContain("reliability 0.95, speed 0.5); not measured yet");
  });

  it("model auto follows the same ranking: a plain chat request goes to the top-ranked model, and says so", async () => {
    const { key } = await createUser("5.00");
    const res = await chat(key, { model: "auto", messages: [{ role: "user", content: "Hello there, how are you?" }] });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("x-gateway-auto-model")).toBe("deepseek-chat");
    expect(res.headers.get("x-gateway-auto-reason")).toContain("deepseek-chat is the first model in the measured ranking of the chat list");
  });
});
