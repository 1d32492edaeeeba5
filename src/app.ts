import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { Env } from "./env";
import { ApiError, handleError } from "./errors";
import { adminApi } from "./routes/admin";
import { authApi } from "./routes/auth";
import { billingApi } from "./routes/billing";
import { meApi } from "./routes/me";
import { publicApi } from "./routes/public";
import { v1Api } from "./routes/v1";

export function createApp() {
  const app = new Hono<{ Bindings: Env }>();
  app.use(secureHeaders());
  app.onError(handleError);
  app.notFound((c) => {
    throw new ApiError(404, "not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`);
  });
  const v1 = v1Api();
  app.route("/api/v1", v1);
  app.route("/v1", v1);
  app.route("/api/admin", adminApi());
  app.route("/api/auth", authApi());
  app.route("/api/me", meApi());
  app.route("/api/billing", billingApi());
  app.route("/api/public", publicApi());
  app.get("/healthz", (c) => c.json({ ok: true }));
  return app;
}
