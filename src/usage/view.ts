import { formatUsd } from "../lib/money";
import type { UsageRecord } from "./query";

/** The "usage" object of docs/api.md (token counts and cost; never prompt or completion text). */
export function usageView(r: UsageRecord) {
  return {
    id: r.requestId,
    created_at: new Date(r.createdAt).toISOString(),
    model: r.model,
    provider: r.provider,
    endpoint: r.endpoint,
    key_id: r.keyId,
    stream: r.stream,
    prompt_tokens: r.promptTokens,
    completion_tokens: r.completionTokens,
    cached_tokens: r.cachedTokens ?? 0,
    reasoning_tokens: r.reasoningTokens ?? 0,
    cost_usd: formatUsd(r.costNano),
    latency_ms: r.latencyMs,
    status: r.status,
    http_status: r.httpStatus,
    error_code: r.errorCode ?? null,
    usage_source: r.usageSource,
    route_reason: r.routeReason ?? null,
  };
}
