import { describe, expect, it } from "vitest";
import { clearHistories, historyKey, loadHistory, saveHistory, type History, type KeyValueStore } from "./history";

/** An in-memory Web Storage with the same methods as localStorage. */
function memoryStore(initial: Record<string, string> = {}): KeyValueStore & { dump(): Record<string, string> } {
  const m = new Map(Object.entries(initial));
  return {
    get length() { return m.size; },
    key: (i) => [...m.keys()][i] ?? null,
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, String(v)),
    removeItem: (k) => void m.delete(k),
    dump: () => Object.fromEntries(m),
  };
}

const alice = "u0000000000000000alice";
const bob = "u00000000000000000bob1";
const talk = (text: string): History => ({ model: "gpt-4o-mini", messages: [{ role: "user", content: text }, { role: "assistant", content: `re: ${text}` }] });

describe("playground history is kept per user in this browser (issue 12 item 19)", () => {
  it("the next person to sign in on the same browser does not see the previous person's conversation", () => {
    const store = memoryStore();
    saveHistory(store, alice, talk("alice's secret plan"));
    expect(loadHistory(store, bob)).toEqual({ model: "", messages: [] });
    expect(loadHistory(store, alice)).toEqual(talk("alice's secret plan"));
    expect(historyKey(alice)).not.toBe(historyKey(bob));
    expect(historyKey(alice)).toContain(alice);
  });

  it("sign-out or deletion clears every user's history and the old shared entry, and nothing else", () => {
    const store = memoryStore({ "gateway-playground-v1": JSON.stringify(talk("from before v2")), "other-app": "keep" });
    saveHistory(store, alice, talk("a"));
    saveHistory(store, bob, talk("b"));
    clearHistories(store);
    expect(store.dump()).toEqual({ "other-app": "keep" });
    expect(loadHistory(store, alice).messages).toEqual([]);
  });

  it("a malformed or foreign entry reads as an empty history", () => {
    const store = memoryStore({ [historyKey(alice)]: "{not json", [historyKey(bob)]: JSON.stringify({ model: 3, messages: [{ role: "system", content: "x" }, { role: "user", content: "ok" }] }) });
    expect(loadHistory(store, alice)).toEqual({ model: "", messages: [] });
    expect(loadHistory(store, bob)).toEqual({ model: "", messages: [{ role: "user", content: "ok" }] });
  });

  it("a full or disabled storage does not break the playground", () => {
    const store = memoryStore();
    store.setItem = () => { throw new Error("QuotaExceededError"); };
    expect(() => saveHistory(store, alice, talk("x"))).not.toThrow();
  });
});
