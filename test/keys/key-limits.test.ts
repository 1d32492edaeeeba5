import { describe, expect, it } from "vitest";
import { admin, chat, createUser } from "../helpers/gateway";

describe("a key's limits", () => {
  it("a key's model allow-list covers the fallback models too", async () => {
    const { key } = await createUser("10.00", { models: ["test-error-500"] });
    const res = await chat(key, { model: "test-error-500", models: ["test-echo"] });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: "model_not_allowed", message: expect.stringContaining("test-echo") });
  });

  it("a spend limit beyond the maximum balance is a 400, not a later 500", async () => {
    const { userId } = await createUser("1.00");
    const res = await admin(`/users/${userId}/keys`, { method: "POST", json: { name: "x", spend_limit_usd: "9999999.999999999" } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { param: string } }).error.param).toBe("spend_limit_usd");
  });
});
