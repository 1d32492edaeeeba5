import { Hono } from "hono";
import { z } from "zod";
import { usdJsonNumber } from "../../lib/money";
import type { UsageLogRow } from "../../db/schema";
import { ApiError } from "../../errors";
import { accountStub } from "../../account/client";
import { validate } from "../../middleware/validate";
import { verifiedKey } from "../../middleware/verified-key";
import type { ApiKeyEnv } from "../../middleware/api-key";

export function generationView(r: Omit<UsageLogRow, "userId">) {
  return {
    id: r.requestId,
    model: r.model,
    provider: r.provider,
    endpoint: r.endpoint,
    streamed: Boolean(r.stream),
    key_id: r.keyId,
    created_at: new Date(r.createdAt).toISOString(),
    prompt_tokens: r.promptTokens,
    completion_tokens: r.completionTokens,
    cached_tokens: r.cachedTokens ?? 0,
    reasoning_tokens: r.reasoningTokens ?? 0,
    total_cost: usdJsonNumber(r.costNano),
    latency_ms: r.latencyMs,
    status: r.status,
    http_status: r.httpStatus,
    usage_source: r.usageSource,
    error_code: r.errorCode ?? null,
    attempts: r.attempts ?? 1,
    route_reason: r.routeReason ?? null,
  };
}

/** GET /generation?id= — the usage record of one of the caller's requests, from its wallet's recent records (USAGE_RECENT_DAYS). */
export const generation = new Hono<ApiKeyEnv>().get(
  "/generation",
  verifiedKey(),
  validate("query", z.object({ id: z.string().min(1).max(64) })),
  async (c) => {
    const { id } = c.req.valid("query");
    const { userId } = c.get("caller");
    const record = await accountStub(c.env, userId).pendingUsage(id);
    if (!record) throw new ApiError(404, "generation_not_found", `No generation '${id}' for this account (records appear within a second of the response).`, { param: "id" });
    return c.json({ data: generationView(record) });
  },
);
