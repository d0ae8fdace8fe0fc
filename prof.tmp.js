const { hostileGuardrailsFiles } = require('./out/test/support/hostileGuardrails');
const { parseTree, createScanner } = require('jsonc-parser');
const { guardrailsFileSchema } = require('./out/src/core/guardrails/policySchema');
const { resolveGuardrailPolicy } = require('./out/src/core/guardrails/policy');
const med = (fn) => { const xs = []; for (let i = 0; i < 5; i++) { const t = process.hrtime.bigint(); fn(); xs.push(Number(process.hrtime.bigint() - t) / 1e6); } xs.sort((a, b) => a - b); return Math.round(xs[2]); };
for (const f of hostileGuardrailsFiles()) {
  const scan = () => { const s = createScanner(f.text, true); while (s.scan() !== 17); };
  console.log(f.name.padEnd(36), { jsonParse: med(() => { try { JSON.parse(f.text); } catch {} }), scan: med(scan), parseTree: med(() => parseTree(f.text, [])), resolve: med(() => resolveGuardrailPolicy({ workspaceFile: { path: 'x', text: f.text } })) });
}
