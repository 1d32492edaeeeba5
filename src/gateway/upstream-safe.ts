import { ApiError } from "../errors";

/**
 * The only parts of an upstream error body that may reach a client, each as a strict identifier:
 * lower-case words joined by underscores (OpenAI's `context_length_exceeded`, `unsupported_parameter`),
 * and parameter paths of lower-case words with numeric indexes (`messages[0].content`, `max_tokens`).
 * Anything else (mixed case, digits outside an index, base64, dashes) is dropped, never copied.
 */
const CODE = /^[a-z]{2,32}(?:_[a-z]{1,32}){0,6}$/;
const PARAM = /^[a-z_]{1,40}(?:\[\d{1,4}\])?(?:\.[a-z_]{1,40}(?:\[\d{1,4}\])?){0,5}$/;

export function safeCode(code: string | null | undefined): string | null {
  return typeof code === "string" && code.length <= 64 && CODE.test(code) ? code : null;
}

export function safeParam(param: string | null | undefined): string | null {
  return typeof param === "string" && param.length <= 120 && PARAM.test(param) ? param : null;
}

/** A provider's 400-class answer, told with a fixed text plus the safe code and param. */
export function invalidRequestError(providerName: string, code: string | null, param: string | null): ApiError {
  const detail = [code, param ? `param '${param}'` : null].filter(Boolean).join(", ");
  const message = `The provider '${providerName}' rejected the request${detail ? ` (${detail})` : ""}. Nothing was charged.`;
  return new ApiError(400, code ?? "upstream_invalid_request", message, { param });
}
