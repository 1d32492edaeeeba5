import { describe, expect, it } from "vitest";
import type { Env } from "../env";
import { resolveProvider } from "./registry";

describe("resolveProvider", () => {
  it("builds a provider once per env object and name, and reuses it", () => {
    const env = { OPENAI_API_KEY: "sk-test-1" } as unknown as Env;
    const first = resolveProvider(env, "openai", false)!;
    expect(first.authHeaders).toEqual({ authorization: "Bearer sk-test-1" });
    expect(resolveProvider(env, "openai", false)).toBe(first);
    expect(resolveProvider(env, "anthropic", false)).toBeNull();
    expect(resolveProvider(env, "anthropic", false)).toBeNull();
  });

  it("answers from each env object's own vars, and keeps the demo setting apart", () => {
    const a = { OPENAI_API_KEY: "sk-a" } as unknown as Env;
    const b = { ...a, OPENAI_API_KEY: "sk-b", OPENAI_BASE_URL: "http://127.0.0.1:9/v1/" } as unknown as Env;
    expect(resolveProvider(a, "openai", false)!.baseUrl).toBe("https://api.openai.com/v1");
    expect(resolveProvider(b, "openai", false)!.baseUrl).toBe("http://127.0.0.1:9/v1");
    expect(resolveProvider(b, "openai", false)!.authHeaders).toEqual({ authorization: "Bearer sk-b" });
    expect(resolveProvider(a, "demo", false)).toBeNull();
    expect(resolveProvider(a, "demo", true)!.name).toBe("demo");
  });

  it("gives every stream its own translator from a shared provider", () => {
    const p = resolveProvider({ OPENAI_API_KEY: "sk-s" } as unknown as Env, "openai", false)!;
    const ctx = { requestId: "r", model: "m", upstreamModel: "m", created: 0, outputCap: null };
    expect(p.chat.stream(ctx)).not.toBe(p.chat.stream(ctx));
  });
});
