// What the stand-in received on its provider routes, for tests that check what the gateway sent
// upstream: GET /__requests?model=<upstream model> lists them, oldest first.
import type { ServerResponse } from "node:http";
import { sendJson } from "./http.js";

export interface LoggedRequest {
  method: string;
  /** Path and query, e.g. `/anthropic/v1/messages`. */
  path: string;
  /** Lower-cased names; repeated values joined with ", ". */
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** body.model, or the Gemini path segment. */
  model: string;
}

/** The newest requests only: enough for any test, bounded for long runs. */
const MAX_LOGGED = 2000;
const logged: LoggedRequest[] = [];

export function logRequest(r: LoggedRequest): void {
  logged.push(r);
  if (logged.length > MAX_LOGGED) logged.splice(0, logged.length - MAX_LOGGED);
}

/** `GET /__requests?model=m` → `{ requests: LoggedRequest[] }` (all of them without `model`). */
export function sendRequestLog(res: ServerResponse, url: URL): void {
  const model = url.searchParams.get("model");
  const requests = model === null ? logged : logged.filter((r) => r.model === model);
  sendJson(res, 200, { requests: requests.map(serializable) });
}

/** A body too deeply nested for JSON.stringify (the fuzz tests send some) is listed without its body. */
function serializable(r: LoggedRequest): LoggedRequest {
  try {
    JSON.stringify(r.body);
    return r;
  } catch {
    return { ...r, body: { unserializable: true } };
  }
}
