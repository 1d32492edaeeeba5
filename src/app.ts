import { Hono } from "hono";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { SmartRouter } from "hono/router/smart-router";
import { TrieRouter } from "hono/router/trie-router";
import { cors } from "hono/cors";
import { secureHeaders } from "hono/secure-headers";
import { ApiError, type ErrorFormatEnv, handleError } from "./errors";
import { adminApi } from "./routes/admin";
import { authApi } from "./routes/auth";
import { billingApi } from "./routes/billing";
import { meApi } from "./routes/me";
import { orgsApi } from "./routes/orgs";
import { publicApi } from "./routes/public";
import { CachedRouter } from "./lib/cached-router";
import { retentionPeriods } from "./lib/retention-floors";
import { v1Api } from "./routes/v1";

/** CORS for the API routes (docs/compatibility.md#cors). Request headers are reflected (SDKs add their own). */
export const API_CORS = {
  origin: "*",
  allowMethods: ["GET", "POST", "OPTIONS"],
  exposeHeaders: [
    "x-request-id", "request-id", "retry-after", "x-gateway-model", "x-gateway-provider", "x-gateway-attempts", "x-gateway-dropped-params",
    "x-gateway-auto-model", "x-gateway-auto-reason", "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
    "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens",
  ],
  maxAge: 86400,
  credentials: false,
};

export function createApp() {
  // Hono's default router, with its answers cached per method and path (src/lib/cached-router.ts).
  const app = new Hono<ErrorFormatEnv>({ router: new CachedRouter(new SmartRouter({ routers: [new RegExpRouter(), new TrieRouter()] })) });
  app.use(secureHeaders());
  app.onError(handleError);
  // Retention settings below a promised floor (P19) stop the deployment from serving at all: every
  // request is refused with 503 retention_misconfigured naming the promise until the operator fixes them.
  app.use(async (c, next) => {
    retentionPeriods(c.env);
    await next();
  });
  app.notFound((c) => {
    throw new ApiError(404, "not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`);
  });
  // Browser apps call the API with a bearer key from any origin; never with cookies (no
  // Allow-Credentials), and preflights are answered (204) before any key check. The dashboard's
  // session routes (/api/me, /api/billing, /api/auth, /api/admin) get no CORS at all.
  app.use("/api/v1/*", cors(API_CORS));
  app.use("/v1/*", cors(API_CORS));
  const v1 = v1Api();
  app.route("/api/v1", v1);
  app.route("/v1", v1);
  app.route("/api/admin", adminApi());
  app.route("/api/auth", authApi());
  app.route("/api/me", meApi());
  app.route("/api/billing", billingApi());
  app.route("/api/orgs", orgsApi());
  app.route("/api/public", publicApi());
  app.get("/healthz", (c) => c.json({ ok: true, status: "ok", service: "edge-llm-gateway" }, 200, { "cache-control": "no-store" }));
  return app;
}
