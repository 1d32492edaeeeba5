import { startStandin } from "./standin/server.js";

/** Starts the stand-in upstream (recorded provider fixtures) on the port vitest.config.ts chose. */
export default async function setup() {
  const standin = await startStandin(Number(process.env.STANDIN_PORT));
  return () => standin.close();
}
