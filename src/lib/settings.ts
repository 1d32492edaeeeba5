import { z } from "zod";
import type { Env } from "../env";
import { nano, parseUsd, type Nano } from "./money";

/**
 * The one typed settings module: every var of the deployment (wrangler.toml `[vars]`, `.dev.vars`)
 * is read here, through one zod schema, with its default. Bindings and secrets (API keys, signing
 * keys, tokens) stay on `env`. README.md's "Settings" table lists exactly these names with exactly
 * these defaults (test/architecture/settings.node-test.mjs checks both ways). Each default is
 * written once, as the var's text, and kept in the schema's metadata (`meta().default`) for that check.
 *
 * Reading is forgiving, as it always was: an unset, empty or malformed var falls back to its
 * default; it never stops the worker. The retention periods are the exception: they are promises
 * (P19), so their text is kept as given and src/lib/retention-floors.ts refuses what breaks one.
 */

const CENT_NANO = 10_000_000;
/** A var's text: unset and empty are the same (the default applies); a non-string (a test's number) is read as its text. */
const blankIsUnset = (value: unknown) => (value === undefined || value === null || value === "" ? undefined : String(value));
const documented = (value: string | undefined) => ({ default: value });

/** A whole number of at least `min`; unset, empty, malformed or smaller gives the default. */
const whole = (fallback: number, min: number) =>
  z.preprocess(blankIsUnset, z.coerce.number().int().min(min).max(Number.MAX_SAFE_INTEGER).default(fallback)).catch(fallback)
    .meta(documented(String(fallback)));

/** "on" or anything else (off). */
const flag = () => z.preprocess(blankIsUnset, z.string().default("off")).catch("off").transform((v) => v === "on").meta(documented("off"));

/** Free text; unset or empty gives the default. */
const text = (fallback: string) => z.preprocess(blankIsUnset, z.string().default(fallback)).catch(fallback).meta(documented(fallback));

/** Free text without a default (the feature it configures is off, or another default applies). */
const optionalText = () => z.preprocess(blankIsUnset, z.string().optional()).catch(undefined).meta(documented(undefined));

/** An amount too large for an exact number (over 9,007,199 USD) is as malformed as "abc". */
const safe = (n: Nano | null) => (n !== null && Number.isSafeInteger(n) ? n : null);

/** A USD amount in nUSD, read with `accept`; unset, empty, out of range or not accepted gives the default. */
const usd = (fallback: string, accept: (nano: Nano | null) => Nano | null) => {
  const fallbackNano = accept(parseUsd(fallback)) ?? nano(0);
  return z.preprocess(blankIsUnset, z.string().default(fallback)).catch(fallback)
    .transform((v) => accept(safe(parseUsd(v))) ?? fallbackNano).meta(documented(fallback));
};

/** A positive amount in whole cents (top-up bounds and presets), or null. */
const positiveCents = (n: Nano | null) => (n !== null && n > 0 && n % CENT_NANO === 0 ? n : null);

/** Retention days: the text as given (checked against its promise by src/lib/retention-floors.ts). */
const days = (fallback: string | undefined) =>
  z.preprocess(blankIsUnset, fallback === undefined ? z.string().optional() : z.string().default(fallback)).meta(documented(fallback));

