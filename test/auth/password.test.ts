import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { hashPassword, PASSWORD_ITERATIONS, verifyPassword } from "../../src/auth/password";
import { login, register, userRow } from "./helpers";

describe("password hashing (src/auth/password.ts)", () => {
  it("stores pbkdf2-sha256$v1$100000$<16-byte salt>$<32-byte hash>, salted per hash", async () => {
    expect(PASSWORD_ITERATIONS).toBe(100_000); // Cloudflare's production maximum for PBKDF2
    const a = await hashPassword("same password here");
    const b = await hashPassword("same password here");
    expect(a).toMatch(/^pbkdf2-sha256\$v1\$100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("same password here", a)).toEqual({ ok: true, needsRehash: false });
    expect(await verifyPassword("same password herE", a)).toEqual({ ok: false, needsRehash: false });
  });

  it("treats malformed hashes and hashes asking for more than the cap as wrong, without throwing", async () => {
    const good = await hashPassword("whatever password");
    const parts = good.split("$");
    for (const bad of ["", "plain", good.replace("v1", "v9"), [...parts.slice(0, 2), "100000000", ...parts.slice(3)].join("$"), parts.slice(0, 4).join("$")]) {
      expect(await verifyPassword("whatever password", bad)).toEqual({ ok: false, needsRehash: false });
    }
  });

  it("upgrades an older, weaker hash at the next successful sign-in", async () => {
    const { userId, email, password } = await register();
    const weak = await hashPassword(password, 10_000);
    expect(await verifyPassword(password, weak)).toEqual({ ok: true, needsRehash: true });
    await env.DB.prepare("UPDATE users SET password_hash = ? WHERE id = ?").bind(weak, userId).run();
    expect((await login(email, password)).status).toBe(200);
    const stored = String((await userRow(userId))!.password_hash);
    expect(stored).toMatch(/^pbkdf2-sha256\$v1\$100000\$/);
    expect((await verifyPassword(password, stored)).ok).toBe(true);
  });

  it("normalizes Unicode (NFC): composed and decomposed forms of the same password match", async () => {
    const stored = await hashPassword("caf\u00e9 au lait 123");
    expect((await verifyPassword("cafe\u0301 au lait 123", stored)).ok).toBe(true);
  });
});
