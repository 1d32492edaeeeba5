// `npm run e2e:openai-python`: OpenAI's documented tool loop with the openai Python SDK against
// the gateway (wrangler dev, stack.mjs), with the returned message appended as is
// (`messages.append(msg)`) and as `msg.model_dump(exclude_none=True)`. The stand-in answers
// with two tool calls, then text, each carrying `annotations: []` and `refusal: null`.
// Skips (exit 0, with a message) when no Python with the openai package can be had.
import { findPython, PY_DRIVER, pythonVersions, run } from "./python.mjs";
import { ensureClients, startStack } from "./stack.mjs";

const py = findPython();
if (!py) {
  console.log("SKIP: no Python with the openai package (pip install openai, or clients/.venv)");
  process.exit(0);
}
const { openai } = pythonVersions(py);
ensureClients();
let stack;
let failure = null;
try {
  stack = await startStack({ client: "e2e" });
  for (const name of ["tool-loop", "tool-loop-model-dump"]) {
    const before = stack.rec.take("e2e", "openai").length;
    const r = await run(py, [PY_DRIVER, `${stack.base}/api`, name], { OPENAI_API_KEY: stack.key });
    const turns = stack.rec.take("e2e", "openai").length - before;
    console.log(`openai-python ${openai} ${name}: exit ${r.status}, ${turns} turns reached the upstream`);
    if (r.status !== 0 || turns !== 3) failure = `${name}: exit ${r.status}, ${turns} turns\n${r.out}`;
  }
} catch (err) {
  failure = err instanceof Error ? err.stack : String(err);
} finally {
  await stack?.stop();
}
if (failure) {
  console.error(`FAIL: ${failure}`);
  process.exit(1);
}
console.log("PASS: the documented tool loop ran three turns with the Python SDK");
