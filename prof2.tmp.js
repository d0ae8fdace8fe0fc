const { hostileGuardrailsFiles } = require('./out/test/support/hostileGuardrails');
const { resolveGuardrailPolicy } = require('./out/src/core/guardrails/policy');
const f = hostileGuardrailsFiles().find((x) => x.name === process.argv[2]);
for (let i = 0; i < 3; i++) resolveGuardrailPolicy({ workspaceFile: { path: 'x', text: f.text } });
