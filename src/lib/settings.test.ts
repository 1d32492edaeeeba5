import { describe, expect, it } from "vitest";
import type { Env } from "../env";
import { settings, settingsSchema } from "./settings";

const read = (vars: Record<string, unknown>) => settingsSchema.parse(vars);

describe("settings (src/lib/settings.ts)", () => {
  it("gives every var its default when unset or empty", () => {
    const s = read({ MAX_BODY_BYTES: "", TERMS_VERSION: "" });
    expect(s.MAX_BODY_BYTES).toBe(5 * 1024 * 1024);
    expect(s.TERMS_VERSION).toBe("2026-11-01");
    expect(s.OVERDRAFT_LIMIT_USD).toBe(50_000_000);
    expect(s.DEMO_PROVIDER).toBe(false);
    expect(s.APP_ORIGIN).toBeUndefined();
    expect(s.TOPUP_MIN_USD).toBe(5_000_000_000);
    expect(s.TOPUP_PRESETS_USD).toEqual([5, 10, 25, 50, 100].map((usd) => usd * 1_000_000_000));
    expect(s.RETENTION_SECURITY_DAYS).toBe("180");
    expect(s.RETENTION_USAGE_DAYS).toBeUndefined();
  });

  it("falls back to the default on a malformed or too small number, as the worker always did", () => {
    expect(read({ MAX_BODY_BYTES: "12kb" }).MAX_BODY_BYTES).toBe(5 * 1024 * 1024);
    expect(read({ MAX_BODY_BYTES: "100" }).MAX_BODY_BYTES).toBe(5 * 1024 * 1024);
    expect(read({ DEFAULT_KEY_RPM: "1.5" }).DEFAULT_KEY_RPM).toBe(600);
    expect(read({ DEFAULT_KEY_RPM: "9007199254740993" }).DEFAULT_KEY_RPM).toBe(600);
    expect(read({ REFUND_WINDOW_DAYS: "0" }).REFUND_WINDOW_DAYS).toBe(0);
    expect(read({ UPSTREAM_TIMEOUT_MS: 2500 }).UPSTREAM_TIMEOUT_MS).toBe(2500);
  });

  it("reads USD amounts in nUSD: a negative overdraft is none, a malformed one the default; top-ups need whole cents", () => {
    expect(read({ OVERDRAFT_LIMIT_USD: "-1" }).OVERDRAFT_LIMIT_USD).toBe(0);
    expect(read({ OVERDRAFT_LIMIT_USD: "lots" }).OVERDRAFT_LIMIT_USD).toBe(50_000_000);
    expect(read({ OVERDRAFT_LIMIT_USD: "999999999.5" }).OVERDRAFT_LIMIT_USD).toBe(50_000_000);
    expect(read({ SIGNUP_CREDIT_USD: "-2" }).SIGNUP_CREDIT_USD).toBe(0);
    expect(read({ SIGNUP_CREDIT_USD: "0.5" }).SIGNUP_CREDIT_USD).toBe(500_000_000);
    expect(read({ TOPUP_MIN_USD: "2.005" }).TOPUP_MIN_USD).toBe(5_000_000_000);
    expect(read({ TOPUP_PRESETS_USD: "7, x, 0.001" }).TOPUP_PRESETS_USD).toEqual([7_000_000_000, null, null]);
  });

  it("parses an env object once, and again when one of its vars is changed in place", () => {
    const vars: Record<string, string> = { DEFAULT_KEY_TPM: "1000" };
    const env = vars as unknown as Env;
    expect(settings(env)).toBe(settings(env));
    expect(settings(env).DEFAULT_KEY_TPM).toBe(1000);
    vars.DEFAULT_KEY_TPM = "2000";
    expect(settings(env).DEFAULT_KEY_TPM).toBe(2000);
  });
});
