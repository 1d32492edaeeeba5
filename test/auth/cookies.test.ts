import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE } from "../helpers/gateway";
import { CSRF_COOKIE, SESSION_COOKIE } from "../helpers/session";
import { anon, login, register, tokenFromEmail, uniqueEmail, userRow } from "./helpers";

/** The attributes of one Set-Cookie header, lower-cased names. */
function attributes(res: Response, name: string): Map<string, string> {
  const header = res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  expect(header, `Set-Cookie ${name}`).toBeDefined();
  return new Map(header!.split(";").slice(1).map((p) => {
    const [k, ...v] = p.trim().split("=");
    return [k!.toLowerCase(), v.join("=")];
  }));
}

const ALLOWED = new Set([SESSION_COOKIE, CSRF_COOKIE, "locale"]);
const names = (res: Response) => res.headers.getSetCookie().map((c) => c.slice(0, c.indexOf("=")));

describe("cookies", () => {
  it("the session cookie is __Host-, HttpOnly, Secure, SameSite=Lax, Path=/, without Domain", async () => {
    const email = uniqueEmail();
    expect((await anon("/api/auth/register", { method: "POST", json: { email, password: "long enough password", name: "C", accept_terms: true, confirm_age_18: true } })).status).toBe(202);
    const res = await login(email, "long enough password");
    const a = attributes(res, SESSION_COOKIE);
    expect([a.has("httponly"), a.has("secure"), a.get("samesite"), a.get("path"), a.has("domain")]).toEqual([true, true, "Lax", "/", false]);
    expect(Number(a.get("max-age"))).toBe(168 * 3600); // SESSION_TTL_HOURS default
  });

  it("the CSRF cookie is readable by the page (not HttpOnly) and otherwise as strict", async () => {
    const res = await SELF.fetch(`${BASE}/api/auth/csrf`);
    const a = attributes(res, CSRF_COOKIE);
    expect([a.has("httponly"), a.has("secure"), a.get("samesite"), a.get("path"), a.has("domain")]).toEqual([false, true, "Lax", "/", false]);
  });

  it("PUT /api/auth/locale sets the locale cookie to en, zh-TW or zh-CN, and stores it for a signed-in user", async () => {
    for (const locale of ["en", "zh-TW", "zh-CN"]) {
      const res = await anon("/api/auth/locale", { method: "PUT", json: { locale } });
      expect(res.status).toBe(204);
      expect(res.headers.getSetCookie().find((c) => c.startsWith("locale="))!.split(";")[0]).toBe(`locale=${locale}`);
      expect(attributes(res, "locale").has("httponly")).toBe(false);
    }
    const bad = await anon("/api/auth/locale", { method: "PUT", json: { locale: "fr" } });
    expect(bad.status).toBe(400);
    expect(bad.headers.getSetCookie()).toEqual([]);
    const { userId, session } = await register();
    expect((await session.fetch("/api/auth/locale", { method: "PUT", json: { locale: "zh-CN" } })).status).toBe(204);
    expect((await userRow(userId))!.locale).toBe("zh-CN");
  });

  it("logout clears the session cookie", async () => {
    const { session } = await register();
    const res = await session.fetch("/api/auth/logout", { method: "POST", json: {} });
    expect(res.status).toBe(204);
    expect(attributes(res, SESSION_COOKIE).get("max-age")).toBe("0");
  });

  it("no auth route sets any other cookie (no tracking cookies)", async () => {
    const { userId, email, password, session } = await register();
    const responses: Response[] = [
      await SELF.fetch(`${BASE}/api/auth/csrf`),
      await SELF.fetch(`${BASE}/api/auth/config`),
      await anon("/api/auth/register", { method: "POST", json: { email: uniqueEmail(), password, name: "N", accept_terms: true, confirm_age_18: true } }),
      await login(email, password),
      await login(email, "wrong password"),
      await session.fetch("/api/auth/session"),
      await session.fetch("/api/auth/resend-verification", { method: "POST", json: {} }),
      await anon("/api/auth/verify-email", { method: "POST", json: { token: await tokenFromEmail(userId, "verify_email") } }),
      await anon("/api/auth/password-reset/request", { method: "POST", json: { email } }),
      await anon("/api/auth/password-reset/confirm", { method: "POST", json: { token: await tokenFromEmail(userId, "reset_password"), password: "another long one" } }),
      await anon("/api/auth/locale", { method: "PUT", json: { locale: "en" } }),
      await session.fetch("/api/auth/logout", { method: "POST", json: {} }),
      await (await register()).session.fetch("/api/auth/logout-all", { method: "POST", json: {} }),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 202, 200, 401, 200, 202, 200, 202, 204, 204, 204, 204]);
    const seen = new Set(responses.flatMap(names));
    expect([...seen].filter((n) => !ALLOWED.has(n))).toEqual([]);
    expect(seen).toEqual(ALLOWED);
  });
});
