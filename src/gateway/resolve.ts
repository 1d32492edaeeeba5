import { findModel, loadCatalog, type CatalogModel } from "../catalog/catalog";
import type { GatewayConfig } from "../config";
import type { Env } from "../env";
import { ApiError } from "../errors";

function lookup(catalog: Awaited<ReturnType<typeof loadCatalog>>, id: string, kind: CatalogModel["kind"], param: string): CatalogModel {
  const model = findModel(catalog, id);
  if (!model) {
    throw new ApiError(404, "model_not_found", `The model '${id}' does not exist. GET /api/v1/models lists the available models.`, { param, type: "invalid_request_error" });
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
export function worstCasePricing(models: CatalogModel[]): Pick<CatalogModel, "inputPrice" | "outputPrice" | "maxOutputTokens"> {
  return {
    inputPrice: Math.max(...models.map((m) => m.inputPrice)),
    outputPrice: Math.max(...models.map((m) => m.outputPrice)),
    maxOutputTokens: models.some((m) => m.maxOutputTokens === null) ? null : Math.max(...models.map((m) => m.maxOutputTokens!)),
  };
}

export function noProvider(modelId: string): ApiError {
  return new ApiError(503, "provider_not_configured", `The provider for '${modelId}' is not configured on this gateway.`, { param: "model" });
}
