import { isObject } from "./wire";

/**
 * Gemini error bodies: `{error: {code, message, status, details: [...]}}` (google.rpc.Status). A
 * `streamGenerateContent` call without `alt=sse` wraps it in an array, which is accepted too.
 */

const STATUS_TYPES: Record<string, string> = {
  INVALID_ARGUMENT: "invalid_request_error",
  FAILED_PRECONDITION: "invalid_request_error",
  OUT_OF_RANGE: "invalid_request_error",
  UNAUTHENTICATED: "authentication_error",
  PERMISSION_DENIED: "permission_error",
  NOT_FOUND: "not_found_error",
  RESOURCE_EXHAUSTED: "rate_limit_error",
  CANCELLED: "api_error",
  INTERNAL: "api_error",
  UNAVAILABLE: "api_error",
  DEADLINE_EXCEEDED: "api_error",
};

function codeType(code: unknown): string {
  if (code === 401) return "authentication_error";
  if (code === 403) return "permission_error";
  if (code === 404) return "not_found_error";
  if (code === 429) return "rate_limit_error";
  if (typeof code === "number" && code >= 500) return "api_error";
  return "invalid_request_error";
}

function errorObject(body: unknown): Record<string, unknown> | null {
  const b = Array.isArray(body) ? body[0] : body;
  return isObject(b) && isObject(b.error) ? b.error : null;
}

/**
 * The provider's message and an OpenAI-style error type (from `status`, else from the HTTP-like
 * `code`), or null when the body is not a Gemini error.
 */
export function errorMessage(body: unknown): { message: string; type: string } | null {
  const e = errorObject(body);
  if (!e) return null;
  const status = typeof e.status === "string" ? e.status : "";
  const message = typeof e.message === "string" && e.message !== "" ? e.message : status || "Gemini returned an error.";
  return { message, type: STATUS_TYPES[status] ?? codeType(e.code) };
}

/**
 * Whole seconds to wait before retrying, from the `google.rpc.RetryInfo` detail's `retryDelay`
 * (a protobuf Duration: "34.4s" in JSON, or `{seconds, nanos}`), rounded up (34.4s → 35), for a
 * Retry-After header. null when the body has no such detail.
 */
export function retryDelaySeconds(body: unknown): number | null {
  const details = errorObject(body)?.details;
  if (!Array.isArray(details)) return null;
  for (const d of details) {
    if (!isObject(d) || typeof d["@type"] !== "string" || !d["@type"].endsWith("google.rpc.RetryInfo")) continue;
    const delay = d.retryDelay;
    let seconds: number | null = null;
    if (typeof delay === "string") {
      const m = /^(\d+(?:\.\d+)?)s$/.exec(delay.trim());
      if (m) seconds = Number(m[1]);
    } else if (isObject(delay)) {
      const s = Number(delay.seconds ?? 0);
      const n = Number(delay.nanos ?? 0);
      if (Number.isFinite(s) && Number.isFinite(n)) seconds = s + n / 1e9;
    }
    if (seconds !== null && seconds >= 0) return Math.ceil(seconds);
  }
  return null;
}
