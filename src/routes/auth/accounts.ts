import { Hono, type MiddlewareHandler } from "hono";
import type { BaseEnv } from "../../env";
import { limitBody, requireJson } from "../../middleware/body-limit";
import { csrfProtection } from "../../middleware/csrf";
import { configRoute } from "./config";
import { csrfRoute } from "./csrf";
import { localeRoute } from "./locale";
import { loginRoute } from "./login";
import { logoutRoutes } from "./logout";
import { passwordResetRoutes } from "./password-reset";
import { registerRoute } from "./register";
import { sessionRoute } from "./session";
import { verifyEmailRoutes } from "./verify-email";

/**
 * requireJson() for requests that carry a body. Logout, logout-all and resend-verification take none
 * (docs/api.md), and the dashboard sends them without a Content-Type; CSRF does not rest on the
 * content type (Origin + x-csrf-token do that), so nothing is lost by letting them through.
 */
function requireJsonIfBody(): MiddlewareHandler {
  const json = requireJson();
  return async function requireJsonIfBody(c, next) {
    const length = c.req.header("content-length");
    const empty = c.req.raw.body === null || length === "0";
    return empty ? next() : json(c, next);
  };
}

/**
 * Email-and-password accounts at /api/auth. Every state-changing request (register and login
 * included: login CSRF would sign a victim into an attacker's account) needs the Origin check and
 * the CSRF double submit, a bounded body and, when there is a body, a JSON content type; GET requests
 * pass through.
 */
export const accountRoutes = new Hono<BaseEnv>();
accountRoutes.use(csrfProtection(), limitBody(), requireJsonIfBody());
accountRoutes.route("/", csrfRoute);
accountRoutes.route("/", configRoute);
accountRoutes.route("/", registerRoute);
accountRoutes.route("/", loginRoute);
accountRoutes.route("/", logoutRoutes);
accountRoutes.route("/", sessionRoute);
accountRoutes.route("/", verifyEmailRoutes);
accountRoutes.route("/", passwordResetRoutes);
accountRoutes.route("/", localeRoute);
