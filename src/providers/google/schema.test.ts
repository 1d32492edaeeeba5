import { describe, expect, it } from "vitest";
import { toGeminiParameters, toResponseJsonSchema } from "./schema";

describe("toGeminiParameters", () => {
  it("strips keywords Gemini rejects, recursively", () => {
    expect(toGeminiParameters({
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      additionalProperties: false,
      properties: {
        location: { type: "string", description: "City", format: "uri", examples: ["Paris"] },
        when: { type: "string", format: "date-time" },
        count: { type: "integer", minimum: 1, exclusiveMaximum: 10, format: "int32" },
        unit: { type: "string", enum: ["c", "f"] },
        nums: { type: "integer", enum: [1, 2] },
        nested: { type: "object", additionalProperties: { type: "string" }, properties: { a: { type: "array", items: { type: "string" }, uniqueItems: true } } },
      },
      required: ["location", "ghost"],
      strict: true,
    })).toEqual({
      type: "object",
      properties: {
        location: { type: "string", description: "City" },
        when: { type: "string", format: "date-time" },
        count: { type: "integer", minimum: 1, format: "int32" },
        unit: { type: "string", enum: ["c", "f"] },
        nums: { type: "integer" },
        nested: { type: "object", properties: { a: { type: "array", items: { type: "string" } } } },
      },
      required: ["location"],
    });
  });

  it("nullable types, oneOf/anyOf with null, const, allOf", () => {
    expect(toGeminiParameters({
      type: "object",
      properties: {
        a: { type: ["string", "null"] },
        b: { anyOf: [{ type: "number" }, { type: "null" }] },
        c: { oneOf: [{ type: "string" }, { type: "integer" }] },
        d: { const: "fixed" },
        e: { allOf: [{ type: "object", properties: { x: { type: "string" } }, required: ["x"] }, { properties: { y: { type: "string" } } }] },
      },
    })).toEqual({
      type: "object",
      properties: {
        a: { type: "string", nullable: true },
        b: { type: "number", nullable: true },
        c: { anyOf: [{ type: "string" }, { type: "integer" }] },
        d: { enum: ["fixed"] },
        e: { type: "object", properties: { x: { type: "string" }, y: { type: "string" } }, required: ["x"] },
      },
    });
  });

  it("inlines local $refs and stops recursive ones", () => {
    const out = toGeminiParameters({
      type: "object",
      $defs: { Pet: { type: "object", properties: { name: { type: "string" } } }, Node: { type: "object", properties: { next: { $ref: "#/$defs/Node" } } } },
      properties: { pet: { $ref: "#/$defs/Pet", description: "A pet" }, list: { $ref: "#/$defs/Node" }, old: { $ref: "#/definitions/Missing" } },
    });
    expect(out!.properties).toMatchObject({ pet: { type: "object", description: "A pet", properties: { name: { type: "string" } } }, old: {} });
    expect(JSON.stringify(out)).not.toContain("$ref");
    expect(JSON.stringify(out)).not.toContain("$defs");
  });

  it("no parameters → undefined", () => {
    expect(toGeminiParameters(undefined)).toBeUndefined();
    expect(toGeminiParameters({})).toBeUndefined();
    expect(toGeminiParameters({ type: "object", properties: {}, additionalProperties: false })).toBeUndefined();
  });

  it("bounds pathological nesting", () => {
    let s: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 200; i++) s = { type: "object", properties: { x: s } };
    expect(() => JSON.stringify(toGeminiParameters(s))).not.toThrow();
  });
});

describe("toResponseJsonSchema", () => {
  it("keeps JSON Schema as is, minus $schema", () => {
    const schema = { $schema: "x", type: "object", properties: { a: { type: "string" } }, additionalProperties: false, required: ["a"] };
    expect(toResponseJsonSchema(schema)).toEqual({ type: "object", properties: { a: { type: "string" } }, additionalProperties: false, required: ["a"] });
  });
});
