import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RATE_WINDOW_MS } from "../../src/account/storage";
import { account, admin, chat, createUser } from "../helpers/gateway";

// P14: rate limits are per API key. Two keys of one user with rpm 2 each: the first key's third
// request in the window is refused, while the second key is still served; after the window the
// first key works again.

async function newKey(userId: string, rpm: number) {
  const res = await admin(`/users/${userId}/keys`, { method: "POST", json: { name: `rpm ${rpm}`, rpm } });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; key: string };
}

async function call(key: string) {
  const res = await chat(key, { model: "test-echo" });
  const body = (await res.json()) as { error?: { code: string } };
  return { status: res.status, code: body.error?.code ?? null, limit: res.headers.get("x-ratelimit-limit-requests"), remaining: res.headers.get("x-ratelimit-remaining-requests") };
}

describe("P14: rate limits per key", () => {
  it("one key at its rpm limit → 429; another key of the same user → 200; the limited key recovers after the window", async () => {
    const { userId } = await createUser("1.00");
    const a = await newKey(userId, 2);
    const b = await newKey(userId, 2);

    expect(await call(a.key)).toMatchObject({ status: 200, limit: "2", remaining: "1" });
    expect(await call(a.key)).toMatchObject({ status: 200, limit: "2", remaining: "0" });
    expect(await call(a.key)).toMatchObject({ status: 429, code: "rate_limit_exceeded" });

    // Key b of the same user and account: its own window, untouched by a's requests.
    expect(await call(b.key)).toMatchObject({ status: 200, limit: "2", remaining: "1" });
    expect(await call(a.key)).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
    expect(await call(b.key)).toMatchObject({ status: 200, remaining: "0" });

    // Move a's window into the past (as if a minute had passed), then a is served again.
    await runInDurableObject(account(userId), (_instance, state) => {
      state.storage.sql.exec("UPDATE rate_events SET ts = ts - ? WHERE key_id = ?", RATE_WINDOW_MS + 1, a.id);
    });
    expect(await call(a.key)).toMatchObject({ status: 200, limit: "2", remaining: "1" });
    // b's window was not moved: it is still at its limit.
    expect(await call(b.key)).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
  });
});
