import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { accountStub } from "./client";

describe("accountStub", () => {
  it("addresses the same wallet as idFromName(userId), from the first call and from the cached id", async () => {
    const userId = `u${"c".repeat(20)}`;
    const direct = env.ACCOUNT.idFromName(userId);
    const first = accountStub(env, userId);
    const again = accountStub(env, userId);
    expect(first.id.equals(direct)).toBe(true);
    expect(again.id.equals(direct)).toBe(true);
    expect(again).not.toBe(first); // a fresh stub per call (a stub whose object was reset stays broken)
    expect(accountStub(env, `u${"d".repeat(20)}`).id.equals(direct)).toBe(false);
  });

  it("still addresses every wallet correctly after more users than the cache holds", () => {
    for (let i = 0; i < 4200; i++) {
      const userId = `u${String(i).padStart(20, "0")}`;
      expect(accountStub(env, userId).id.equals(env.ACCOUNT.idFromName(userId))).toBe(true);
    }
  });
});
