import { env, SELF } from "cloudflare:test";
import { expect } from "vitest";
import { deliverDue } from "../../src/email/deliver";
import type { EmailTemplate } from "../../src/email/outbox";
import { renderEmail } from "../../src/email/templates";
import { BASE } from "../helpers/gateway";
import { CSRF_COOKIE, SESSION_COOKIE, sessionFor, TEST_CSRF, type SessionUser } from "../helpers/session";

export const PASSWORD = "correct horse battery staple";

let n = 0;
export const uniqueEmail = (tag = "a") => `${tag}${Date.now()}-${n++}-${Math.random().toString(36).slice(2, 8)}@example.test`;

export interface AnonInit extends RequestInit { json?: unknown; ip?: string; cookie?: string }

/** A browser without a session: Origin + the CSRF cookie and header (the double submit), optional client IP. */
export function anon(path: string, init: AnonInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has("origin")) headers.set("origin", BASE);
  if (!headers.has("x-csrf-token")) headers.set("x-csrf-token", TEST_CSRF);
  headers.set("cookie", [`${CSRF_COOKIE}=${TEST_CSRF}`, init.cookie].filter(Boolean).join("; "));
  if (init.ip) headers.set("cf-connecting-ip", init.ip);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  }
  return SELF.fetch(`${BASE}${path}`, { ...init, headers, body });
}

/** name → value of every Set-Cookie of a response. */
export function setCookies(res: Response): Map<string, string> {
  return new Map(res.headers.getSetCookie().map((c) => {
    const [pair] = c.split(";");
    const i = pair!.indexOf("=");
    return [pair!.slice(0, i), pair!.slice(i + 1)];
  }));
}

export interface Registered { userId: string; email: string; password: string; session: SessionUser }

/**
 * Signs up through POST /api/auth/register (202, no session: the answer is the same for a taken
 * address), then mints a session for the new user as signing in would (without a sign-in row in
 * the security log). Returns the new user and a client with its session.
 */
export async function register(extra: Record<string, unknown> = {}, ip?: string): Promise<Registered> {
  const email = uniqueEmail("r");
  const res = await anon("/api/auth/register", {
    method: "POST", ip,
    json: { email, password: PASSWORD, name: "Ada", accept_terms: true, confirm_age_18: true, ...extra },
  });
  expect(res.status).toBe(202);
  expect(setCookies(res).has(SESSION_COOKIE)).toBe(false);
  const row = await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(email).first<{ id: string }>();
  expect(row).toBeTruthy();
  const session = await sessionFor(row!.id, email);
  return { userId: row!.id, email, password: PASSWORD, session };
}

/** register(), then follows the emailed verification link. */
export async function registerVerified(extra: Record<string, unknown> = {}): Promise<Registered> {
  const r = await register(extra);
  const res = await anon("/api/auth/verify-email", { method: "POST", json: { token: await tokenFromEmail(r.userId, "verify_email") } });
  expect(res.status).toBe(200);
  return r;
}

export interface OutboxRow { id: string; to_address: string; template: string; data: string; attempts: number; sent_at: number | null; last_error: string | null; next_attempt_at: number }

export async function outbox(userId: string, template?: string): Promise<OutboxRow[]> {
  const q = template
    ? env.DB.prepare("SELECT * FROM email_outbox WHERE user_id = ? AND template = ? ORDER BY created_at, id").bind(userId, template)
    : env.DB.prepare("SELECT * FROM email_outbox WHERE user_id = ? ORDER BY created_at, id").bind(userId);
  return (await q.all<OutboxRow>()).results;
}

/**
 * What the console sender printed (EMAIL_API_URL is unset in tests), oldest first. A sent outbox
 * row no longer holds its link (deliverDue removes it), so the mailed links are read from here.
 */
const printed: { to: string; subject: string; link: string }[] = [];
const log = console.log.bind(console);
console.log = (...args: unknown[]) => {
  const m = /📧 To: (.+)\n📧 Subject: (.+)\n📧 Link: (\S+)/.exec(args.map(String).join(" "));
  if (m) printed.push({ to: m[1]!, subject: m[2]!, link: m[3]! });
  log(...args);
};

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Every link mailed to a user with a template, in the order sent, as the user would click them.
 * Waits until there is at least one such mail and all of them are sent (flushing the outbox itself too).
 */
export async function mailedLinks(userId: string, template: EmailTemplate): Promise<string[]> {
  const { subject } = renderEmail(template, {}, null);
  for (let i = 0; i < 250; i++) {
    await deliverDue(env);
    const rows = await outbox(userId, template);
    if (rows.length > 0 && rows.every((r) => r.sent_at !== null)) {
      const to = new Set(rows.map((r) => r.to_address));
      return printed.filter((p) => to.has(p.to) && p.subject === subject).map((p) => p.link);
    }
    await pause(20);
  }
  throw new Error(`no ${template} mail sent to ${userId}`);
}

/** The token of the newest email of a template (from its link), as the user would click it. */
export async function tokenFromEmail(userId: string, template: EmailTemplate): Promise<string> {
  const link = (await mailedLinks(userId, template)).at(-1);
  expect(link).toBeTruthy();
  return new URL(link!).searchParams.get("token")!;
}

export async function userRow(userId: string) {
  return env.DB.prepare("SELECT * FROM users WHERE id = ?").bind(userId).first<Record<string, unknown>>();
}

export function login(email: string, password: string, ip?: string): Promise<Response> {
  return anon("/api/auth/login", { method: "POST", ip, json: { email, password } });
}
