const { hostileGuardrailsFiles } = require('./out/test/support/hostileGuardrails');
const f = hostileGuardrailsFiles().find((x) => x.name === 'thousands of unknown keys');
const t0 = (fn, label) => { const xs = []; let r; for (let i = 0; i < 5; i++) { const t = process.hrtime.bigint(); r = fn(); xs.push(Number(process.hrtime.bigint() - t) / 1e6); } xs.sort((a,b)=>a-b); console.log(label, xs.map(Math.round)); return r; };
const raw = t0(() => JSON.parse(f.text), 'JSON.parse');
t0(() => Object.entries(raw).length, 'entries');
t0(() => Buffer.byteLength(f.text), 'byteLength');
t0(() => { let n = 0; for (const k of Object.keys(raw)) if (Object.hasOwn({a:1}, k)) n++; return n; }, 'hasOwn loop');
t0(() => JSON.parse(f.text, (k, v) => v), 'JSON.parse reviver');
t0(() => new Map(Object.entries(JSON.parse(f.text))), 'map');
