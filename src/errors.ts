import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Env } from "./env";

/** Error families a caller may expect, chosen by route. */
export type ErrorFormat = "openai" | "anthropic";

/** The variable a router sets to choose its error shape (unset: OpenAI's); read by handleError. */
export type ErrorFormatVariables = { errorFormat?: ErrorFormat };
/** The Hono environment of the app and of a router that chooses its error shape (/v1). */
export type ErrorFormatEnv = { Bindings: Env; Variables: ErrorFormatVariables };

/**
 * The single error type of the gateway. Everything a client may see as an error is an ApiError;
 * anything else is an internal fault and is answered as a generic 500 without details.
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly options: { type?: string; param?: string | null; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  get type(): string {
    return this.options.type ?? defaultType(this.status);
  }
}

function defaultType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 402) return "insufficient_quota";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

/**
 * Anthropic's documented error types, by status: 400 invalid_request_error, 401
 * authentication_error, 402 billing_error, 403 permission_error, 404 not_found_error, 413
 * request_too_large, 429 rate_limit_error, 504 timeout_error, 529 overloaded_error, other 5xx api_error.
 */
export function anthropicErrorType(status: number): string {
  const byStatus: Record<number, string> = {
    400: "invalid_request_error", 401: "authentication_error", 402: "billing_error", 403: "permission_error", 404: "not_found_error",
    413: "request_too_large", 429: "rate_limit_error", 504: "timeout_error", 529: "overloaded_error",
  };
  return byStatus[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

export function errorBody(err: ApiError, format: ErrorFormat = "openai"): unknown {
  if (format === "anthropic") {
    return { type: "error", error: { type: anthropicErrorType(err.status), message: err.message } };
  }
  return { error: { message: err.message, type: err.type, code: err.code, param: err.options.param ?? null } };
}

export function errorResponse(err: ApiError, format: ErrorFormat = "openai"): Response {
  const headers = new Headers();
  headers.set("content-type", "application/json");
  for (const [k, v] of Object.entries(err.options.headers ?? {})) headers.set(k, v);
  return new Response(JSON.stringify(errorBody(err, format)), { status: err.status, headers });
}

/** The one error handler, installed with app.onError. */
export function handleError<E extends { Variables: ErrorFormatVariables }>(err: Error, c: Context<E>): Response {
  const format: ErrorFormat = c.get("errorFormat") ?? "openai";
  if (err instanceof ApiError) return errorResponse(err, format);
  if (err instanceof HTTPException && err.status < 500) {
    // Raised by Hono itself, e.g. for malformed JSON: keep the status, use our shape.
    return errorResponse(new ApiError(err.status, err.status === 400 ? "invalid_json" : "invalid_request", err.message || "Bad request."), format);
  }
  // Never echo internals (they could hold upstream details); log only the error class and route.
  console.error(`internal error on ${c.req.method} ${new URL(c.req.url).pathname}: ${err.name}`);
  return errorResponse(new ApiError(500, "internal_error", "The gateway hit an internal error. Nothing was charged."), format);
}
