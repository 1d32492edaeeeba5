import { nearestModelIds } from "../catalog/suggest";
import { oneHourWritePrice } from "../billing/pricing";
import { parsePricePerMillion } from "../lib/money";
import { findModel, loadCatalog, type CatalogModel } from "../catalog/catalog";
import type { ChatCompletionRequest } from "../wire/chat";
import { AUTO_MODEL_ID, autoPickError, pickAutoModel, type AutoPicked } from "../routing/auto";
import { recentModelStats } from "../routing/measured";
import { servableOn } from "../routing/available";
import type { GatewayConfig } from "../config";
import type { Env } from "../env";
import { ApiError } from "../errors";

function lookup(catalog: Awaited<ReturnType<typeof loadCatalog>>, id: string, kind: CatalogModel["kind"], param: string): CatalogModel {
  const model = findModel(catalog, id);
  if (!model) {
    const near = nearestModelIds(catalog, id, kind);
    const hint = near.length ? ` Did you mean ${near.map((n) => `'${n}'`).join(", ")}?` : "";
    throw new ApiError(404, "model_not_found", `The model '${id}' does not exist.${hint} GET /api/v1/models lists the available models.`, { param, type: "invalid_request_error" });
  }
  if (model.kind !== kind) {
    throw new ApiError(400, "wrong_model_kind", `The model '${id}' is an ${model.kind} model and cannot serve this endpoint.`, { param, type: "invalid_request_error" });
  }
  return model;
}

/** The requested model and its fallbacks (`models`), in order, without repeats; 404/400 for an unknown or wrong-kind one. */
export async function resolveModels(env: Env, cfg: GatewayConfig, modelId: string, fallbacks: string[] | undefined, kind: CatalogModel["kind"]): Promise<CatalogModel[]> {
  const catalog = await loadCatalog(env, cfg.demoProvider);
  const out = [lookup(catalog, modelId, kind, "model")];
  (fallbacks ?? []).forEach((id, i) => {
    const m = lookup(catalog, id, kind, `models[${i}]`);
    if (!out.some((o) => o.id === m.id)) out.push(m);
  });
  return out;
}

/** The highest prices and output maximum among candidate models: what a reservation must cover. */
export function worstCasePricing(models: CatalogModel[]): Pick<CatalogModel, "inputPrice" | "outputPrice" | "maxOutputTokens" | "cacheWritePrice" | "cacheWrite1hPrice"> {
  return {
    inputPrice: Math.max(...models.map((m) => m.inputPrice)),
    cacheWritePrice: Math.max(...models.map((m) => m.cacheWritePrice ?? 0)),
    cacheWrite1hPrice: Math.max(...models.map((m) => oneHourWritePrice(m))),
    outputPrice: Math.max(...models.map((m) => m.outputPrice)),
    maxOutputTokens: models.some((m) => m.maxOutputTokens === null) ? null : Math.max(...models.map((m) => m.maxOutputTokens!)),
  };
}

export function noProvider(modelId: string): ApiError {
  return new ApiError(503, "provider_not_configured", `The provider for '${modelId}' is not configured on this gateway.`, { param: "model" });
}

/** How many more fitting models "auto" keeps as fallbacks behind its choice. */
const AUTO_FALLBACKS = 2;

function price(v: number | string | undefined): number | null {
  if (v === undefined) return null;
  const p = parsePricePerMillion(String(v));
  if (p === null) throw new ApiError(400, "invalid_request", "max_price values are USD per 1M tokens, e.g. 2.5 or \"2.50\".", { param: "provider.max_price", type: "invalid_request_error" });
  return p;
}

/**
 * The models a chat request may be served by. For model "auto", src/routing/auto.ts picks one from
 * the request's task (within provider.max_price) and the next fitting ones become fallbacks.
 */
export async function resolveChatModels(env: Env, cfg: GatewayConfig, req: ChatCompletionRequest): Promise<{ models: CatalogModel[]; auto: AutoPicked | null }> {
  if (req.model !== AUTO_MODEL_ID) return { models: await resolveModels(env, cfg, req.model, req.models, "chat"), auto: null };
  const catalog = await loadCatalog(env, cfg.demoProvider);
  const max = req.provider?.max_price;
  const prompt = price(max?.prompt);
  const completion = price(max?.completion);
  const picked = pickAutoModel(req, catalog, {
    available: servableOn(env, cfg.demoProvider),
    defaultOutputTokens: cfg.defaultAllowance,
    stats: await recentModelStats(env),
    maxPrice: prompt === null && completion === null ? undefined : { prompt: prompt ?? Number.MAX_SAFE_INTEGER, completion: completion ?? Number.MAX_SAFE_INTEGER },
  });
  if (!picked.ok) throw autoPickError(picked);
  const backups = picked.candidates.filter((c) => c.excluded === null && c.id !== picked.model.id).slice(0, AUTO_FALLBACKS);
  const models = [picked.model, ...backups.map((c) => catalog.models.get(c.id)!).filter(Boolean)];
  return { models, auto: picked };
}
