import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE } from "../helpers/gateway";
import { TEST_CSRF } from "../helpers/session";
import { PASSWORD, register, uniqueEmail, userRow } from "./helpers";

/** Each variant breaks exactly one part of the check: Origin present and ours, header present, header == cookie. */
const VARIANTS: [string, (h: Headers) => void, string][] = [
  ["no Origin", (h) => h.delete("origin"), "csrf_origin_mismatch"],
  ["a foreign Origin", (h) => h.set("origin", "https://evil.example"), "csrf_origin_mismatch"],
  ["a look-alike Origin", (h) => h.set("origin", `${BASE}.evil.example`), "csrf_origin_mismatch"],
  ["no x-csrf-token", (h) => h.delete("x-csrf-token"), "csrf_token_invalid"],
  ["an x-csrf-token that does not match the cookie", (h) => h.set("x-csrf-token", "another-token-0123456789abcdef"), "csrf_token_invalid"],
];

function request(path: string, method: string, cookie: string, json: unknown, tweak: (h: Headers) => void = () => {}) {
  const headers = new Headers({ origin: BASE, "x-csrf-token": TEST_CSRF, cookie, "content-type": "application/json" });
  tweak(headers);
  return SELF.fetch(`${BASE}${path}`, { method, headers, body: JSON.stringify(json) });
}

async function code(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

describe("CSRF: Origin check + double-submit token on state-changing requests", () => {
  it("PATCH /api/me/profile: each broken variant is 403 and writes nothing; the intact request works", async () => {
    const { userId, session } = await register();
    for (const [, tweak, expected] of VARIANTS) {
      const res = await request("/api/me/profile", "PATCH", session.cookie, { name: "Mallory" }, tweak);
      expect(res.status).toBe(403);
      expect(await code(res)).toBe(expected);
      expect((await userRow(userId))!.name).toBe("Ada");
    }
    const ok = await request("/api/me/profile", "PATCH", session.cookie, { name: "Grace" });
    expect(ok.status).toBe(200);
    expect((await userRow(userId))!.name).toBe("Grace");
  });

  it("POST /api/auth/register (login CSRF matters too): 403 and no account; intact → 202", async () => {
    const cookie = `__Host-csrf=${TEST_CSRF}`;
    const body = (email: string) => ({ email, password: PASSWORD, name: "X", accept_terms: true, confirm_age_18: true });
    for (const [, tweak, expected] of VARIANTS) {
      const email = uniqueEmail("c");
      const res = await request("/api/auth/register", "POST", cookie, body(email), tweak);
      expect(res.status).toBe(403);
      expect(await code(res)).toBe(expected);
      expect(await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(email).first()).toBeNull();
    }
    // No CSRF cookie at all (a first visit that skipped GET /api/auth/csrf) is refused as well.
    const bare = await request("/api/auth/register", "POST", "", body(uniqueEmail("c")));
    expect(bare.status).toBe(403);
    expect((await request("/api/auth/register", "POST", cookie, body(uniqueEmail("c")))).status).toBe(202);
  });

  it("POST /api/auth/logout-all without the token leaves the sessions alive", async () => {
    const { userId, session } = await register();
    const res = await request("/api/auth/logout-all", "POST", session.cookie, {}, (h) => h.delete("x-csrf-token"));
    expect(res.status).toBe(403);
    expect((await userRow(userId))!.session_version).toBe(0);
    expect((await session.fetch("/api/auth/session")).status).toBe(200);
  });

  it("a bodyless POST (as the dashboard sends logout-all) passes with Origin + token and no Content-Type", async () => {
    const { userId, session } = await register();
    const headers = { origin: BASE, "x-csrf-token": TEST_CSRF, cookie: session.cookie };
    const res = await SELF.fetch(`${BASE}/api/auth/logout-all`, { method: "POST", headers });
    expect(res.status).toBe(204);
    expect((await userRow(userId))!.session_version).toBe(1);
    const noToken = await SELF.fetch(`${BASE}/api/auth/logout`, { method: "POST", headers: { origin: BASE, cookie: session.cookie } });
    expect(noToken.status).toBe(403);
  });

  it("GET /api/auth/csrf issues a token the double submit then accepts", async () => {
    const res = await SELF.fetch(`${BASE}/api/auth/csrf`);
    const { csrf } = (await res.json()) as { csrf: string };
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.headers.getSetCookie().join()).toContain(`__Host-csrf=${csrf}`);
    const login = await request("/api/auth/login", "POST", `__Host-csrf=${csrf}`, { email: uniqueEmail(), password: PASSWORD }, (h) => h.set("x-csrf-token", csrf));
    expect(login.status).toBe(401); // past CSRF: the unknown account is refused by the credentials check
  });
});
