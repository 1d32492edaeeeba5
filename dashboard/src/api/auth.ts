// /api/auth — one function per route of docs/api.md.
import { call, withQuery } from "./client";
import type { AuthConfig, Locale, RegisterBody, User } from "./types";

const A = "/api/auth";

export const getCsrf = () => call<{ csrf: string }>("GET", `${A}/csrf`);
export const getAuthConfig = () => call<AuthConfig>("GET", `${A}/config`);
/** Sign-up answers 202 whether the address was free or not; the user confirms the address, then signs in. */
export const register = (body: RegisterBody) => call<void>("POST", `${A}/register`, body);
export const login = (email: string, password: string) => call<{ user: User }>("POST", `${A}/login`, { email, password });
export const logout = () => call<void>("POST", `${A}/logout`);
export const logoutAll = () => call<void>("POST", `${A}/logout-all`);
export const getSession = () => call<{ user: User }>("GET", `${A}/session`);
export const verifyEmail = (token: string) => call<{ verified: true }>("POST", `${A}/verify-email`, { token });
export const resendVerification = () => call<void>("POST", `${A}/resend-verification`);
export const requestPasswordReset = (email: string) => call<void>("POST", `${A}/password-reset/request`, { email });
export const confirmPasswordReset = (token: string, password: string) => call<void>("POST", `${A}/password-reset/confirm`, { token, password });
export const putLocale = (locale: Locale) => call<void>("PUT", `${A}/locale`, { locale });
/** A full-page navigation (302 to the provider), not a fetch. */
export const oauthStartUrl = (provider: "google" | "github", redirect = "/") => withQuery(`${A}/oauth/${provider}/start`, { redirect });
