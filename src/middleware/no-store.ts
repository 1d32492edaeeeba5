import type { MiddlewareHandler } from "hono";

/** `Cache-Control: no-store` on every answer, errors included: personal data must not be kept by browsers or proxies. */
export function noStore(): MiddlewareHandler {
  return async function noStore(c, next) {
    c.header("cache-control", "no-store");
    await next();
    c.res.headers.set("cache-control", "no-store");
  };
}
