// Type test (checked by `tsc --noEmit`, never run): each router sees only the variables its own
// middleware sets. Every `@ts-expect-error` below must stay an error; were Hono's global
// ContextVariableMap augmented again, they would type-check and tsc would fail on the unused directives.
import { Hono } from "hono";
import type { BaseEnv } from "../../src/env";
import type { ErrorFormatEnv } from "../../src/errors";
import type { AdminEnv } from "../../src/middleware/admin-auth";
import type { ApiKeyEnv } from "../../src/middleware/api-key";
import { managementKeyAuth, type ManagementEnv } from "../../src/middleware/management-key";
import { sessionAuth, type SessionEnv } from "../../src/middleware/session";
import { verifiedKey } from "../../src/middleware/verified-key";

export const unauthenticated = new Hono<BaseEnv>().get("/", (c) => {
  // @ts-expect-error a router without an authenticating middleware has no signed-in user
  c.get("user");
  // @ts-expect-error nor an API caller
  c.get("caller");
  return c.text("ok");
});

export const sessionRouter = new Hono<SessionEnv>().get("/", (c) => {
  const id: string = c.get("user").id;
  // @ts-expect-error a session router has no API caller
  c.get("caller");
  // @ts-expect-error nor an operator actor
  c.get("adminActor");
  return c.text(id);
});

export const inlineSession = new Hono<BaseEnv>().get("/session", sessionAuth(), (c) => c.text(c.get("user").id));

export const apiKeyRouter = new Hono<ApiKeyEnv>()
  .get("/caller", (c) => {
    const userId: string = c.get("caller").userId;
    // @ts-expect-error the key's record exists only after verifiedKey()
    c.get("key");
    // @ts-expect-error an API-key router has no session user
    c.get("user");
    return c.text(userId);
  })
  .get("/key", verifiedKey(), (c) => c.text(c.get("key").id));

export const adminRouter = new Hono<AdminEnv>().get("/", (c) => {
  const actor: string = c.get("adminActor");
  // @ts-expect-error the operator API's actor may be the operator token: there is no session user
  c.get("user");
  return c.text(actor);
});

export const errorShape = new Hono<ErrorFormatEnv>().use(async (c, next) => {
  c.set("errorFormat", "anthropic");
  // @ts-expect-error only the two error families exist
  c.set("errorFormat", "xml");
  await next();
});

export const provisioning = new Hono<BaseEnv>().use("/keys", managementKeyAuth()).get("/keys", (c) => c.text(c.get("management").walletId));

export const managementRouter = new Hono<ManagementEnv>().get("/", (c) => {
  // @ts-expect-error a management key is not an API key: there is no caller
  c.get("caller");
  return c.text(c.get("management").managementKeyId);
});
