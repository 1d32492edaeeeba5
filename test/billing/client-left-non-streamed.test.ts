import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import { TEST_PRICE, addTestModels } from "../helpers/catalog";
import { account, BASE, createUser, usageRows } from "../helpers/gateway";

// Issue 12 item 9 (docs/billing.md, "A non-streamed request whose client left"): a provider
// generating a whole answer cannot be stopped part-way and bills it in full, so once admitted a
// non-streamed request runs to its settlement in waitUntil, whatever the client does, and is
// charged in full for the usage the provider reported — exactly once, as a success.
// (The harness cannot cut a client's connection mid-request: aborting SELF.fetch drops the whole
// request context there, waitUntil included. The answer here is never read by anyone.)
const IN = TEST_PRICE.input / 1000;
const OUT = TEST_PRICE.output / 1000;
beforeAll(() => addTestModels(env, [["cl-slow", "openai", "paced:200:5:50"]]));

describe("a non-streamed request whose client left", () => {
  it("is settled from waitUntil and charged in full once the provider answers, with one usage record", async () => {
    const { key, userId } = await createUser("1.00");
    const ctx = createExecutionContext();
    const request = new Request(`${BASE}/api/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "cl-slow", messages: [{ role: "user", content: "Hi" }] }),
    });
    // The response's body is never read, as by a client that went away.
    const res = await worker.fetch(request, env as unknown as Env, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(200);
    const s = await account(userId).summary();
    // paced usage: 20 in, 5 out.
    const full = 20 * IN + 5 * OUT;
    expect(s).toMatchObject({ balanceNano: 1_000_000_000 - full, inFlight: 0 });
    expect(await usageRows(userId).then((rows) => rows.length)).toBeLessThanOrEqual(1);
    await account(userId).flushOutbox();
    expect(await usageRows(userId)).toMatchObject([{ status: "success", cost_nano: full, prompt_tokens: 20, completion_tokens: 5 }]);
  });
});
