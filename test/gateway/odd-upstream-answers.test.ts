import { env, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { countTokensAtLeast, loadTokenizer } from "../../src/billing/tokenizer";
import { addTestModels } from "../helpers/catalog";
import { mirrorBill } from "../helpers/mirror";
import { account, api, chat, createUser, drained, settled, usageRows } from "../helpers/gateway";

// What goes upstream, and how an upstream answer that is malformed, not a completion, or cut off
// mid-stream is settled: the caller pays for what was relayed, nothing stays reserved.
beforeAll(() => addTestModels(env, [
  ["rr-bad-choice", "openai", "fixture:synthetic/bad-choice"],
  ["rr-string-body", "openai", "fixture:synthetic/string-body"],
  ["rr-choices-object", "openai", "fixture:synthetic/choices-object"],
  ["rr-no-choices", "openai", "fixture:synthetic/no-choices"],
  ["rr-overloaded", "anthropic", "fixture:synthetic/anthropic-overloaded"],
  ["rr-ds-mirror", "deepseek", "mirror"],
]));

const echoed = async (res: Response) =>
  (JSON.parse(((await res.json()) as { choices: [{ message: { content: string } }] }).choices[0].message.content) as { body: Record<string, unknown> }).body;

describe("the output limit sent upstream", () => {
  it("only the reserved output limit goes upstream, in the provider's field (max_completion_tokens 1 + max_tokens 900)", async () => {
    const { key, userId } = await createUser("10.00");
    const res = await chat(key, { model: "test-mirror", max_completion_tokens: 1, max_tokens: 900 });
    expect(res.status).toBe(200);
    const content = ((await res.json()) as { choices: [{ message: { content: string } }] }).choices[0].message.content;
    const body = (JSON.parse(content) as { body: Record<string, unknown> }).body;
    expect(body.max_completion_tokens).toBe(1); // openai's field
    expect(body.max_tokens).toBeUndefined();
    await drained(userId);
    // The stand-in ignored the cap of 1: the output it sent is billed (max(reported, counted)), the
    // report is marked as not taken as it came, and the charge stays within the request's max charge.
    await loadTokenizer();
    const row = (await usageRows(userId))[0]!;
    expect(row).toMatchObject({ usage_source: "clamped" });
    expect(Number(row.completion_tokens)).toBeGreaterThanOrEqual(countTokensAtLeast(content));
    expect(Number(row.completion_tokens)).toBeLessThanOrEqual(mirrorBill(content).completionTokens);
    // For a provider using max_tokens, the caller's max_completion_tokens arrives as max_tokens.
    const ds = await echoed(await chat(key, { model: "rr-ds-mirror", max_completion_tokens: 5 }));
    expect(ds.max_tokens).toBe(5);
    expect(ds.max_completion_tokens).toBeUndefined();
  });

});

describe("odd upstream answers are settled for what was relayed, and nothing stays reserved", () => {
  it("a malformed chunk mid-stream ends the stream with an error event and settles (nothing left reserved)", async () => {
    const { key, userId } = await createUser("10.00");
    const res = await chat(key, { model: "rr-bad-choice", stream: true });
    const text = await res.text();
    expect(text).toContain("upstream_stream_error");
    expect(text).not.toContain("[DONE]");
    const s = await drained(userId);
    expect(s.holdsNano).toBe(0);
    const [row] = await usageRows(userId);
    expect(row).toMatchObject({ status: "stream_error" });
    expect(Number(row!.cost_nano)).toBeGreaterThan(0); // "Hello there, this is output" was relayed
  });

  for (const [model, path] of [["rr-string-body", "/chat/completions"], ["rr-choices-object", "/chat/completions"], ["rr-no-choices", "/chat/completions"], ["rr-no-choices", "/messages"]] as const) {
    it(`a 200 that is not a completion (${model} on ${path}) → 502, nothing charged, nothing left reserved`, async () => {
      const { key, userId } = await createUser("10.00");
      const body = path === "/messages"
        ? { model, max_tokens: 50, messages: [{ role: "user", content: "hi" }] }
        : { model, messages: [{ role: "user", content: "hi" }] };
      const res = await api(path, key, { method: "POST", json: body });
      expect(res.status).toBe(502);
      const s = await drained(userId);
      expect(s.usageNano + 0).toBe(0);
      expect(s.holdsNano).toBe(0);
      expect((await usageRows(userId))[0]).toMatchObject({ status: "upstream_error", cost_nano: 0 });
    });
  }

  it("a Claude stream that fails before any output costs nothing and sends one clean error event", async () => {
    const { key, userId } = await createUser("10.00");
    const res = await api("/messages", key, { method: "POST", json: { model: "rr-overloaded", max_tokens: 50, stream: true, messages: [{ role: "user", content: "hi" }] } });
    const text = await res.text();
    expect(text.match(/event: error/g)).toHaveLength(1);
    expect(text).not.toContain("Overloaded");
    const s = await drained(userId);
    expect(s.usageNano + 0).toBe(0);
    expect((await usageRows(userId))[0]).toMatchObject({ status: "stream_error", cost_nano: 0 });
  });

  it("a running stream keeps its reservation alive past the reservation lifetime", async () => {
    const { key, userId } = await createUser("10.00");
    const stub = account(userId);
    const res = await chat(key, { model: "test-slow-stream", stream: true });
    const reader = res.body!.getReader();
    await reader.read();
    const before = await runInDurableObject(stub, (_, state) => state.storage.sql.exec<{ expires_at: number }>("SELECT expires_at FROM requests WHERE state = 'reserved'").one().expires_at);
    const requestId = res.headers.get("x-request-id")!;
    expect(await stub.extend(requestId, before + 60_000)).toBe(true);
    const after = await runInDurableObject(stub, (_, state) => state.storage.sql.exec<{ expires_at: number }>("SELECT expires_at FROM requests WHERE request_id = ?", requestId).one().expires_at);
    expect(after).toBe(before + 60_000);
    await reader.cancel();
    await settled(userId);
    expect(await stub.extend(requestId, before + 120_000)).toBe(false); // settled: nothing to extend
  });
});
