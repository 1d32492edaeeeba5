import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { authConfig } from "../../src/auth/config";
import { hitLimits, LIMITS } from "../../src/auth/throttle";
import { anon, login, register, uniqueEmail } from "./helpers";

const cfg = authConfig(env);
const WINDOW_S = LIMITS.signInWindowMs / 1000;

async function events(userId: string) {
  const { results } = await env.DB.prepare("SELECT outcome, ip, detail FROM security_events WHERE user_id = ? AND kind = 'sign_in' ORDER BY created_at, id")
    .bind(userId).all<{ outcome: string; ip: string; detail: string | null }>();
  return results;
}

function expectThrottled(res: Response, windowS = WINDOW_S) {
  expect(res.status).toBe(429);
  const retry = Number(res.headers.get("retry-after"));
  expect(Number.isInteger(retry)).toBe(true);
  expect(retry).toBeGreaterThan(0);
  expect(retry).toBeLessThanOrEqual(windowS);
}

describe("sign-in brute-force limits", () => {
  it(`per account and IP: ${cfg.signinMaxFailuresPerAccount} failures, then 429 + Retry-After even with the right password from that IP; every attempt logged`, async () => {
    const { userId, email, password } = await register();
    const ip = "198.51.100.1";
    for (let i = 0; i < cfg.signinMaxFailuresPerAccount; i++) {
      const res = await login(email, "wrong password!", ip);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_credentials");
    }
    const blocked = await login(email, password, ip);
    expectThrottled(blocked);
    expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe("too_many_attempts");
    expectThrottled(await login(email, "another guess!", ip));
    // The owner, from another IP, is not locked out by someone else's failures (no lockout DoS).
    expect((await login(email, password, "198.51.100.2")).status).toBe(200);
    const log = await events(userId);
    expect(log.map((e) => e.outcome)).toEqual([...Array(cfg.signinMaxFailuresPerAccount).fill("failure"), "throttled", "throttled", "success"]);
    expect(log[0]).toEqual({ outcome: "failure", ip, detail: "bad_password" });
  });

  it(`per IP: ${cfg.signinMaxFailuresPerIp} failures across different accounts, then 429 for any account from that IP`, async () => {
    const ip = "198.51.100.20";
    const { userId, email, password } = await register();
    for (let i = 0; i < cfg.signinMaxFailuresPerIp; i++) {
      expect((await login(uniqueEmail("spray"), "wrong password!", ip)).status).toBe(401);
    }
    expectThrottled(await login(email, password, ip));
    expect((await login(email, password, "198.51.100.21")).status).toBe(200);
    expect((await events(userId)).map((e) => [e.outcome, e.ip])).toEqual([["throttled", ip], ["success", "198.51.100.21"]]);
    const unknown = await env.DB.prepare("SELECT count(*) AS n FROM security_events WHERE user_id IS NULL AND kind = 'sign_in' AND outcome = 'failure' AND ip = ? AND detail = 'unknown_account'")
      .bind(ip).first<{ n: number }>();
    expect(unknown!.n).toBe(cfg.signinMaxFailuresPerIp);
  });

  it("only cf-connecting-ip names the client: a client-supplied x-real-ip is neither logged nor used as a throttle bucket", async () => {
    const { userId, email } = await register();
    const spoofed = "203.0.113.77";
    const bare = await anon("/api/auth/login", { method: "POST", headers: { "x-real-ip": spoofed }, json: { email, password: "wrong password!" } });
    expect(bare.status).toBe(401);
    const both = await anon("/api/auth/login", { method: "POST", ip: "198.51.100.50", headers: { "x-real-ip": spoofed }, json: { email, password: "wrong password!" } });
    expect(both.status).toBe(401);
    expect((await events(userId)).map((e) => e.ip)).toEqual([null, "198.51.100.50"]);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM throttles WHERE bucket LIKE ?").bind(`%${spoofed}%`).first("n")).toBe(0);
  });

  it("a successful sign-in starts the account's window over", async () => {
    const { email, password } = await register();
    const ip = "198.51.100.30";
    for (let i = 0; i < cfg.signinMaxFailuresPerAccount - 1; i++) expect((await login(email, "nope nope nope", ip)).status).toBe(401);
    expect((await login(email, password, ip)).status).toBe(200);
    for (let i = 0; i < cfg.signinMaxFailuresPerAccount; i++) expect((await login(email, "nope nope nope", ip)).status).toBe(401);
    expectThrottled(await login(email, password, ip));
  });

  it("unknown and existing accounts answer alike (same 401 code and message)", async () => {
    const { email } = await register();
    const a = await login(email, "wrong password!", "198.51.100.40");
    const b = await login(uniqueEmail("ghost"), "wrong password!", "198.51.100.41");
    expect([a.status, b.status]).toEqual([401, 401]);
    expect(await a.json()).toEqual(await b.json());
  });
});

describe("fixed windows (src/auth/throttle.ts)", () => {
  it("Retry-After counts down to the window's end; after it, the count starts again at 1", async () => {
    const limit = [{ bucket: `test:${uniqueEmail()}`, max: 2, windowMs: 900_000 }];
    const t0 = 1_800_000_000_000;
    expect(await hitLimits(env, limit, t0)).toBeNull();
    expect(await hitLimits(env, limit, t0 + 1000)).toBeNull();
    expect(await hitLimits(env, limit, t0 + 100_000)).toEqual({ count: 3, retryAfterSeconds: 800 }); // (900,000 − 100,000) ms
    expect(await hitLimits(env, limit, t0 + 899_500)).toEqual({ count: 4, retryAfterSeconds: 1 });
    expect(await hitLimits(env, limit, t0 + 900_000)).toBeNull(); // new window, count 1
  });

  it("password-reset requests are limited per address (3 an hour), whether or not it exists", async () => {
    const email = uniqueEmail("nobody");
    for (let i = 0; i < LIMITS.resetPerAccount.max; i++) {
      expect((await anon("/api/auth/password-reset/request", { method: "POST", json: { email } })).status).toBe(202);
    }
    expectThrottled(await anon("/api/auth/password-reset/request", { method: "POST", json: { email } }), LIMITS.resetPerAccount.windowMs / 1000);
  });
});
