import { describe, expect, it } from "vitest";
import type { Channel } from "../catalog/catalog";
import { spreadByWeight } from "./dispatch";

const ch = (id: string, priority: number, weight: number): Channel => ({ id, provider: id, upstreamModel: id, priority, weight });

describe("spreadByWeight", () => {
  it("keeps priorities in order and never drops a channel", () => {
    const list = [ch("c", 1, 1), ch("a", 0, 1), ch("b", 0, 5), ch("d", 2, 1)];
    for (const r of [0, 0.3, 0.99]) {
      const order = spreadByWeight(list, () => r).map((c) => c.id);
      expect(order.slice(2)).toEqual(["c", "d"]);
      expect(order.slice(0, 2).sort()).toEqual(["a", "b"]);
    }
  });

  it("puts a channel first in proportion to its weight", () => {
    const list = [ch("a", 0, 1), ch("b", 0, 3)];
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const firsts = { a: 0, b: 0 };
    for (let i = 0; i < 4000; i++) firsts[spreadByWeight(list, random)[0]!.id as "a" | "b"]++;
    expect(firsts.b / firsts.a).toBeGreaterThan(2.5);
    expect(firsts.b / firsts.a).toBeLessThan(3.5);
  });

  it("with random() at its bounds picks the first and the last channel", () => {
    const list = [ch("a", 0, 1), ch("b", 0, 1)];
    expect(spreadByWeight(list, () => 0)[0]!.id).toBe("a");
    expect(spreadByWeight(list, () => 0.999999)[0]!.id).toBe("b");
  });
});
