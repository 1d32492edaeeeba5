// Public routes: the model catalog (GET /api/v1/models) and the policy figures (GET /api/public/policy).
import { call } from "./client";
import type { CatalogModel, Policy } from "./types";

export const listModels = () => call<{ object: "list"; data: CatalogModel[] }>("GET", "/api/v1/models");
export const getPolicy = () => call<Policy>("GET", "/api/public/policy");
