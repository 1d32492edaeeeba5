import { createApp } from "./app";
import type { Env } from "./env";
import { runScheduled } from "./scheduled";

export { AccountDO } from "./account/account-do";
export { ChannelHealthDO } from "./health/health-do";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
