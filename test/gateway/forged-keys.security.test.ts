import { describe, expect, it } from "vitest";
import { generateApiKey, hasValidTag, keyTagSecret, parseApiKey } from "../../src/lib/api-key";
import { env } from "cloudflare:test";
import { fetchCounted } from "../helpers/counted-env";
import { api, BASE, createUser } from "../helpers/gateway";

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const pick = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join("");

function chatRequest(key: string, model = "demo"): Request {
  return new Request(`${BASE}/api/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "Hi" }] }),
  });
}

describe("forged API keys fail before any Durable Object or D1 read", () => {
  it("a well-formed key with a made-up user id gets 401 and touches neither ACCOUNT nor D1", async () => {
    for (const path of ["/chat/completions", "/credits", "/key", "/generation?id=gen-x"]) {
      const forged = `sk-gw-u${pick("0123456789abcdefghijklmnopqrstuvwxyz", 20)}-${pick(B64URL, 43)}`;
      const req = path === "/chat/completions" ? chatRequest(forged)
        : new Request(`${BASE}/api/v1${path}`, { headers: { authorization: `Bearer ${forged}` } });
      const { res, touches } = await fetchCounted(req);
      expect(res.status, path).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_api_key");
      expect(touches, path).toEqual({ account: 0, d1: 0 });
    }
  });

  it("a real user's id with a forged secret, and a real key with its tag bytes changed, touch nothing either", async () => {
    const u = await createUser("1.00");
    const tampered = u.key.slice(0, -2) + (u.key.endsWith("AA") ? "BA" : "AA");
    for (const key of [`sk-gw-${u.userId}-${pick(B64URL, 43)}`, tampered]) {
      const { res, touches } = await fetchCounted(chatRequest(key));
      expect(res.status).toBe(401);
      expect(touches).toEqual({ account: 0, d1: 0 });
    }
  });

  it("keys issued through the normal paths carry a valid tag and work", async () => {
    const u = await createUser("1.00");
    const secret = (await keyTagSecret(env))!;
    expect(await hasValidTag(parseApiKey(u.key)!, secret)).toBe(true);
    const { res, touches } = await fetchCounted(chatRequest(u.key));
    expect(res.status).toBe(200);
    expect(touches.account).toBeGreaterThan(0);
    expect((await api("/key", u.key)).status).toBe(200);
  });

  it("a key tagged under another secret is refused; LEGACY_UNTAGGED_KEYS=on lets untagged keys reach the Durable Object's check", async () => {
    const u = await createUser("1.00");
    const other = await generateApiKey(u.userId, "another-deployment-secret-0123456789abcdef");
    expect((await fetchCounted(chatRequest(other))).res.status).toBe(401);
    const legacy = await fetchCounted(chatRequest(other), { LEGACY_UNTAGGED_KEYS: "on" });
    expect(legacy.res.status).toBe(401); // never issued here: the Durable Object does not know it
    expect(legacy.touches.account).toBeGreaterThan(0);
  });
});
