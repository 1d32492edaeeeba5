import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import type { Env } from "../../src/env";
import { CSRF_COOKIE, TEST_CSRF } from "../helpers/session";
import { mailedLinks, outbox, PASSWORD, register, uniqueEmail } from "./helpers";

const EVIL = "http://evil.example";
const PRODUCTION = { ...env, DEMO_PROVIDER: "off", LOCAL_DEV: undefined, APP_ORIGIN: undefined } as Env;

/** A request sent straight to the worker with a forged Host (the URL's host is what the worker sees). */
async function evilHost(path: string, json: unknown, overrides: Env): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(new Request(`${EVIL}${path}`, {
    method: "POST",
    headers: { origin: EVIL, "x-csrf-token": TEST_CSRF, cookie: `${CSRF_COOKIE}=${TEST_CSRF}`, "content-type": "application/json" },
    body: JSON.stringify(json),
  }), overrides, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function resetTokens(userId: string): Promise<number> {
  return (await env.DB.prepare("SELECT count(*) AS n FROM auth_tokens WHERE user_id = ? AND purpose = 'reset_password'").bind(userId).first<number>("n"))!;
}

describe("host-header poisoning: mail links never come from the request's Host in production", () => {
  it("without APP_ORIGIN outside local dev, a reset request with Host evil.example is refused (503) and nothing is mailed", async () => {
    const { userId, email } = await register();
    const res = await evilHost("/api/auth/password-reset/request", { email }, PRODUCTION);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("app_origin_not_configured");
    expect(await resetTokens(userId)).toBe(0);
    expect(await outbox(userId, "reset_password")).toEqual([]);
    // An unknown address answers the same (no enumeration through the refusal).
    expect((await evilHost("/api/auth/password-reset/request", { email: uniqueEmail("ghost") }, PRODUCTION)).status).toBe(503);
  });

  it("without APP_ORIGIN outside local dev, sign-up with Host evil.example writes nothing", async () => {
    const email = uniqueEmail("evil");
    const res = await evilHost("/api/auth/register", { email, password: PASSWORD, name: "Eve", accept_terms: true, confirm_age_18: true }, PRODUCTION);
    expect(res.status).toBe(503);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM users WHERE email = ?").bind(email).first("n")).toBe(0);
  });

  it("with APP_ORIGIN set, a reset request with Host evil.example mails a link to APP_ORIGIN only", async () => {
    const { userId, email } = await register();
    const res = await evilHost("/api/auth/password-reset/request", { email }, { ...PRODUCTION, APP_ORIGIN: "https://gateway.example/" } as Env);
    expect(res.status).toBe(202);
    const links = await mailedLinks(userId, "reset_password");
    expect(links).toHaveLength(1);
    expect(links[0]!.startsWith("https://gateway.example/reset-password?token=")).toBe(true);
    expect(links.join(" ")).not.toContain("evil.example");
  });
});
