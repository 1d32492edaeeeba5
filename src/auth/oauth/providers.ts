import type { Env } from "../../env";
import { ApiError } from "../../errors";
import { settings } from "../../lib/settings";

export const OAUTH_PROVIDERS = ["google", "github"] as const;
export type OAuthProviderName = (typeof OAUTH_PROVIDERS)[number];

interface Common {
  clientId: string;
  clientSecret: string;
  authUrl: string;
  tokenUrl: string;
  /** Space-separated scopes sent on the authorization request. */
  scope: string;
}

export interface GoogleConfig extends Common {
  name: "google";
  jwksUrl: string;
  /** Accepted `iss` values of the id_token. */
  issuers: string[];
}

export interface GithubConfig extends Common {
  name: "github";
  /** REST API base, without a trailing slash (GET /user, /user/emails). */
  apiUrl: string;
}

export type ProviderConfig = GoogleConfig | GithubConfig;

const GOOGLE_ISSUER = "https://accounts.google.com";

/**
 * The provider's settings from env, or null when it is off: a provider is on only when both its
 * client id and secret are set. Endpoints default to the real Google and GitHub ones; the
 * OAUTH_*_URL / OAUTH_GOOGLE_ISSUER overrides exist for tests and local stand-ins.
 */
export function oauthProvider(env: Env, name: string): ProviderConfig | null {
  if (name === "google") {
    const s = settings(env);
    const clientId = s.OAUTH_GOOGLE_CLIENT_ID;
    const clientSecret = env.OAUTH_GOOGLE_CLIENT_SECRET;
    if (!clientId || !clientSecret) return null;
    const issuer = s.OAUTH_GOOGLE_ISSUER;
    return {
      name, clientId, clientSecret,
      authUrl: s.OAUTH_GOOGLE_AUTH_URL,
      tokenUrl: s.OAUTH_GOOGLE_TOKEN_URL,
      jwksUrl: s.OAUTH_GOOGLE_JWKS_URL,
      // Google documents both spellings of its issuer; an override is taken literally.
      issuers: issuer === GOOGLE_ISSUER ? [GOOGLE_ISSUER, "accounts.google.com"] : [issuer],
      scope: "openid email profile",
    };
  }
  if (name === "github") {
    const s = settings(env);
    const clientId = s.OAUTH_GITHUB_CLIENT_ID;
    const clientSecret = env.OAUTH_GITHUB_CLIENT_SECRET;
    if (!clientId || !clientSecret) return null;
    return {
      name, clientId, clientSecret,
      authUrl: s.OAUTH_GITHUB_AUTH_URL,
      tokenUrl: s.OAUTH_GITHUB_TOKEN_URL,
      apiUrl: s.OAUTH_GITHUB_API_URL.replace(/\/+$/, ""),
      scope: "read:user user:email",
    };
  }
  return null;
}

/** Which providers are on, for GET /api/auth/config. */
export function enabledProviders(env: Env): Record<OAuthProviderName, boolean> {
  return { google: oauthProvider(env, "google") !== null, github: oauthProvider(env, "github") !== null };
}

/**
 * The one redirect URI per provider. It is sent byte-for-byte the same on the authorization and the
 * token request, and must be registered exactly like this with the provider (docs/accounts.md).
 */
export function redirectUri(appOrigin: string, provider: OAuthProviderName): string {
  return `${appOrigin}/api/auth/oauth/${provider}/callback`;
}

/** What the gateway needs from a provider after a successful exchange. */
export interface ProviderIdentity {
  provider: OAuthProviderName;
  /** The provider's stable account id (Google `sub`, GitHub numeric `id`). */
  subject: string;
  /** Lower-cased; always an address the provider says is verified. */
  email: string;
  name: string | null;
}

/**
 * A sign-in failure. The callback turns it into `302 /signin?error=<code>` (the status is unused
 * there); it stays an ApiError so there is one error type.
 */
export function oauthFailure(code: string, message: string): ApiError {
  return new ApiError(400, code, message);
}

/** Provider calls must not hang the callback. */
export const PROVIDER_TIMEOUT_MS = 10_000;
