import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { BaseEnv, Env } from "../env";
import { authConfig } from "./config";

/**
 * Cookie names and attributes. In production every cookie is `__Host-` (Secure, Path=/, no Domain).
 * Browsers treat http://localhost as secure, so `wrangler dev` works as is; for plain http on another
 * host, INSECURE_DEV_COOKIES=on drops the prefix and the Secure flag.
 */
function names(env: Env) {
  const insecure = authConfig(env).insecureCookies;
  const prefix = insecure ? "" : "__Host-";
  return { session: `${prefix}session`, csrf: `${prefix}csrf`, secure: !insecure };
}

/** The locale cookie: readable by the dashboard, not a secret. */
export const LOCALE_COOKIE = "locale";
export const LOCALES = ["en", "zh-TW", "zh-CN"] as const;
export type Locale = (typeof LOCALES)[number];


export function readSessionCookie<E extends BaseEnv>(c: Context<E>): string | undefined {
  return getCookie(c, names(c.env).session);
}

export function setSessionCookie<E extends BaseEnv>(c: Context<E>, token: string, maxAge: number): void {
  const n = names(c.env);
  setCookie(c, n.session, token, { path: "/", httpOnly: true, secure: n.secure, sameSite: "Lax", maxAge });
}

export function clearSessionCookie<E extends BaseEnv>(c: Context<E>): void {
  const n = names(c.env);
  deleteCookie(c, n.session, { path: "/", secure: n.secure });
}

export function readCsrfCookie<E extends BaseEnv>(c: Context<E>): string | undefined {
  return getCookie(c, names(c.env).csrf);
}

/** The CSRF cookie is readable by the dashboard's script (double submit: it echoes it in x-csrf-token). */
export function setCsrfCookie<E extends BaseEnv>(c: Context<E>, token: string): void {
  const n = names(c.env);
  setCookie(c, n.csrf, token, { path: "/", httpOnly: false, secure: n.secure, sameSite: "Lax", maxAge: 7 * 86400 });
}

export function setLocaleCookie<E extends BaseEnv>(c: Context<E>, locale: Locale): void {
  setCookie(c, LOCALE_COOKIE, locale, { path: "/", httpOnly: false, secure: names(c.env).secure, sameSite: "Lax", maxAge: 365 * 86400 });
}
