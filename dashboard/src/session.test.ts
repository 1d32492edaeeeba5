import { afterEach, describe, expect, it, vi } from "vitest";
import type { User } from "./api/types";
import { historyKey, loadHistory, saveHistory } from "./lib/history";
import { setUser } from "./session";

function memoryStorage() {
  const m = new Map<string, string>();
  return {
    get length() { return m.size; },
    key: (i: number) => [...m.keys()][i] ?? null,
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    has: (k: string) => m.has(k),
  };
}

const user = (id: string): User => ({
  id, email: `${id}@example.test`, name: null, company: null, role: "user", email_verified: true, created_at: "2026-12-01T00:00:00Z", locale: null, terms_version: null,
});

afterEach(() => { vi.unstubAllGlobals(); });

describe("signing out clears playground history from the browser (issue 12 item 19)", () => {
  it("setUser(null) — the path of sign-out, sign-out everywhere, account deletion and an expired session — removes it", () => {
    const storage = memoryStorage();
    vi.stubGlobal("localStorage", storage);
    setUser(user("u000000000000000000a1"));
    saveHistory(storage, "u000000000000000000a1", { model: "m", messages: [{ role: "user", content: "private question" }] });
    storage.setItem("gateway-playground-v1", JSON.stringify({ model: "m", messages: [{ role: "user", content: "old shared" }] }));
    setUser(null);
    expect(storage.has(historyKey("u000000000000000000a1"))).toBe(false);
    expect(storage.has("gateway-playground-v1")).toBe(false);
    setUser(user("u000000000000000000b2"));
    expect(loadHistory(storage, "u000000000000000000b2").messages).toEqual([]);
  });

  it("signing in keeps the user's own history", () => {
    const storage = memoryStorage();
    vi.stubGlobal("localStorage", storage);
    saveHistory(storage, "u000000000000000000c3", { model: "m", messages: [{ role: "user", content: "mine" }] });
    setUser(user("u000000000000000000c3"));
    expect(loadHistory(storage, "u000000000000000000c3").messages).toHaveLength(1);
  });
});
