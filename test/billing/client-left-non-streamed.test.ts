import { env } from "cloudflare:test";
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_PRICE, addTestModels } from "../helpers/catalog";
import { BASE, createUser, drained, usageRows } from "../helpers/gateway";

// Issue 12 item 9 (docs/billing.md, "A non-streamed request whose client left"): the gateway
// cannot stop a provider that is already generating a whole answer, and the provider bills it,
// so a non-streamed request whose client goes away is charged in full once the upstream answers,
// as a success — exactly once, for the usage the provider reported.
const IN = TEST_PRICE.input / 1000;
const OUT = TEST_PRICE.output / 1000;
beforeAll(() => addTestModels(env, [["cl-slow", "openai", "paced:200:5:50"]]));

describe("a non-streamed request whose client left", () => {
  it("is charged in full once the provider answers, with one usage record", async () => {
    const { key, userId } = await createUser("1.00");
    const controller = new AbortController();
    const pending = SELF.fetch(`${BASE}/api/v1/chat/completions`, {
      method: "POST", signal: controller.signal,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "cl-slow", messages: [{ role: "user", content: "Hi" }] }),
    });
    setTimeout(() => controller.abort(), 50);
    await pending.then((r) => r.arrayBuffer(), () => undefined);
    const s = await drained(userId);
    // paced usage: 20 in, 5 out.
    const full = 20 * IN + 5 * OUT;
    expect(s.balanceNano).toBe(1_000_000_000 - full);
    expect(await usageRows(userId)).toMatchObject([{ status: "success", cost_nano: full, prompt_tokens: 20, completion_tokens: 5 }]);
  });
});
