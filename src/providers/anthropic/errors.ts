import { isRecord } from "./shared";

/**
 * Reads Anthropic's error shape `{"type": "error", "error": {"type": "...", "message": "..."}}`
 * — the body of an HTTP error answer and the data of a stream `error` event. Accepts the parsed
 * body or its JSON text; returns null for anything else.
 */
export function errorMessage(body: unknown): { message: string; type: string } | null {
  let b = body;
  if (typeof b === "string") {
    try {
      b = JSON.parse(b);
    } catch {
      return null;
    }
  }
  if (!isRecord(b) || !isRecord(b.error)) return null;
  const { type, message } = b.error;
  if (typeof type !== "string" || typeof message !== "string") return null;
  return { message, type };
}
