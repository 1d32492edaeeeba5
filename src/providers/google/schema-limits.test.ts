import { describe, expect, it } from "vitest";
import { toGeminiParameters } from "./schema";

describe("Gemini tool schemas: size limits", () => {
  it("a tool schema whose $refs expand exponentially is refused with a 400 instead of exhausting memory", () => {
    const defs: Record<string, unknown> = {};
    for (let l = 0; l < 9; l++) {
      const props: Record<string, unknown> = {};
      for (let i = 0; i < 8; i++) props[`p${i}`] = l + 1 < 9 ? { $ref: `#/$defs/d${l + 1}` } : { type: "string" };
      defs[`d${l}`] = { type: "object", properties: props };
    }
    expect(() => toGeminiParameters({ type: "object", properties: { root: { $ref: "#/$defs/d0" } }, $defs: defs }))
      .toThrow(expect.objectContaining({ status: 400, code: "schema_too_large" }));
  });
});
