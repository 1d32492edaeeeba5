import { describe, expect, it } from "vitest";
import { config } from "../../src/config";
import type { Env } from "../../src/env";

describe("config", () => {
  it("reads an env object's settings once and hands every request the same frozen settings", () => {
    const env = { MAX_BODY_BYTES: "2048", OVERDRAFT_LIMIT_USD: "0.25" } as unknown as Env;
    const first = config(env);
    expect(first.maxBodyBytes).toBe(2048);
    expect(first.overdraftNano).toBe(250_000_000);
    expect(config(env)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => { (first as { maxBodyBytes: number }).maxBodyBytes = 1; }).toThrow(TypeError);
  });

  it("gives another env object (another deployment, or a test's copy) its own settings", () => {
    const a = { DEFAULT_KEY_RPM: "10" } as unknown as Env;
    const b = { ...a, DEFAULT_KEY_RPM: "20" } as unknown as Env;
    expect(config(a).defaultRpm).toBe(10);
    expect(config(b).defaultRpm).toBe(20);
    expect(config({} as Env).defaultRpm).toBe(600);
  });
});
