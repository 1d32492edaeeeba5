import { describe, expect, it } from "vitest";
import retryInfo from "../../../test/fixtures/providers/google/google-429-retry-info.json";
import { errorMessage, retryDelaySeconds } from "./index";

describe("Gemini error bodies", () => {
  it("google-429-retry-info.json: message, rate_limit_error, Retry-After 35", () => {
    expect(errorMessage(retryInfo)).toEqual({ message: "You exceeded your current quota, please check your plan.", type: "rate_limit_error" });
    expect(retryDelaySeconds(retryInfo)).toBe(35);
  });

  it("maps status, then code", () => {
    const e = (error: Record<string, unknown>) => errorMessage({ error });
    expect(e({ code: 400, message: "bad", status: "INVALID_ARGUMENT" })).toEqual({ message: "bad", type: "invalid_request_error" });
    expect(e({ code: 403, message: "no", status: "PERMISSION_DENIED" })?.type).toBe("permission_error");
    expect(e({ code: 401, message: "key", status: "UNAUTHENTICATED" })?.type).toBe("authentication_error");
    expect(e({ code: 404, message: "model", status: "NOT_FOUND" })?.type).toBe("not_found_error");
    expect(e({ code: 503, message: "overloaded", status: "UNAVAILABLE" })?.type).toBe("api_error");
    expect(e({ code: 500, message: "boom" })?.type).toBe("api_error");
    expect(e({ code: 429 })).toEqual({ message: "Gemini returned an error.", type: "rate_limit_error" });
    expect(e({ status: "RESOURCE_EXHAUSTED" })).toEqual({ message: "RESOURCE_EXHAUSTED", type: "rate_limit_error" });
  });

  it("accepts the array-wrapped form and rejects non-errors", () => {
    expect(errorMessage([retryInfo])?.type).toBe("rate_limit_error");
    expect(retryDelaySeconds([retryInfo])).toBe(35);
    for (const b of [null, "x", {}, { error: "string" }, { candidates: [] }, []]) expect(errorMessage(b)).toBeNull();
  });

  it("retryDelay variants", () => {
    const body = (retryDelay: unknown) => ({ error: { code: 429, details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay }] } });
    expect(retryDelaySeconds(body("2s"))).toBe(2);
    expect(retryDelaySeconds(body("0.001s"))).toBe(1);
    expect(retryDelaySeconds(body({ seconds: "3", nanos: 500000000 }))).toBe(4);
    expect(retryDelaySeconds(body("soon"))).toBeNull();
    expect(retryDelaySeconds({ error: { code: 429, details: [{ "@type": "type.googleapis.com/google.rpc.QuotaFailure" }] } })).toBeNull();
    expect(retryDelaySeconds({ error: { code: 429 } })).toBeNull();
  });
});
