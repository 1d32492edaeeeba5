import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";

// The dashboard's pages and files are served by Workers static assets, not by the worker (only
// /api/* and /v1/* run the worker first), so their headers come from dashboard/public/_headers,
// copied into dashboard/dist by the build. The ASSETS binding runs the same asset worker that
// serves production (it parses _headers the same way), so what it answers here is what browsers get.
// Needs a fresh `npm run build:dashboard` (npm test runs it first).

const assets = (env as unknown as Env).ASSETS!;
const ORIGIN = "http://gateway.test";

async function get(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await assets.fetch(`${ORIGIN}${path}`, init);
  await res.arrayBuffer();
  return res;
}

function directives(csp: string | null): Map<string, string[]> {
  return new Map((csp ?? "").split(";").map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name!, values]));
}

async function builtIndex(): Promise<{ html: string; scripts: string[]; styles: string[] }> {
  const html = await (await assets.fetch(`${ORIGIN}/index.html`)).text();
  const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]!);
  const styles = [...html.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => m[1]!);
  return { html, scripts, styles };
}

describe("dashboard pages and files carry security headers (issue 12 item 12)", () => {
  it("every page, including SPA routes like /admin, forbids framing, sniffing and inline script, and sends a referrer policy", async () => {
    for (const path of ["/", "/index.html", "/admin", "/settings", "/signin?next=%2Fadmin"]) {
      const res = await get(path, { headers: { "sec-fetch-mode": "navigate", accept: "text/html" } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toMatch(/text\/html/);
      const csp = directives(res.headers.get("content-security-policy"));
      expect(csp.get("frame-ancestors"), path).toEqual(["'none'"]);
      expect(csp.get("script-src"), path).toEqual(["'self'"]);
      expect(csp.get("default-src"), path).toEqual(["'none'"]);
      expect(csp.get("object-src"), path).toEqual(["'none'"]);
      expect(csp.get("base-uri"), path).toEqual(["'none'"]);
      for (const values of csp.values()) expect(values.join(" "), path).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), path).toBe("same-origin");
      // The page itself is revalidated on every load, so a deploy's new asset names are seen at once.
      expect(res.headers.get("cache-control"), path).toBe("no-cache");
    }
  });

  it("hashed files under /assets/ are cached for a year as immutable, with nosniff", async () => {
    const { scripts, styles } = await builtIndex();
    expect(scripts.length).toBeGreaterThan(0);
    expect(styles.length).toBeGreaterThan(0);
    for (const path of [...scripts, ...styles]) {
      expect(path).toMatch(/^\/assets\/[\w-]+-[\w-]{8}\.(js|css)$/);
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("cache-control"), path).toBe("public, max-age=31536000, immutable");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
    }
  });

  it("the built page needs nothing the policy forbids: no inline script or style, only same-origin files", async () => {
    const { html, scripts, styles } = await builtIndex();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script element loads a file
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\son[a-z]+="/); // no inline event handlers
    expect(html).not.toMatch(/\sstyle="/);
    for (const url of [...scripts, ...styles]) expect(url.startsWith("/")).toBe(true);
    // The icon is a data: URL, which img-src allows.
    const csp = directives((await get("/")).headers.get("content-security-policy"));
    expect(csp.get("img-src")).toContain("data:");
    expect(csp.get("connect-src")).toEqual(["'self'"]);
  });

  it("the _headers file itself is not served", async () => {
    const res = await assets.fetch(`${ORIGIN}/_headers`);
    const body = await res.text();
    expect(body).not.toContain("Content-Security-Policy");
  });
});
