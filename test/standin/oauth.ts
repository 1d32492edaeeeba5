// Google and GitHub OAuth stand-ins (authorization code + PKCE S256); see README.md, "OAuth".
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { readBody, sendJson } from "./http.js";
import type { Identity } from "./oauth-identity.js";

type Provider = "google" | "github";

/** The one registered client per provider (the values vitest.config.ts binds). */
const CLIENTS: Record<Provider, { id: string; secret: string }> = {
  google: { id: "test-google-client", secret: "test-google-secret" },
  github: { id: "test-github-client", secret: "test-github-secret" },
};

interface Grant { provider: Provider; clientId: string; redirectUri: string; challenge: string; nonce: string | null; identity: Identity }

const codes = new Map<string, Grant>();
const tokens = new Map<string, Identity>();

let keys: Promise<{ signing: CryptoKey; foreign: CryptoKey; jwk: JWK }> | undefined;
function signingKeys() {
  keys ??= (async () => {
    const real = await generateKeyPair("RS256", { extractable: true });
    const foreign = await generateKeyPair("RS256");
    const jwk = { ...(await exportJWK(real.publicKey)), kid: "standin-1", alg: "RS256", use: "sig" };
    return { signing: real.privateKey, foreign: foreign.privateKey, jwk };
  })();
  return keys;
}

const b64url = (buf: Buffer) => buf.toString("base64url");
const s256 = (verifier: string) => b64url(createHash("sha256").update(verifier, "ascii").digest());

function parseIdentity(raw: string | null): Identity | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Identity;
    return typeof v.sub === "string" && typeof v.email === "string" ? v : null;
  } catch {
    return null;
  }
}

/** GET /oauth/<p>/authorize: "the user consents at once" → 302 to redirect_uri?code&state. */
function authorize(p: Provider, url: URL, res: ServerResponse): void {
  const q = url.searchParams;
  const redirectUri = q.get("redirect_uri") ?? "";
  let target: URL;
  try {
    target = new URL(redirectUri);
  } catch {
    return sendJson(res, 400, { error: "redirect_uri_mismatch" });
  }
  // Registered callback: this path on the gateway's origin (tests run on several origins).
  if (target.pathname !== `/api/auth/oauth/${p}/callback`) return sendJson(res, 400, { error: "redirect_uri_mismatch" });
  if (q.get("client_id") !== CLIENTS[p].id) return sendJson(res, 400, { error: "invalid_client" });
  if (q.get("response_type") !== "code" || q.get("code_challenge_method") !== "S256" || !q.get("code_challenge") || !q.get("state")) {
    return sendJson(res, 400, { error: "invalid_request" });
  }
  if (p === "google" && !q.get("nonce")) return sendJson(res, 400, { error: "invalid_request", error_description: "nonce required" });
  const identity = parseIdentity(q.get("identity"));
  if (!identity) return sendJson(res, 400, { error: "invalid_request", error_description: "identity (base64url JSON {sub,email}) required" });
  const code = b64url(randomBytes(24));
  codes.set(code, { provider: p, clientId: CLIENTS[p].id, redirectUri, challenge: q.get("code_challenge")!, nonce: q.get("nonce"), identity });
  target.searchParams.set("code", code);
  target.searchParams.set("state", q.get("state")!);
  res.writeHead(302, { location: target.toString() });
  res.end();
}

/** Checks client, code (single use), exact redirect_uri and PKCE; returns the grant or null. */
function redeem(p: Provider, form: URLSearchParams): Grant | null {
  const code = form.get("code") ?? "";
  const grant = codes.get(code);
  codes.delete(code);
  if (!grant || grant.provider !== p) return null;
  if (form.get("client_id") !== CLIENTS[p].id || form.get("client_secret") !== CLIENTS[p].secret) return null;
  if (form.get("redirect_uri") !== grant.redirectUri) return null;
  const verifier = form.get("code_verifier");
  if (!verifier || s256(verifier) !== grant.challenge) return null;
  return grant;
}

async function googleToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = new URLSearchParams(await readBody(req));
  const grant = form.get("grant_type") === "authorization_code" ? redeem("google", form) : null;
  if (!grant) return sendJson(res, 400, { error: "invalid_grant", error_description: "Bad Request" });
  const { signing, foreign } = await signingKeys();
  const id = grant.identity;
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: `http://${req.headers.host}/oauth/google`, aud: grant.clientId, azp: grant.clientId, sub: id.sub, email: id.email,
    email_verified: id.email_verified ?? true, name: id.name, nonce: grant.nonce, iat: now, exp: now + 3600, ...id.claims,
  };
  const idToken = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "standin-1", typ: "JWT" }).sign(id.foreign_key ? foreign : signing);
  sendJson(res, 200, { access_token: `ya29.${b64url(randomBytes(16))}`, token_type: "Bearer", expires_in: 3599, scope: "openid email profile", id_token: idToken });
}

/** Like GitHub: errors come back with status 200 and an `error` field. */
async function githubToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = new URLSearchParams(await readBody(req));
  const grant = redeem("github", form);
  const accessToken = `gho_${b64url(randomBytes(18))}`;
  const body: Record<string, string> = grant
    ? { access_token: accessToken, token_type: "bearer", scope: "read:user,user:email" }
    : { error: "bad_verification_code", error_description: "The code passed is incorrect or expired." };
  if (grant) tokens.set(accessToken, grant.identity);
  if ((req.headers.accept ?? "").includes("application/json")) return sendJson(res, 200, body);
  const text = new URLSearchParams(body).toString();
  res.writeHead(200, { "content-type": "application/x-www-form-urlencoded" });
  res.end(text);
}

function githubApi(path: string, req: IncomingMessage, res: ServerResponse): void {
  if (!req.headers["user-agent"]) return sendJson(res, 403, { message: "Request forbidden by administrative rules. Please make sure your request has a User-Agent header" });
  const id = tokens.get((req.headers.authorization ?? "").replace(/^Bearer\s+/i, ""));
  if (!id) return sendJson(res, 401, { message: "Bad credentials" });
  if (path === "/user") {
    return sendJson(res, 200, { id: Number(id.sub) || id.sub, login: id.name ?? `user${id.sub}`, name: id.name ?? null, email: id.public_email ?? null });
  }
  const emails = id.emails ?? [{ email: id.email, primary: true, verified: id.email_verified ?? true }];
  sendJson(res, 200, emails.map((e) => ({ ...e, visibility: e.primary ? "private" : null })));
}

/** Serves /oauth/...; returns false when the path is not an OAuth stand-in route. */
export async function handleOAuth(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const m = /^\/oauth\/(google|github)\/(authorize|token|jwks|api\/user|api\/user\/emails)$/.exec(url.pathname);
  if (!m) return false;
  const p = m[1] as Provider;
  const what = m[2]!;
  const method = req.method ?? "GET";
  if (what === "authorize" && method === "GET") authorize(p, url, res);
  else if (what === "token" && method === "POST") await (p === "google" ? googleToken(req, res) : githubToken(req, res));
  else if (what === "jwks" && p === "google" && method === "GET") sendJson(res, 200, { keys: [(await signingKeys()).jwk] });
  else if (what.startsWith("api/") && p === "github" && method === "GET") githubApi(what.slice(3), req, res);
  else return false;
  return true;
}
