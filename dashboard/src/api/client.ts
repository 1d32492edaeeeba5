// The one fetch wrapper: JSON in and out, the CSRF double submit on state-changing methods,
// and the API's error shape turned into an ApiFailure carrying error.code.

export class ApiFailure extends Error {
  /** The message of the API's error body, when it sent one (null: the status text stands in). */
  apiMessage: string | null = null;
  constructor(public status: number, public code: string, message: string, public param: string | null = null, public retryAfter: number | null = null) {
    super(message);
  }
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The CSRF cookie: `__Host-csrf`, or `csrf` when the deployment runs with insecure dev cookies. */
export function csrfCookie(): string | null {
  const jar = new Map(document.cookie.split(/;\s*/).filter(Boolean).map((p) => {
    const i = p.indexOf("=");
    return [p.slice(0, i), decodeURIComponent(p.slice(i + 1))] as const;
  }));
  return jar.get("__Host-csrf") ?? jar.get("csrf") ?? null;
}

let pendingCsrf: Promise<string> | null = null;

/** Makes sure the CSRF cookie exists (GET /api/auth/csrf issues it). */
export async function ensureCsrf(): Promise<string> {
  const have = csrfCookie();
  if (have) return have;
  pendingCsrf ??= fetch("/api/auth/csrf", { credentials: "same-origin" })
    .then(async (r) => ((await r.json()) as { csrf: string }).csrf)
    .finally(() => { pendingCsrf = null; });
  return csrfCookie() ?? (await pendingCsrf);
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Called on 401 invalid_session so the app can send the user to sign in. */
let onSignedOut: () => void = () => {};
export function setSignedOutHandler(fn: () => void): void { onSignedOut = fn; }

/** Sends a request and returns the raw Response (for streams); throws ApiFailure on an error status. */
export async function send(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (body !== undefined) headers.set("content-type", "application/json");
  if (UNSAFE.has(method)) headers.set("x-csrf-token", await ensureCsrf());
  const res = await fetch(path, { ...init, method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.ok) return res;
  let err: { code?: string; message?: string; param?: string | null } = {};
  try { err = ((await res.json()) as { error?: typeof err }).error ?? {}; } catch { /* not JSON */ }
  const retry = Number(res.headers.get("retry-after"));
  const failure = new ApiFailure(res.status, err.code ?? `http_${res.status}`, err.message ?? res.statusText, err.param ?? null, Number.isFinite(retry) && retry > 0 ? retry : null);
  failure.apiMessage = typeof err.message === "string" && err.message ? err.message : null;
  if (res.status === 401 && failure.code === "invalid_session") onSignedOut();
  throw failure;
}

export async function call<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  const res = await send(method, withQuery(path, query), body);
  if (res.status === 204 || res.status === 202) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}
