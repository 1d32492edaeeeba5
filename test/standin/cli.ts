// Run the stand-in by hand: npx tsx test/standin/cli.ts [port]
import { startStandin } from "./server.js";

const standin = await startStandin(Number(process.argv[2] ?? 0));
console.log(`standin listening on http://127.0.0.1:${standin.port}`);
const stop = () => void standin.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
