import { env } from "cloudflare:test";

/** One request a real client sent, as scripts/clients/record.mjs recorded it. */
export interface RecordedRequest {
  method: string;
  /** Path and query under the base URL, e.g. `/v1/messages?beta=true`. */
  path: string;
  /** Lower-cased header names; credentials are `<scrubbed>`. */
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** test/fixtures/clients/<client>/<case>.json */
export interface RecordedCase {
  client: string;
  package: string;
  version: string;
  packages: Record<string, string>;
  case: string;
  requests: RecordedRequest[];
}

export const CORPUS: RecordedCase[] = Object.values(
  import.meta.glob<RecordedCase>("../fixtures/clients/**/*.json", { eager: true, import: "default" }),
);

export type Surface = "chat" | "responses" | "messages" | "count_tokens";

export function surfaceOf(path: string): Surface {
  const p = path.split("?")[0]!;
  if (p === "/v1/chat/completions") return "chat";
  if (p === "/v1/responses") return "responses";
  if (p === "/v1/messages") return "messages";
  if (p === "/v1/messages/count_tokens") return "count_tokens";
  throw new Error(`no replay rule for a recorded ${path}`);
}

/** What the stand-in upstream received (test/standin/request-log.ts). */
export interface UpstreamRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export async function upstreamReceived(model: string): Promise<UpstreamRequest[]> {
  const origin = new URL(env.OPENAI_BASE_URL!).origin;
  const res = await fetch(`${origin}/__requests?model=${encodeURIComponent(model)}`);
  return ((await res.json()) as { requests: UpstreamRequest[] }).requests;
}

/** The recorded headers without credentials, with the test key sent the way the client sent its own. */
export function replayHeaders(recorded: Record<string, string>, key: string): Headers {
  const h = new Headers();
  for (const [name, value] of Object.entries(recorded)) if (value !== "<scrubbed>") h.set(name, value);
  if ("x-api-key" in recorded) h.set("x-api-key", key);
  else h.set("authorization", `Bearer ${key}`);
  return h;
}

/** Fields the gateway sets itself on the way upstream (model, output limit, usage on streams, priced tiers). */
export const GATEWAY_SET: Record<Exclude<Surface, "count_tokens">, ReadonlySet<string>> = {
  chat: new Set(["model", "max_tokens", "max_completion_tokens", "stream_options"]),
  responses: new Set(["model", "max_output_tokens"]),
  messages: new Set(["model", "max_tokens", "service_tier", "speed"]),
};

/** A streamed answer that carries an error event instead of a normal end. */
export function streamError(text: string): string | null {
  const m = /^(?:event: error\n)?data: (\{"(?:type":"error|error)".*)$/m.exec(text);
  return m ? m[1]!.slice(0, 300) : null;
}
