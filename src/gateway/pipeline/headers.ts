import type { Admission, Served } from "../meter";

/**
 * The gateway's headers on every metered answer, for every endpoint: x-request-id and
 * x-ratelimit-* (Admission.headers, also on errors) and who served: x-gateway-model,
 * x-gateway-provider and x-gateway-attempts.
 */
export function servedHeaders(admission: Admission, served: Served): Record<string, string> {
  return {
    ...admission.headers,
    "x-gateway-model": served.model.id, "x-gateway-provider": served.provider, "x-gateway-attempts": String(served.attempts),
  };
}
