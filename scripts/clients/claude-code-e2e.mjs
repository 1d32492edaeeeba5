// `npm run e2e:claude-code`: the real Claude Code CLI against the gateway. Starts the recording
// stand-in (as Anthropic) and `wrangler dev` (stack.mjs), makes a key, and runs
//   ANTHROPIC_BASE_URL=<gateway>/api ANTHROPIC_API_KEY=<key> claude -p "Read <file> …" --allowedTools Read
// The stand-in answers the first turn with a Read tool call; Claude Code must run it, send the
// file's text back as a tool_result through the gateway, get the final answer and exit 0.
// Installs clients/ on demand. Everything it started is stopped on every path.
import { ensureClients, startStack } from "./stack.mjs";

const started = Date.now();
ensureClients();
const { SECRET_WORD, runClaude } = await import("../../clients/drivers/claude.mjs");
let stack;
let failure = null;
try {
  stack = await startStack({ client: "e2e" });
  const model = stack.models.find((m) => /^claude-sonnet/.test(m)) ?? stack.models.find((m) => /^claude-/.test(m));
  if (!model) throw new Error(`no Claude model in the catalog: ${stack.models.join(", ")}`);
  const ready = Date.now();
  const r = await runClaude({ baseUrl: `${stack.base}/api`, apiKey: stack.key, ws: stack.ws, model, smallModel: model, timeoutMs: 120_000 });
  const sent = stack.rec.take("e2e", "anthropic");
  const toolResult = sent.some((q) => JSON.stringify(q.body?.messages?.at(-1) ?? "").includes(SECRET_WORD));
  console.log(`claude -p exit ${r.code} in ${r.ms} ms (model ${model}); upstream requests: ${sent.length}; tool_result relayed: ${toolResult}`);
  console.log(`stack start ${ready - started} ms, total ${Date.now() - started} ms`);
  if (r.code !== 0) failure = `claude -p exited ${r.code}\n${r.stdout}\n${r.stderr}`;
  else if (!toolResult) failure = `the tool_result with the file's text never reached the upstream\n${r.stdout}`;
  else {
    const result = JSON.parse(r.stdout);
    if (result.is_error) failure = `claude reported an error: ${r.stdout}`;
    else console.log(`result: ${String(result.result).slice(0, 120)}`);
  }
} catch (err) {
  failure = err instanceof Error ? err.stack : String(err);
} finally {
  if (failure && stack) console.error(`--- wrangler output (tail) ---\n${stack.log().slice(-3000)}`);
  await stack?.stop();
}
if (failure) {
  console.error(`FAIL: ${failure}`);
  process.exit(1);
}
console.log("PASS: Claude Code completed a tool-use turn through the gateway");
