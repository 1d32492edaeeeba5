import { ApiError } from "../errors";
import { invalidRequestError, safeCode, safeParam } from "./upstream-safe";
import type { UpstreamRequest } from "../providers/transform";
import type { Provider } from "../providers/types";

/**
 * Headers sent upstream: content type, accept, the provider's own key and the transform's
 * protocol headers (e.g. anthropic-version). Nothing from the client is forwarded: not its
 * Authorization, cookies or anything else.
 */
function upstreamHeaders(provider: Provider, extra: Record<string, string>, stream: boolean): Headers {
  return new Headers({
    ...extra,
    "content-type": "application/json",
    accept: stream ? "text/event-stream" : "application/json",
    ...provider.authHeaders,
  });
}

export interface UpstreamCall {
  response: Response;
  /** Call once the first byte arrived: stops the first-byte timer. */
  clearTimeout(): void;
  signal: AbortSignal;
}

/**
 * POSTs JSON to the provider with a first-byte timeout. Failures before the first byte become
 * ApiErrors with no upstream internals: 504 on timeout, 502 on connection failure, and the
 * mapped status for an error answer (see upstreamError).
 */
export async function callUpstream(provider: Provider, req: UpstreamRequest, stream: boolean, timeoutMs: number): Promise<UpstreamCall> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error("timeout")), timeoutMs);
  let response: Response;
  try {
    response = await provider.fetch(new Request(`${provider.baseUrl}${req.path}`, {
      method: "POST",
      headers: upstreamHeaders(provider, req.headers, stream),
      body: JSON.stringify(req.body),
      signal: controller.signal,
    }));
  } catch {
    clearTimeout(timer);
    if (controller.signal.aborted) throw new ApiError(504, "upstream_timeout", `The provider did not answer within ${timeoutMs} ms. Nothing was charged.`);
    throw new ApiError(502, "upstream_connection_failed", "The gateway could not reach the provider. Nothing was charged.");
  }
  if (!response.ok) {
    clearTimeout(timer);
    throw await upstreamError(response, provider);
  }
  return { response, clearTimeout: () => clearTimeout(timer), signal: controller.signal };
}

async function readErrorBody(res: Response): Promise<unknown> {
  const text = (await res.text().catch(() => "")).slice(0, 16384);
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Maps an upstream error answer to the gateway's error. Nothing the provider wrote is copied as
 * text: the client's error is built from the status class, a fixed message, and the provider's
 * error code and param only when they match a strict identifier shape (safeCode / safeParam), so
 * a provider key echoed in any form (whole, tail, base64, case-changed) cannot pass.
 */
export async function upstreamError(res: Response, provider: Provider): Promise<ApiError> {
  const status = res.status;
  if (status === 401 || status === 403) {
    await res.body?.cancel();
    return new ApiError(502, "upstream_auth_failed", `The provider '${provider.name}' rejected the gateway's credentials. Nothing was charged.`);
  }
  if (status === 429) {
    const header = res.headers.get("retry-after")?.trim();
    const fromBody = header ? null : provider.retryAfterFromBody?.(await readErrorBody(res));
    if (header) await res.body?.cancel();
    const retryAfter = header && /^\d{1,6}$/.test(header) ? header : fromBody ? String(fromBody) : null;
    return new ApiError(429, "upstream_rate_limited", `The provider '${provider.name}' is rate limiting requests. Nothing was charged; retry later.`, {
      headers: retryAfter ? { "retry-after": retryAfter } : {},
    });
  }
  if (status === 400 || status === 413 || status === 422) {
    const parsed = provider.errorMessage(await readErrorBody(res));
    return invalidRequestError(provider.name, safeCode(parsed?.code), safeParam(parsed?.param));
  }
  await res.body?.cancel();
  if (status === 503) return new ApiError(503, "upstream_unavailable", `The provider '${provider.name}' is unavailable. Nothing was charged.`);
  return new ApiError(502, "upstream_error", `The provider '${provider.name}' failed (HTTP ${status}). Nothing was charged.`);
}
