import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { addTestModels } from "../helpers/catalog";
import { chat, createUser, drained, usageRows } from "../helpers/gateway";

// Issue 12 item 7: a stream whose events are all unreadable (not JSON), ended by [DONE], is not a
// 200 "success" charged the prompt estimate: it ends with one error event and costs nothing.
beforeAll(() => addTestModels(env, [["us-garbage", "openai", "hostile:garbage:5"]]));

describe("a stream of only unparseable events", () => {
  it("ends with an error event, is recorded as a free stream_error, and the balance is untouched", async () => {
    const { key, userId } = await createUser("1.00");
    const res = await chat(key, { model: "us-garbage", stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("upstream_stream_error");
    expect(text).not.toContain("[DONE]");
    const s = await drained(userId);
    expect(s).toMatchObject({ balanceNano: 1_000_000_000, holdsNano: 0, inFlight: 0 });
    expect(await usageRows(userId)).toMatchObject([{ status: "stream_error", cost_nano: 0, completion_tokens: 0 }]);
  });
});
