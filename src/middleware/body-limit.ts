import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { config } from "../config";
import type { BaseEnv } from "../env";
import { ApiError } from "../errors";

/** Hono's bodyLimit with the configured size and the gateway's 413. */
export function limitBody(): MiddlewareHandler<BaseEnv> {
  return async function limitBody(c, next) {
    const maxSize = config(c.env).maxBodyBytes;
    return bodyLimit({
      maxSize,
      onError: () => {
        throw new ApiError(413, "request_too_large", `The request body is larger than the limit of ${maxSize} bytes.`);
      },
    })(c, next);
  };
}

/** POST bodies must be JSON; anything else gets a clear 400 instead of a confusing field error. */
export function requireJson(): MiddlewareHandler {
  return async function requireJson(c, next) {
    const mediaType = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if ((c.req.method === "POST" || c.req.method === "PATCH") && !/^application\/([\w.-]+\+)?json$/.test(mediaType)) {
      throw new ApiError(400, "invalid_content_type", "Send the request body as JSON with 'Content-Type: application/json'.");
    }
    await next();
  };
}
