import { Hono } from "hono";
import { z } from "zod";
import { loadCatalog } from "../../catalog/catalog";
import { formatPricePerToken, parsePricePerMillion } from "../../lib/money";
import { config } from "../../config";
import type { BaseEnv } from "../../env";
import { validate } from "../../middleware/validate";
import { recommendations as rank } from "../../routing/auto";
import { servableOn } from "../../routing/available";
import { recentModelStats } from "../../routing/measured";
import { TASK_TYPES } from "../../routing/classify";

/** A price ceiling in USD per 1M tokens (OpenRouter's max_price unit), e.g. "1" or "0.5", → µUSD per 1M tokens. */
const usdPerMillion = z.string().regex(/^\d{1,6}(?:\.\d{1,6})?$/, "Expected USD per 1M tokens, e.g. \"1.50\".")
  .transform((s) => parsePricePerMillion(s)!);

const query = z.strictObject({
  task: z.enum(TASK_TYPES),
  max_price_prompt: usdPerMillion.optional(),
  max_price_completion: usdPerMillion.optional(),
});

/**
 * GET /models/recommendations?task=code[&max_price_prompt=USD/Mtok][&max_price_completion=USD/Mtok]
 * The auto router's ranked list for a task (src/routing/recommend.ts): by the documented score of
 * src/routing/measured.ts (catalog quality order, price, measured reliability and speed from the
 * last 7 days of usage) once measured, with the figures and reasons; models this gateway can serve
 * first (a model counts as available when any of its channels has a configured provider).
 * Public like GET /models: it shows only catalog data and which providers this gateway has.
 * Must be mounted before /models/:id, which would otherwise take "recommendations" as a model id.
 */
export const recommendations = new Hono<BaseEnv>()
  .get("/models/recommendations", validate("query", query), async (c) => {
    const { task, max_price_prompt, max_price_completion } = c.req.valid("query");
    const demo = config(c.env).demoProvider;
    const catalog = await loadCatalog(c.env, demo);
    const maxPrice = max_price_prompt === undefined && max_price_completion === undefined
      ? undefined
      : { prompt: max_price_prompt ?? Number.MAX_SAFE_INTEGER, completion: max_price_completion ?? Number.MAX_SAFE_INTEGER };
    const list = rank(task, catalog, servableOn(c.env, demo), { maxPrice, stats: await recentModelStats(c.env) });
    return c.json({
      task,
      data: list.map((r) => ({
        id: r.model.id,
        name: r.model.name,
        rank: r.rank,
        available: r.available,
        pricing: { prompt: formatPricePerToken(r.model.inputPrice), completion: formatPricePerToken(r.model.outputPrice) },
        context_length: r.model.contextLength,
        capabilities: r.model.capabilities,
        ...(r.score === null ? {} : { score: r.score, measured: r.measured && {
          requests: r.measured.requests, failures: r.measured.failures,
          success_rate: Math.round(((r.measured.requests - r.measured.failures) / r.measured.requests) * 1000) / 1000,
          p50_latency_ms: r.measured.p50LatencyMs, output_tokens_per_second: r.measured.outputTokensPerSecond,
        } }),
        why: r.why,
      })),
    });
  });
