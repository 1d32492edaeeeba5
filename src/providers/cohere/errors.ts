import type { ProviderError } from "../types";
import { isObject } from "./usage";

/**
 * Cohere error bodies: `{"id": "…", "message": "invalid request: …"}` (HTTP status carries the
 * kind; some gateways in front of Cohere wrap it as `{"message": …}` only). The type is derived
 * from the text where Cohere's prefix says it; the gateway maps the HTTP status otherwise.
 */
export function cohereErrorMessage(body: unknown): ProviderError | null {
  if (!isObject(body) || typeof body.message !== "string" || body.message === "") return null;
  const m = body.message;
  const type = /^invalid request/i.test(m) ? "invalid_request_error" : /trial key|rate limit|too many/i.test(m) ? "rate_limit_error" : "api_error";
  return { message: m, type };
}
