// The playground's choices: which models it offers, and what an error says. Pure.
import { ApiFailure } from "../api/client";
import type { CatalogModel } from "../api/types";

/** Chat models split into those a configured provider can serve and those it cannot (`available: false`). */
export function playgroundModels(catalog: readonly CatalogModel[]): { usable: CatalogModel[]; unavailable: CatalogModel[] } {
  const chat = catalog.filter((m) => m.kind === "chat");
  return { usable: chat.filter((m) => m.available !== false), unavailable: chat.filter((m) => m.available === false) };
}

/** The remembered model if it can still be used; else the keyless demo model where it exists; else the first usable one. */
export function chooseModel(remembered: string, usable: readonly CatalogModel[]): string {
  if (usable.some((m) => m.id === remembered)) return remembered;
  return (usable.find((m) => m.id === "demo") ?? usable[0])?.id ?? "";
}

/** Codes about the dashboard session, not the request: our own words explain what to do. */
const SESSION_CODES = new Set(["invalid_session", "csrf_token_invalid", "csrf_origin_mismatch", "email_not_verified"]);

/**
 * What the playground shows for a failed request: the API's own message (it names the cause: no
 * configured provider, too little balance with the amounts, the rate limit) — or `null` to use the
 * dashboard's general wording (session problems, network errors, answers without a message).
 */
export function playgroundErrorMessage(err: unknown): string | null {
  if (!(err instanceof ApiFailure)) return null;
  if (SESSION_CODES.has(err.code)) return null;
  return err.apiMessage;
}

/** An error event inside a stream (`data: {"error": {...}}`) as an ApiFailure carrying the API's message. */
export function streamFailure(error: { message?: unknown; code?: unknown }): ApiFailure {
  const message = typeof error.message === "string" && error.message ? error.message : null;
  const failure = new ApiFailure(502, typeof error.code === "string" ? error.code : "stream_error", message ?? "stream error");
  failure.apiMessage = message;
  return failure;
}
