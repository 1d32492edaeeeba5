import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import type { Env } from "../../src/env";
import { BASE } from "../helpers/gateway";
import { CSRF_COOKIE, TEST_CSRF } from "../helpers/session";
import { gatedDb } from "./gated-db";
import { anon, login, outbox, pause, register, tokenFromEmail, uniqueEmail } from "./helpers";

const NEW_PASSWORD = "a brand new passphrase 42";

const requestReset = (email: string) => anon("/api/auth/password-reset/request", { method: "POST", json: { email } });
const confirm = (token: string, password = NEW_PASSWORD) => anon("/api/auth/password-reset/confirm", { method: "POST", json: { token, password } });

/** The link is made after the 202: waits until the user has `count` reset emails queued. */
async function resetMails(userId: string, count: number) {
  for (let i = 0; i < 250 && (await outbox(userId, "reset_password")).length < count; i++) await pause(20);
  return outbox(userId, "reset_password");
}

/** Everything but the Date header, which differs by the second. */
const headersOf = (res: Response) => [...res.headers].filter(([name]) => name !== "date");

async function errorCode(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

describe("password reset", () => {
  it("answers 202 with the same empty body for unknown accounts, and sends them nothing", async () => {
    const known = await register();
    const ghost = uniqueEmail("ghost");
    const a = await requestReset(known.email);
    const b = await requestReset(ghost);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect([await a.text(), await b.text()]).toEqual(["", ""]);
    expect(headersOf(a)).toEqual(headersOf(b));
    expect(await resetMails(known.userId, 1)).toHaveLength(1);
    const toGhost = await env.DB.prepare("SELECT count(*) AS n FROM email_outbox WHERE to_address = ?").bind(ghost).first<{ n: number }>();
    expect(toGhost!.n).toBe(0);
  });

  it("the link sets the new password once, ends every session and is logged", async () => {
    const { userId, email, password, session } = await register();
    expect((await session.fetch("/api/auth/session")).status).toBe(200);
    await requestReset(email.toUpperCase()); // the address is matched case-insensitively
    const token = await tokenFromEmail(userId, "reset_password");
    expect((await confirm(token)).status).toBe(204);

    expect((await session.fetch("/api/auth/session")).status).toBe(401);
    expect((await login(email, password)).status).toBe(401);
    expect((await login(email, NEW_PASSWORD)).status).toBe(200);

    const again = await confirm(token, "yet another passphrase");
    expect(again.status).toBe(400);
    expect(await errorCode(again)).toBe("invalid_token");
    expect((await login(email, NEW_PASSWORD)).status).toBe(200);

    const kinds = await env.DB.prepare("SELECT kind FROM security_events WHERE user_id = ? AND kind LIKE 'password_reset%' ORDER BY created_at").bind(userId).all<{ kind: string }>();
    expect(kinds.results.map((r) => r.kind)).toEqual(["password_reset_requested", "password_reset"]);
  });

  it("refuses an expired link, and a link replaced by a newer request", async () => {
    const { userId, email, password } = await register();
    await requestReset(email);
    const first = await tokenFromEmail(userId, "reset_password");
    await requestReset(email);
    await resetMails(userId, 2);
    const second = await tokenFromEmail(userId, "reset_password");
    expect(second).not.toBe(first);
    expect(await errorCode(await confirm(first))).toBe("invalid_token");

    await env.DB.prepare("UPDATE auth_tokens SET expires_at = ? WHERE user_id = ? AND purpose = 'reset_password'").bind(Date.now() - 1, userId).run();
    const expired = await confirm(second);
    expect(expired.status).toBe(400);
    expect((await login(email, password)).status).toBe(200); // unchanged
  });

  it("applies the password policy to the new password", async () => {
    const { userId, email } = await register();
    await requestReset(email);
    const res = await confirm(await tokenFromEmail(userId, "reset_password"), "short");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { param: string } }).error.param).toBe("password");
  });
});

describe("password reset request timing", () => {
  it("answers a known address before its token, email and log entry are written (they follow in the background)", async () => {
    const { userId, email } = await register();
    // Writes to these tables wait until open(): the answer must not depend on them.
    const { db, open } = gatedDb(env.DB, /auth_tokens|email_outbox|security_events/);
    const ctx = createExecutionContext();
    const answer = createApp().fetch(new Request(`${BASE}/api/auth/password-reset/request`, {
      method: "POST",
      headers: { origin: BASE, "x-csrf-token": TEST_CSRF, cookie: `${CSRF_COOKIE}=${TEST_CSRF}`, "content-type": "application/json" },
      body: JSON.stringify({ email }),
    }), { ...env, DB: db } as Env, ctx);
    const res = await Promise.race([answer, pause(3_000).then(() => null)]);
    try {
      expect(res?.status).toBe(202);
      expect(await env.DB.prepare("SELECT count(*) AS n FROM auth_tokens WHERE user_id = ? AND purpose = 'reset_password'").bind(userId).first("n")).toBe(0);
    } finally {
      open();
    }
    await waitOnExecutionContext(ctx);
    expect(await outbox(userId, "reset_password")).toHaveLength(1);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM auth_tokens WHERE user_id = ? AND purpose = 'reset_password' AND used_at IS NULL").bind(userId).first("n")).toBe(1);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM security_events WHERE user_id = ? AND kind = 'password_reset_requested'").bind(userId).first("n")).toBe(1);
  });
});
