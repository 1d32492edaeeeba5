import { createApp } from "./app";
import type { Env } from "./env";

export { AccountDO } from "./account/account-do";
export { ChannelHealthDO } from "./health/health-do";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
