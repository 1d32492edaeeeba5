import { describe, expect, it } from "vitest";
import { CallAssembler, parseJsonPath, type CallEvent } from "./calls";

const done = (events: CallEvent[]) => events.flatMap((e) => (e.kind === "done" ? [e.call] : []));

function assemble(parts: unknown[]) {
  const a = new CallAssembler((i) => `id${i}`);
  const events = [...parts.flatMap((p) => a.push(p)), ...a.flush()];
  return done(events);
}

describe("parseJsonPath", () => {
  it.each([
    ["$", []],
    ["$.id", ["id"]],
    ["$.foo.bar[0].data", ["foo", "bar", 0, "data"]],
    ["$['a b']", ["a b"]],
    ["$[\"q\\\"x\"]", ["q\"x"]],
    ["$.items[12]", ["items", 12]],
  ])("%s", (path, expected) => expect(parseJsonPath(path)).toEqual(expected));

  it.each(["id", "$.", "$[", "$[x]", "$..a", "$[-1]"])("rejects %s", (path) => expect(parseJsonPath(path)).toBeNull());
});

describe("CallAssembler", () => {
  it("whole calls: args missing → {}, args given → JSON", () => {
    expect(assemble([{ name: "a" }, { name: "b", args: { x: [1, { y: null }] } }])).toEqual([
      { index: 0, id: "id0", name: "a", arguments: "{}" },
      { index: 1, id: "id1", name: "b", arguments: "{\"x\":[1,{\"y\":null}]}" },
    ]);
  });

  it("streamed string pieces for one path are appended while willContinue is set", () => {
    const calls = assemble([
      { name: "write", willContinue: true },
      { partialArgs: [{ jsonPath: "$.text", stringValue: "Hel", willContinue: true }], willContinue: true },
      { partialArgs: [{ jsonPath: "$.text", stringValue: "lo, ", willContinue: true }], willContinue: true },
      { partialArgs: [{ jsonPath: "$.text", stringValue: "world" }, { jsonPath: "$.n", numberValue: 2.5 }], willContinue: true },
      { partialArgs: [{ jsonPath: "$.flag", boolValue: false }, { jsonPath: "$.none", nullValue: "NULL_VALUE" }], willContinue: true },
      {},
    ]);
    expect(calls).toHaveLength(1);
    expect(JSON.parse(calls[0]!.arguments)).toEqual({ text: "Hello, world", n: 2.5, flag: false, none: null });
  });

  it("a finished string path is replaced, not appended, by a later piece", () => {
    const calls = assemble([{ name: "f", partialArgs: [{ jsonPath: "$.a", stringValue: "x" }, { jsonPath: "$.a", stringValue: "y" }] }]);
    expect(calls[0]!.arguments).toBe("{\"a\":\"y\"}");
  });

  it("nested objects and arrays are created from paths", () => {
    const calls = assemble([
      { name: "f", willContinue: true },
      { partialArgs: [{ jsonPath: "$.user.name", stringValue: "Ann" }, { jsonPath: "$.tags[0]", stringValue: "a" }, { jsonPath: "$.tags[1]", stringValue: "b" }], willContinue: true },
      { partialArgs: [{ jsonPath: "$.rows[0].id", numberValue: 1 }, { jsonPath: "$.rows[1]['id']", numberValue: 2 }] },
    ]);
    expect(JSON.parse(calls[0]!.arguments)).toEqual({ user: { name: "Ann" }, tags: ["a", "b"], rows: [{ id: 1 }, { id: 2 }] });
  });

  it("ignores holes, bad paths and prototype keys stay plain data", () => {
    const calls = assemble([{ name: "f", partialArgs: [
      { jsonPath: "$.big[100000000]", numberValue: 1 },
      { jsonPath: "nope", stringValue: "x" },
      { jsonPath: "$.__proto__.polluted", boolValue: true },
      { jsonPath: "$", stringValue: "root" },
      { stringValue: "no path" },
    ] }]);
    expect(calls[0]!.arguments).toBe("{\"big\":[],\"__proto__\":{\"polluted\":true}}");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("a new named call closes one left open; stray terminators are ignored", () => {
    const a = new CallAssembler((i) => `id${i}`);
    expect(a.push({})).toEqual([]);
    expect(a.push({ name: "a", willContinue: true })).toEqual([{ kind: "open", index: 0, id: "id0", name: "a" }]);
    const ev = a.push({ name: "b", args: { q: 1 } });
    expect(ev).toEqual([
      { kind: "done", announced: true, call: { index: 0, id: "id0", name: "a", arguments: "{}" } },
      { kind: "done", announced: false, call: { index: 1, id: "id1", name: "b", arguments: "{\"q\":1}" } },
    ]);
    expect(a.flush()).toEqual([]);
    expect(a.count).toBe(2);
  });
});
