import type { Env } from "../env";
import { channelHealth } from "../health/health";
import type { Candidate, DispatchOptions } from "./dispatch";
import type { WaitUntil } from "./meter";

/**
 * The dispatcher's view of shared channel health (one ChannelHealthDO per channel). Reports go
 * out in waitUntil, so they never delay a response; reads never throw (health must not break requests).
 */
export function healthHooks(env: Env, ctx: WaitUntil): Pick<DispatchOptions, "health" | "report"> {
  const of = (c: Candidate) => channelHealth(env, c.channel.id);
  return {
    health: { peek: (c) => of(c).peek(), check: (c) => of(c).check() },
    report: (c, outcome, retryAfterSeconds) => ctx.waitUntil(of(c).report(outcome, retryAfterSeconds)),
  };
}
