import { runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { account, BASE, createUser, drained, usageRows } from "../helpers/gateway";

// Fixed regression cases for the two gateway bugs the fuzz properties in structured-valid.test.ts
// found (their shrunk counterexamples, plus hand-made siblings). Both assert the correct
// behaviour and fail until the bugs are fixed.

import { rejected, json } from "./harness";

function post(key: string, path: string, body: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}/api/v1${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
}

// Bug 1 — kept from the structured chat property (fast-check counterexamples, seeds 0x5eed57a1
// and 0x5eed57a1 + 77, plus two hand-made siblings): a schema-valid request that the model's provider
// translation cannot express is refused with a 400 — correctly — but only after admission, so it
// is logged as an "upstream_error" usage row (no upstream was called) and uses a rate-limit slot.
describe("a request no candidate provider can express is refused before admission", () => {
  const HI = [{ role: "user", content: "Hi" }];
  const CASES: Array<[string, Record<string, unknown>]> = [
    ["Anthropic model, empty user content array (counterexample)", { model: "test-claude-echo", messages: [{ role: "user", content: [] }] }],
    ["Anthropic model, assistant message without content (counterexample)", { model: "test-claude-echo", messages: [{ role: "assistant" }] }],
    ["Anthropic model, temperature 1.5", { model: "test-claude-echo", messages: HI, temperature: 1.5 }],
    ["Gemini model, system message only", { model: "test-gemini-echo", messages: [{ role: "system", content: "x" }] }],
  ];
  for (const [label, body] of CASES) {
    it(`${label} → 400 with nothing reserved, counted or logged; the key's 2 rpm stay free`, async () => {
      const u = await createUser("1.00", { rpm: 2 });
      await drained(u.userId);
      for (let i = 0; i < 2; i++) {
        expect(await rejected(await post(u.key, "/chat/completions", body), "openai", label)).toMatchObject({ status: 400, code: "unsupported_parameter" });
      }
      const ok = await post(u.key, "/chat/completions", { model: "test-echo", messages: HI });
      const text = await ok.text();
      expect(ok.status, `a valid request after two refused ones: ${text.slice(0, 200)}`).toBe(200);
      const s = await drained(u.userId);
      expect(s).toMatchObject({ balanceNano: 1_000_000_000 - 25_000, holdsNano: 0 }); // only the echo: 11 × 1000 + 7 × 2000 nUSD
      expect((await usageRows(u.userId)).map((r) => [r.status, r.http_status])).toEqual([["success", 200]]);
      const tables = await runInDurableObject(account(u.userId), (_o, state) => ["requests", "rate_events"]
        .map((t) => state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${t}`).one().n));
      expect(tables).toEqual([1, 1]); // the served request only
    });
  }
});

// Bug 2 — kept from the structured chat property (fast-check counterexample, seed 0x5eed57a1:
// {"model":"test-echo","provider":{"only":[]},"messages":[{"role":"assistant"}]}, and siblings):
// provider preferences that leave no provider for the model are the caller's own choice, so the
// answer must be a 4xx naming `provider`, not 503 provider_not_configured (which SDKs retry).
describe("provider preferences that exclude every provider → 4xx, not 503", () => {
  const HI = [{ role: "user", content: "Hi" }];
  const CASES: Array<Record<string, unknown>> = [
    { model: "test-echo", provider: { only: [] }, messages: [{ role: "assistant" }] }, // the counterexample as shrunk
    { model: "test-echo", messages: HI, provider: { only: [] } },
    { model: "test-echo", messages: HI, provider: { ignore: ["openai"] } },
    { model: "test-echo", messages: HI, provider: { only: ["anthropic"] } },
    { model: "auto", messages: HI, provider: { only: ["together"] } },
  ];
  it.each(CASES.map((c) => [JSON.stringify(c), c] as const))("%s → 4xx in OpenAI's shape naming provider, nothing written", async (_label, body) => {
    const u = await createUser("1.00");
    const e = await rejected(await post(u.key, "/chat/completions", body), "openai", JSON.stringify(body));
    expect(e.param ?? "", "param").toMatch(/^provider/);
    const s = await drained(u.userId);
    expect(s).toMatchObject({ balanceNano: 1_000_000_000, holdsNano: 0, inFlight: 0 });
    expect(await usageRows(u.userId)).toEqual([]);
  });
});
