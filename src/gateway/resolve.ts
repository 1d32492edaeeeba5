import { findModel, loadCatalog, type CatalogModel } from "../catalog/catalog";
import type { GatewayConfig } from "../config";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { resolveProvider } from "../providers/registry";
import type { Provider } from "../providers/types";

/** Finds the catalog model and a configured provider for it, or the 404/400/503 that explains why not. */
export async function resolveRoute(env: Env, cfg: GatewayConfig, modelId: string, kind: CatalogModel["kind"]): Promise<{ model: CatalogModel; provider: Provider }> {
  const model = findModel(await loadCatalog(env, cfg.demoProvider), modelId);
  if (!model) {
    throw new ApiError(404, "model_not_found", `The model '${modelId}' does not exist. GET /api/v1/models lists the available models.`, { param: "model", type: "invalid_request_error" });
  }
  if (model.kind !== kind) {
    throw new ApiError(400, "wrong_model_kind", `The model '${modelId}' is an ${model.kind} model and cannot serve this endpoint.`, { param: "model", type: "invalid_request_error" });
  }
  const provider = resolveProvider(env, model.provider, cfg.demoProvider);
  if (!provider) {
    throw new ApiError(503, "provider_not_configured", `The provider for '${modelId}' is not configured on this gateway.`, { param: "model" });
  }
  return { model, provider };
}
