import { TrieRouter } from "hono/router/trie-router";
import { describe, expect, it } from "vitest";
import { CachedRouter } from "./cached-router";

function counted() {
  const inner = new TrieRouter<string>();
  let calls = 0;
  const match = inner.match.bind(inner);
  inner.match = (method, path) => {
    calls++;
    return match(method, path);
  };
  return { inner, calls: () => calls };
}

describe("CachedRouter", () => {
  it("answers a repeated method and path from its cache with the same handlers and parameters", () => {
    const { inner, calls } = counted();
    const r = new CachedRouter(inner);
    r.add("GET", "/models/:id{.+}", "model");
    r.add("POST", "/chat/completions", "chat");
    const first = r.match("GET", "/models/openai/gpt-4o");
    expect(first[0].map(([h]) => h)).toEqual(["model"]);
    expect(r.match("GET", "/models/openai/gpt-4o")).toBe(first);
    expect(calls()).toBe(1);
    expect(r.match("POST", "/chat/completions")[0].map(([h]) => h)).toEqual(["chat"]);
    expect(r.match("GET", "/chat/completions")[0]).toEqual([]);
    expect(calls()).toBe(3);
  });

  it("forgets its answers when a route is added, so a new route is matched", () => {
    const r = new CachedRouter(new TrieRouter<string>());
    r.add("GET", "/a", "a");
    expect(r.match("GET", "/b")[0]).toEqual([]);
    r.add("GET", "/b", "b");
    expect(r.match("GET", "/b")[0].map(([h]) => h)).toEqual(["b"]);
  });

  it("keeps at most its limit of answers and still answers correctly past it", () => {
    const { inner, calls } = counted();
    const r = new CachedRouter(inner, 2);
    r.add("GET", "/u/:id", "user");
    for (const id of ["1", "2", "3", "1"]) {
      const [[match]] = r.match("GET", `/u/${id}`) as [[string, Record<string, string>][]];
      expect(match).toEqual(["user", { id }]);
    }
    expect(calls()).toBe(4); // "/u/1" was dropped when the cache started over at "/u/3"
  });
});
