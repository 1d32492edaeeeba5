import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { anon, login, outbox, register, tokenFromEmail, uniqueEmail } from "./helpers";

const NEW_PASSWORD = "a brand new passphrase 42";

const requestReset = (email: string) => anon("/api/auth/password-reset/request", { method: "POST", json: { email } });
const confirm = (token: string, password = NEW_PASSWORD) => anon("/api/auth/password-reset/confirm", { method: "POST", json: { token, password } });

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
    expect(await outbox(known.userId, "reset_password")).toHaveLength(1);
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
