import { SELF } from "cloudflare:test";
import { base64url, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { SESSION_AUDIENCE, SESSION_ISSUER } from "../../src/auth/session";
import { BASE } from "../helpers/gateway";
import { SESSION_COOKIE } from "../helpers/session";
import { register, userRow, type Registered } from "./helpers";

const SECRET = new TextEncoder().encode("test-session-secret-0123456789abcdef-0123456789");
const ROUTES = ["/api/auth/session", "/api/me/profile"];

function getWith(path: string, token: string): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, { headers: { cookie: `${SESSION_COOKIE}=${token}` } });
}

async function statuses(token: string): Promise<number[]> {
  return Promise.all(ROUTES.map(async (p) => (await getWith(p, token)).status));
}

let user: Registered;
let claims: JWTPayload;

function signed(alg: "HS256" | "HS512", payload: JWTPayload = claims, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg, typ: "JWT", ...header }).sign(SECRET);
}

beforeAll(async () => {
  user = await register();
  const now = Math.floor(Date.now() / 1000);
  const ver = (await userRow(user.userId))!.session_version as number;
  claims = { sub: user.userId, sid: "sid-0123456789", ver, auth_time: now, iss: SESSION_ISSUER, aud: SESSION_AUDIENCE, iat: now, exp: now + 3600 };
});

describe("session tokens: only HS256 tokens this deployment signed, for this audience, unexpired and not revoked", () => {
  it("accepts a well-formed token (the baseline the refusals below differ from)", async () => {
    expect(await statuses(await signed("HS256"))).toEqual([200, 200]);
    const body = (await (await getWith("/api/auth/session", await signed("HS256"))).json()) as { user: { id: string } };
    expect(body.user.id).toBe(user.userId);
  });

  it("refuses alg none (an unsigned token crafted by hand)", async () => {
    const header = base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }));
    const payload = base64url.encode(JSON.stringify(claims));
    expect(await statuses(`${header}.${payload}.`)).toEqual([401, 401]);
  });

  it("refuses HS512 with the same secret (the algorithm is pinned)", async () => {
    expect(await statuses(await signed("HS512"))).toEqual([401, 401]);
  });

  it("refuses an RS256 token (asymmetric key of the attacker's choosing)", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const token = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "JWT" }).sign(privateKey);
    expect(await statuses(token)).toEqual([401, 401]);
  });

  it("refuses a wrong audience and a wrong issuer", async () => {
    expect(await statuses(await signed("HS256", { ...claims, aud: "another-app" }))).toEqual([401, 401]);
    expect(await statuses(await signed("HS256", { ...claims, iss: "someone-else" }))).toEqual([401, 401]);
  });

  it("refuses an expired token", async () => {
    const past = Math.floor(Date.now() / 1000) - 7200;
    expect(await statuses(await signed("HS256", { ...claims, iat: past, exp: past + 60 }))).toEqual([401, 401]);
  });

  it("refuses a tampered payload (signature of the original kept)", async () => {
    const other = await register();
    const [h, , s] = (await signed("HS256")).split(".");
    const forged = base64url.encode(JSON.stringify({ ...claims, sub: other.userId }));
    expect(await statuses(`${h}.${forged}.${s}`)).toEqual([401, 401]);
  });

  it("refuses every earlier session after 'log out everywhere'", async () => {
    const victim = await register();
    const otherDevice = await signed("HS256", { ...claims, sub: victim.userId });
    expect(await statuses(otherDevice)).toEqual([200, 200]);
    const res = await victim.session.fetch("/api/auth/logout-all", { method: "POST", json: {} });
    expect(res.status).toBe(204);
    expect(await statuses(otherDevice)).toEqual([401, 401]);
    const own = victim.session.cookie.split(";")[0]!.split("=")[1]!;
    expect(await statuses(own)).toEqual([401, 401]);
  });
});
