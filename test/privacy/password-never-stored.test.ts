import { afterEach, describe, expect, it } from "vitest";
import { anon, login, register, tokenFromEmail, userRow } from "../auth/helpers";
import { captureConsole, scanD1, scanDO } from "./scan";

// P21: a password is never stored in plain text. Every password this user ever types (at sign-up,
// a wrong one at sign-in, the new one of a change, the one chosen through a reset) carries one
// marker; afterwards no D1 row (any table, any column), no row or entry of the user's Durable
// Object and no console line holds it, and users.password_hash is a PBKDF2 hash.

const MARKER = `PW${crypto.randomUUID().replaceAll("-", "")}`;
const password = (tag: string) => `${MARKER}-${tag}-Secret!`;

let capture: ReturnType<typeof captureConsole> | null = null;
afterEach(() => {
  capture?.restore();
  capture = null;
});

describe("P21: the password is never stored in plain text", () => {
  it("sign-up, sign-in (right and wrong), change and reset leave the password in no table, DO or log", async () => {
    capture = captureConsole();
    const r = await register({ password: password("signup") });

    expect((await login(r.email, password("signup"))).status).toBe(200);
    expect((await login(r.email, password("wrong"))).status).toBe(401);

    const changed = await r.session.fetch("/api/me/password", { method: "POST", json: { current_password: password("signup"), new_password: password("changed") } });
    expect(changed.status).toBe(204);
    expect((await login(r.email, password("changed"))).status).toBe(200);

    expect((await anon("/api/auth/password-reset/request", { method: "POST", json: { email: r.email } })).status).toBe(202);
    const token = await tokenFromEmail(r.userId, "reset_password");
    expect((await anon("/api/auth/password-reset/confirm", { method: "POST", json: { token, password: password("reset") } })).status).toBe(204);
    // The flow really ran: only the last password works now.
    expect((await login(r.email, password("reset"))).status).toBe(200);
    expect((await login(r.email, password("changed"))).status).toBe(401);

    const hash = String((await userRow(r.userId))!.password_hash);
    expect(hash.startsWith("pbkdf2-sha256$")).toBe(true);
    expect(hash).not.toContain(MARKER);

    const d1 = await scanD1(MARKER);
    expect(d1.tables).toEqual(expect.arrayContaining(["users", "security_events", "auth_tokens", "email_outbox", "audit_log", "throttles"]));
    expect(d1.rows).toBeGreaterThan(0);
    expect(d1.hits).toEqual([]);

    const dobj = await scanDO(r.userId, MARKER);
    expect(dobj.tables).toEqual(expect.arrayContaining(["account", "ledger"]));
    expect(dobj.hits).toEqual([]);

    expect(capture.lines(MARKER)).toEqual([]);
  });
});
