import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { createApp } from "../../src/app";
import type { Env } from "../../src/env";

/** How often a request touched the ACCOUNT namespace (any id or stub) and D1 (any statement). */
export interface Touches { account: number; d1: number }

/** Wraps a binding so that every method call counts (the calls themselves go through). */
function counted<T extends object>(target: T, bump: () => void): T {
  return new Proxy(target, {
    get(t, prop) {
      const v = Reflect.get(t, prop, t) as unknown;
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        bump();
        return (v as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}

/** Runs one request through the worker's app with ACCOUNT and DB wrapped; returns the answer and the counts. */
export async function fetchCounted(request: Request, extra: Partial<Env> = {}): Promise<{ res: Response; touches: Touches }> {
  const touches: Touches = { account: 0, d1: 0 };
  const wrapped = {
    ...env, ...extra,
    ACCOUNT: counted(env.ACCOUNT, () => touches.account++),
    DB: counted(env.DB, () => touches.d1++),
  } as Env;
  const ctx = createExecutionContext();
  const res = await createApp().fetch(request, wrapped, ctx);
  await res.clone().arrayBuffer();
  await waitOnExecutionContext(ctx);
  return { res, touches };
}
