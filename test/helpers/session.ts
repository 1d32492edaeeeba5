import { env, SELF } from "cloudflare:test";
import { issueSession } from "../../src/auth/session";
import { BASE, admin } from "./gateway";

/** A CSRF token the helpers send as both the cookie and the x-csrf-token header. */
export const TEST_CSRF = "test-csrf-token-0123456789abcdef";

export interface SessionUser {
  userId: string;
  email: string;
  /** The Cookie header value: session + CSRF cookie. */
  cookie: string;
  /** fetch against the gateway as this user: adds Cookie, Origin and x-csrf-token. */
  fetch(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
}

let n = 0;

/** Cookie names under the test config (Secure __Host- cookies). */
export const SESSION_COOKIE = "__Host-session";
export const CSRF_COOKIE = "__Host-csrf";

/** Builds a signed-in client from a session token (see sessionFor / signedInUser). */
export function sessionClient(userId: string, email: string, token: string): SessionUser {
  const cookie = `${SESSION_COOKIE}=${token}; ${CSRF_COOKIE}=${TEST_CSRF}`;
  return {
    userId, email, cookie,
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has("cookie")) headers.set("cookie", cookie);
      if (!headers.has("origin")) headers.set("origin", BASE);
      if (!headers.has("x-csrf-token")) headers.set("x-csrf-token", TEST_CSRF);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set("content-type", "application/json");
        body = JSON.stringify(init.json);
      }
      return SELF.fetch(`${BASE}${path}`, { ...init, headers, body });
    },
  };
}

/** A session for an existing user, minted directly (as sign-in would). */
export async function sessionFor(userId: string, email = ""): Promise<SessionUser> {
  const row = await env.DB.prepare("SELECT email, session_version FROM users WHERE id = ?").bind(userId).first<{ email: string; session_version: number }>();
  if (!row) throw new Error(`no user ${userId}`);
  const { token } = await issueSession(env, userId, row.session_version);
  return sessionClient(userId, email || row.email, token);
}

/** A new verified user (created through the operator API) with credits, signed in. */
export async function signedInUser(credits = "10.00", opts: { role?: "admin" } = {}): Promise<SessionUser> {
  const email = `s${Date.now()}-${n++}-${Math.random().toString(36).slice(2)}@example.test`;
  const res = await admin("/users", { method: "POST", json: { email } });
  if (res.status !== 201) throw new Error(`create user: ${res.status}`);
  const { id } = (await res.json()) as { id: string };
  if (credits !== "0") {
    const cr = await admin(`/users/${id}/credits`, { method: "POST", json: { amount_usd: credits, note: "test" } });
    if (cr.status !== 201) throw new Error(`credit: ${cr.status}`);
  }
  if (opts.role) await env.DB.prepare("UPDATE users SET role = ? WHERE id = ?").bind(opts.role, id).run();
  return sessionFor(id, email);
}
