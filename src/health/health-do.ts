import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

/** Placeholder until the circuit breaker lands (issue 3): every channel is healthy. */
export class ChannelHealthDO extends DurableObject<Env> {
  check(): { allow: boolean; state: "closed" } {
    return { allow: true, state: "closed" };
  }
}