export const settingsSchema = z.object({
  DEMO_PROVIDER: flag(),
  LOCAL_DEV: flag(),
  MAX_BODY_BYTES: whole(5 * 1024 * 1024, 1024),
  UPSTREAM_TIMEOUT_MS: whole(60_000, 1),
  REQUEST_DEADLINE_MS: whole(120_000, 1),
  RESERVATION_TTL_SECONDS: whole(900, 1),
  // A negative overdraft limit is read as 0 (no overdraft), a malformed one as the default.
  OVERDRAFT_LIMIT_USD: usd("0.05", (n) => (n === null ? null : nano(Math.max(0, n)))),
  DEFAULT_OUTPUT_ALLOWANCE: whole(4096, 1),
  DEFAULT_KEY_RPM: whole(600, 1),
  DEFAULT_KEY_TPM: whole(2_000_000, 1),
  LEGACY_UNTAGGED_KEYS: flag(),
  // Basis points of the catalog price charged for a request served with the wallet's own provider key (capped at 10,000 by src/config.ts).
  BYOK_FEE_BPS: whole(500, 0),

  SESSION_TTL_HOURS: whole(168, 1),
  APP_ORIGIN: optionalText(),
  INSECURE_DEV_COOKIES: flag(),
  TERMS_VERSION: text("2026-11-01"),
  SIGNIN_MAX_FAILURES_PER_ACCOUNT: whole(5, 1),
  SIGNIN_MAX_FAILURES_PER_IP: whole(20, 1),

  OAUTH_GOOGLE_CLIENT_ID: optionalText(),
  OAUTH_GOOGLE_AUTH_URL: text("https://accounts.google.com/o/oauth2/v2/auth"),
  OAUTH_GOOGLE_TOKEN_URL: text("https://oauth2.googleapis.com/token"),
  OAUTH_GOOGLE_JWKS_URL: text("https://www.googleapis.com/oauth2/v3/certs"),
  OAUTH_GOOGLE_ISSUER: text("https://accounts.google.com"),
  OAUTH_GITHUB_CLIENT_ID: optionalText(),
  OAUTH_GITHUB_AUTH_URL: text("https://github.com/login/oauth/authorize"),
  OAUTH_GITHUB_TOKEN_URL: text("https://github.com/login/oauth/access_token"),
  OAUTH_GITHUB_API_URL: text("https://api.github.com"),

  // The usage data plane (docs/capacity.md): days of raw usage records a wallet keeps; "on" also copies them to D1.
  USAGE_RECENT_DAYS: whole(30, 1),
  USAGE_D1_MIRROR: flag(),

  EMAIL_API_URL: optionalText(),
  EMAIL_FROM: text("LLM Gateway <no-reply@localhost>"),
  RIGHTS_DESK_EMAIL: optionalText(),

  // Unset, the usage logs are kept for the policy's floor (365 days, or 90 under "90-days").
  RETENTION_USAGE_DAYS: days(undefined),
  RETENTION_SECURITY_DAYS: days("180"),
  RETENTION_TRANSACTIONS_DAYS: days("1825"),
  RETENTION_UNVERIFIED_DAYS: days("30"),
  RETENTION_DELETED_DAYS: days("30"),
  RETENTION_USAGE_POLICY: z.preprocess(blankIsUnset, z.string().default("12-months")).meta(documented("12-months")),

  STRIPE_API_BASE: optionalText(),
  // A malformed or negative sign-up credit is no credit.
  SIGNUP_CREDIT_USD: usd("0", (n) => (n !== null && n > 0 ? n : null)),
  TOPUP_MIN_USD: usd("5", positiveCents),
  TOPUP_MAX_USD: usd("1000", positiveCents),
  // Each preset that is not a positive amount in whole cents is dropped (src/billing/topup-config.ts).
  TOPUP_PRESETS_USD: z.preprocess(blankIsUnset, z.string().default("5,10,25,50,100")).catch("5,10,25,50,100")
    .transform((v) => v.split(",").map((p) => positiveCents(safe(parseUsd(p.trim()))))).meta(documented("5,10,25,50,100")),
  REFUND_WINDOW_DAYS: whole(30, 0),
});

export type Settings = z.output<typeof settingsSchema>;

const NAMES = Object.keys(settingsSchema.shape) as (keyof Settings)[];
const cache = new WeakMap<Env, { raw: unknown[]; parsed: Settings }>();

/**
 * The deployment's settings, parsed once per env object (a Worker's env is fixed for the life of
 * its isolate). Each call only compares the vars with the ones parsed (no allocation), so an env
 * changed in place (a test setting SIGNUP_CREDIT_USD for a while) is parsed again.
 */
export function settings(env: Env): Settings {
  const vars = env as unknown as Record<string, unknown>;
  const cached = cache.get(env);
  if (cached && NAMES.every((name, i) => vars[name] === cached.raw[i])) return cached.parsed;
  const parsed = settingsSchema.parse(env);
  cache.set(env, { raw: NAMES.map((name) => vars[name]), parsed });
  return parsed;
}
