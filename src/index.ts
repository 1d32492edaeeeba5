import { createApp } from "./app";
import type { Env } from "./env";
import { runScheduled } from "./scheduled";
import { consumeUsage } from "./usage/plane/consumer";

export { AccountDO } from "./account/account-do";
export { ChannelHealthDO } from "./health/health-do";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(env, controller.scheduledTime));
  },
  async queue(batch, env) {
    await consumeUsage(batch, env);
  },
} satisfies ExportedHandler<Env>;
