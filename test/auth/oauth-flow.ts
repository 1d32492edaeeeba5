import { env, SELF } from "cloudflare:test";
import { expect } from "vitest";
import { readSession } from "../../src/auth/session";
import { BASE } from "../helpers/gateway";
import { SESSION_COOKIE } from "../helpers/session";
import type { Identity } from "../standin/oauth-identity";

export type { Identity };

/** Drives the OAuth flow: gateway start → stand-in authorize → gateway callback (test/standin/oauth.ts). */

export const OAUTH_COOKIE = "__Host-oauth";
export type Provider = "google" | "github";

let n = 0;
/** A fresh subject and email for one test. */
export function fresh(tag: string): { sub: string; email: string } {
  // Digits only and below 2^53: the GitHub stand-in serves the subject as a numeric id, like GitHub.
  const id = `${Date.now() % 1e9}${n++ % 100}${Math.floor(Math.random() * 1e4)}`;
  return { sub: id, email: `${tag}-${id}@example.test` };
}

/** name → value of every Set-Cookie in a response (an empty value = the cookie is deleted). */
export function setCookies(res: Response): Map<string, { value: string; raw: string }> {
  const out = new Map<string, { value: string; raw: string }>();
  for (const raw of res.headers.getSetCookie()) {
    const [pair = ""] = raw.split(";");
    const i = pair.indexOf("=");
    out.set(pair.slice(0, i), { value: pair.slice(i + 1), raw });
  }
  return out;
}

/** GET /api/auth/oauth/<p>/start?<query>; returns the provider URL and the oauth cookie pair. */
export async function start(provider: Provider | string, query = "") {
  const res = await SELF.fetch(`${BASE}/api/auth/oauth/${provider}/start${query ? `?${query}` : ""}`, { redirect: "manual" });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get("location")!);
  const cookie = setCookies(res).get(OAUTH_COOKIE);
  expect(cookie?.value).toBeTruthy();
  return { res, location, cookie: `${OAUTH_COOKIE}=${cookie!.value}`, rawCookie: cookie!.raw };
}

/** The stand-in's "consent" step: follows the authorize URL (with the chosen identity) once. */
export async function authorize(location: URL, identity: Identity, tweak?: (u: URL) => void): Promise<Response> {
  const url = new URL(location);
  url.searchParams.set("identity", btoa(JSON.stringify(identity)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
  tweak?.(url);
  return fetch(url, { redirect: "manual" });
}

/** The code and state the stand-in sent back to the gateway's callback. */
export async function consent(location: URL, identity: Identity, tweak?: (u: URL) => void): Promise<{ code: string; state: string; callback: URL }> {
  const res = await authorize(location, identity, tweak);
  expect(res.status).toBe(302);
  const callback = new URL(res.headers.get("location")!);
  return { code: callback.searchParams.get("code")!, state: callback.searchParams.get("state")!, callback };
}

/** GET the gateway's callback with the given query and cookie. */
export function callback(provider: Provider, query: Record<string, string>, cookie?: string): Promise<Response> {
  return SELF.fetch(`${BASE}/api/auth/oauth/${provider}/callback?${new URLSearchParams(query)}`, {
    redirect: "manual",
    headers: cookie ? { cookie } : {},
  });
}

/** The whole flow for one identity; `query` goes on the start request (redirect, terms). */
export async function signIn(provider: Provider, identity: Identity, query = ""): Promise<Response> {
  const s = await start(provider, query);
  const { code, state } = await consent(s.location, identity);
  return callback(provider, { code, state }, s.cookie);
}

export const TERMS = "accept_terms=1&confirm_age_18=1";

/** The Location of a redirect, relative to the gateway (path + query). */
export function landing(res: Response): string {
  expect(res.status).toBe(302);
  const url = new URL(res.headers.get("location")!, BASE);
  expect(url.origin).toBe(BASE);
  return `${url.pathname}${url.search}`;
}

/** Asserts a failed sign-in: 302 to `target`, no session cookie, the oauth cookie deleted. */
export function expectRefused(res: Response, target: string): void {
  expect(landing(res)).toBe(target);
  const cookies = setCookies(res);
  expect(cookies.has(SESSION_COOKIE)).toBe(false);
  expect(cookies.get(OAUTH_COOKIE)?.value).toBe("");
}

/** Asserts a successful sign-in into `userId` (or any user); returns the user id and a Cookie header. */
export async function expectSignedIn(res: Response, userId?: string): Promise<{ userId: string; cookie: string }> {
  const cookies = setCookies(res);
  const token = cookies.get(SESSION_COOKIE)?.value;
  expect(token).toBeTruthy();
  expect(cookies.get(SESSION_COOKIE)!.raw).toMatch(/HttpOnly/i);
  expect(cookies.get("__Host-csrf")?.value.length).toBeGreaterThanOrEqual(16);
  expect(cookies.get(OAUTH_COOKIE)?.value).toBe("");
  const claims = await readSession(env, token!);
  expect(claims).not.toBeNull();
  if (userId) expect(claims!.sub).toBe(userId);
  return { userId: claims!.sub, cookie: `${SESSION_COOKIE}=${token}` };
}

/** The session cookie is accepted by the session middleware (GET /api/auth/session). */
export async function expectSessionWorks(cookie: string, userId: string): Promise<void> {
  const res = await SELF.fetch(`${BASE}/api/auth/session`, { headers: { cookie } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { user: { id: string } };
  expect(body.user.id).toBe(userId);
}

export async function userByEmail(email: string) {
  return env.DB.prepare("SELECT * FROM users WHERE email = ?").bind(email).first<Record<string, unknown>>();
}

export async function links(userId: string): Promise<{ provider: string; subject: string }[]> {
  const r = await env.DB.prepare("SELECT provider, subject FROM oauth_accounts WHERE user_id = ? ORDER BY provider, subject").bind(userId).all<{ provider: string; subject: string }>();
  return r.results;
}
