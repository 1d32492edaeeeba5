import { describe, expect, it } from "vitest";
import { generateApiKey, parseApiKey, sha256Hex, taggedKeyHash } from "./api-key";

const SECRET = "a-key-tag-secret-of-at-least-32-characters";
const OTHER = "another-key-tag-secret-of-32-characters!!";
const USER = "u0123456789abcdefghij";

describe("taggedKeyHash: the per-isolate memory of checked keys", () => {
  it("gives a tagged key's SHA-256, the same on the second call, and null under another secret even once remembered", async () => {
    const key = parseApiKey(await generateApiKey(USER, SECRET))!;
    const hash = await sha256Hex(key.key);
    expect(await taggedKeyHash(key, SECRET)).toBe(hash);
    expect(await taggedKeyHash(key, SECRET)).toBe(hash);
    expect(await taggedKeyHash(key, OTHER)).toBeNull();
  });

  it("never remembers a key whose tag is wrong: a forged key stays refused", async () => {
    const good = await generateApiKey(USER, SECRET);
    const forged = parseApiKey(`${good.slice(0, -6)}${good.endsWith("AAAAAA") ? "BBBBBB" : "AAAAAA"}`)!;
    expect(await taggedKeyHash(forged, SECRET)).toBeNull();
    expect(await taggedKeyHash(forged, SECRET)).toBeNull();
  });
});
