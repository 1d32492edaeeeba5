import { Hono } from "hono";
import { authConfig } from "../../auth/config";
import { LOCALES } from "../../auth/cookies";
import { enabledProviders } from "../../auth/oauth/providers";
import type { BaseEnv } from "../../env";

/** GET /api/auth/config — what the sign-in and sign-up pages need to know about this deployment. */
export const configRoute = new Hono<BaseEnv>().get("/config", (c) =>
  c.json({
    // A provider is on only with both its client id and secret (src/auth/oauth/providers.ts).
    providers: enabledProviders(c.env),
    terms_version: authConfig(c.env).termsVersion,
    locales: LOCALES,
    stripe: Boolean(c.env.STRIPE_SECRET_KEY),
  }),
);
