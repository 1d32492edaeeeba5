import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { authConfig } from "../../src/auth/config";
import { SESSION_COOKIE, sessionClient } from "../helpers/session";
import { anon, login, registerVerified, setCookies, tokenFromEmail, uniqueEmail } from "./helpers";

const cfg = authConfig(env);

describe("sessions end on the server", () => {
  it("sign-out ends the session: a copy of the cookie taken before stops working", async () => {
    const { session } = await registerVerified();
    expect((await session.fetch("/api/me/profile")).status).toBe(200);
    const out = await session.fetch("/api/auth/logout", { method: "POST" });
    expect(out.status).toBe(204);
    // The same cookie, replayed (a stolen copy, or a browser that ignored the clearing Set-Cookie).
    const replay = await session.fetch("/api/me/profile");
    expect(replay.status).toBe(401);
    expect((await session.fetch("/api/auth/me")).status).not.toBe(200);
  });

  it("an email change ends every other session; the browser that confirmed it stays signed in", async () => {
    const { userId, email, password, session } = await registerVerified();
    const otherDevice = sessionClient(userId, email, setCookies(await login(email, password)).get(SESSION_COOKIE)!);
    expect((await otherDevice.fetch("/api/me/profile")).status).toBe(200);
    const next = uniqueEmail("moved");
    expect((await session.fetch("/api/me/email", { method: "POST", json: { email: next, password } })).status).toBe(202);
    const confirm = await session.fetch("/api/auth/verify-email", { method: "POST", json: { token: await tokenFromEmail(userId, "change_email") } });
    expect(confirm.status).toBe(200);
    expect((await otherDevice.fetch("/api/me/profile")).status).toBe(401);
    expect((await session.fetch("/api/me/profile")).status).toBe(401); // the old cookie ended too…
    const renewed = setCookies(confirm).get(SESSION_COOKIE);
    expect(renewed).toBeTruthy(); // …and this browser was given a new one
    expect((await sessionClient(userId, next, renewed!).fetch("/api/me/profile")).status).toBe(200);
  });
});

describe("sign-in lockout is not a denial of service", () => {
  it(`${cfg.signinMaxFailuresPerAccount} wrong passwords from an attacker's IP lock that IP out of the account, not the owner from elsewhere`, async () => {
    const { email, password } = await registerVerified();
    for (let i = 0; i < cfg.signinMaxFailuresPerAccount; i++) expect((await login(email, "wrong password!", "203.0.113.66")).status).toBe(401);
    expect((await login(email, password, "203.0.113.66")).status).toBe(429);
    expect((await login(email, password, "198.51.100.7")).status).toBe(200);
  });
});

describe("/api/me answers are never cached", () => {
  it("Cache-Control: no-store on data, on errors and on state changes", async () => {
    const { session } = await registerVerified();
    for (const res of [
      await session.fetch("/api/me/profile"),
      await session.fetch("/api/me/keys"),
      await session.fetch("/api/me/usage"),
      await session.fetch("/api/me/profile", { method: "PATCH", json: { name: "Ada L." } }),
      await session.fetch("/api/me/profile", { method: "PATCH", json: { bogus: 1 } }),
      await anon("/api/me/profile"),
    ]) {
      expect(res.headers.get("cache-control"), res.url).toBe("no-store");
    }
  });
});
