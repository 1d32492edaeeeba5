import { afterEach, describe, expect, it, vi } from "vitest";
import { classifyChatRequest, LINE_LIMIT_CHARS, SCAN_LIMIT_CHARS } from "../../src/routing/classify";
import { fetchCounted } from "../helpers/counted-env";
import { admin, BASE, createUser } from "../helpers/gateway";

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const pick = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join("");
const NEWLINES = "\n".repeat(96 * 1024);

/** Every RegExp.prototype.test call: the pattern's flags and the length of the text it ran over. */
function spyRegexps(): Array<{ flags: string; length: number; text: string }> {
  const calls: Array<{ flags: string; length: number; text: string }> = [];
  const original = RegExp.prototype.test;
  vi.spyOn(RegExp.prototype, "test").mockImplementation(function (this: RegExp, s: string) {
    const text = String(s);
    calls.push({ flags: this.flags, length: text.length, text: text.slice(0, 64) });
    return original.call(this, s);
  });
  return calls;
}

function autoRequest(key: string, content: string): Request {
  return new Request(`${BASE}/api/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "auto", messages: [{ role: "user", content }] }),
  });
}

afterEach(() => vi.restoreAllMocks());

describe("model auto: classification only after the key is verified", () => {
  it("a never-issued key with 96 KB of newlines gets 401 without any classification (no regex ever sees the text)", async () => {
    const forged = `sk-gw-u${pick("0123456789abcdefghijklmnopqrstuvwxyz", 20)}-${pick(B64URL, 43)}`;
    const calls = spyRegexps();
    const { res, touches } = await fetchCounted(autoRequest(forged, NEWLINES));
    expect(res.status).toBe(401);
    expect(touches.account).toBe(0);
    expect(calls.filter((c) => c.length >= 1024)).toEqual([]);
  });

  it("a revoked key gets 401 api_key_revoked before classification", async () => {
    const u = await createUser("1.00");
    expect((await admin(`/keys/${u.keyId}`, { method: "DELETE" })).status).toBeLessThan(300);
    const calls = spyRegexps();
    const { res } = await fetchCounted(autoRequest(u.key, "```js\nconst marker_revoked = 1;\n```"));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("api_key_revoked");
    expect(calls.some((c) => c.text.includes("marker_revoked"))).toBe(false);
  });

  it("a live key's auto request is classified (the control: the spy does see classification)", async () => {
    const u = await createUser("1.00");
    const calls = spyRegexps();
    const { res } = await fetchCounted(autoRequest(u.key, "```js\nconst marker_live = 1;\n```"));
    expect(res.headers.get("x-gateway-auto-reason") ?? (await res.text())).toContain("code");
    expect(calls.some((c) => c.text.includes("marker_live"))).toBe(true);
  });
});

describe("the classifier is linear: no multi-line pattern, bounded input", () => {
  it("on 96 KB and 1 MB of newlines (and of CR/LF, spaces and tabs) every pattern runs over one line or the bounded slice", () => {
    for (const text of [NEWLINES, "\n".repeat(1024 * 1024), "\r\n \t".repeat(100_000), `${" ".repeat(50_000)}\n`.repeat(20)]) {
      const calls = spyRegexps();
      const started = Date.now();
      const c = classifyChatRequest({ messages: [{ role: "user", content: text }] }, { longContextTokens: Number.MAX_SAFE_INTEGER });
      const elapsed = Date.now() - started;
      vi.restoreAllMocks();
      expect(c.task).toBe("chat");
      // The quadratic shape was a multi-line (`m`) pattern over the whole text: none is left.
      expect(calls.filter((x) => x.flags.includes("m"))).toEqual([]);
      // Whole-text patterns see at most the bounded slice; line patterns at most one cut line.
      for (const x of calls) expect(x.length).toBeLessThanOrEqual(SCAN_LIMIT_CHARS);
      expect(calls.filter((x) => x.length > LINE_LIMIT_CHARS).length).toBeLessThanOrEqual(20);
      expect(elapsed).toBeLessThan(2_000); // very generous: the old code took 5.8–9.5 s on 96 KB
    }
  });
});
