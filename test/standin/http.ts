// Small HTTP helpers and the per-request context shared by the provider routes.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Liveness } from "./sse.js";

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  live: Liveness;
  url: URL;
  /** Parsed JSON body (empty object when the body was empty). */
  body: Record<string, unknown>;
  /** The scenario name: body.model, or the Gemini path segment. */
  model: string;
  stream: boolean;
  /** OpenAI `stream_options.include_usage === true`; always true for the other APIs. */
  includeUsage: boolean;
  /** Gemini: `?alt=sse` was given (SSE framing instead of a JSON array). */
  geminiSse: boolean;
  /** All request headers, lower-cased names, repeated values joined with ", ". */
  headers: Record<string, string>;
  /** The API key the client sent (Bearer token, x-api-key, x-goog-api-key or ?key=). */
  apiKey: string;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of req) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function sendReply(ctx: Ctx, r: Reply): void {
  sendJson(ctx.res, r.status, r.body, r.headers);
}

export function headerRecord(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

export function apiKeyOf(headers: Record<string, string>, url: URL): string {
  const auth = headers["authorization"];
  if (auth) return auth.replace(/^Bearer\s+/i, "");
  return headers["x-api-key"] ?? headers["x-goog-api-key"] ?? url.searchParams.get("key") ?? "";
}

/** Splits text into about `n` pieces on code-point boundaries (never empty pieces). */
export function splitText(text: string, n: number): string[] {
  const chars = Array.from(text);
  if (chars.length === 0) return [""];
  const size = Math.ceil(chars.length / n);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(""));
  return out;
}

/** Token counts a scenario reports; the adapters map them to each provider's fields. */
export interface Usage {
  prompt: number;
  completion: number;
  total?: number;
}

export const nowSec = (): number => Math.floor(Date.now() / 1000);
