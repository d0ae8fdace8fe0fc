// The parts of package.json that are generated from the core, so there is one source for each:
// - contributes.languageModelTools: the tool catalog, with input schemas from the operation registry;
// - explorer action commands, their context menus and their hiding from the command palette;
// - the pilotLight.guardrails.* settings, from the guardrail policy schema and its safe defaults.
// Needs the compiled core in out/ (npx tsc -p tsconfig.test.json).

import { createRequire } from 'node:module';
import { join } from 'node:path';

const ACTION_PREFIX = 'pilotLight.action.';
const GUARDRAIL_PREFIX = 'pilotLight.guardrails.';

export function loadCore(repoRoot) {
  const require = createRequire(join(repoRoot, 'package.json'));
  const out = (path) => require(join(repoRoot, 'out', 'src', 'core', path));
  return {
    operations: out('operations/index.js'),
    tools: out('agent/toolCatalog.js'),
    actions: out('actions/resourceActions.js'),
    policySchema: out('guardrails/policySchema.js'),
    policy: out('guardrails/policy.js'),
  };
}

/** What the generated parts should be. */
export function generatedContributions(core) {
  const registry = core.operations.createOperationRegistry();
  const schemaOf = (id) => registry.describe(id)?.inputJsonSchema;
  const tools = core.tools.languageModelToolContributions(schemaOf);
  const actions = core.actions.RESOURCE_ACTIONS;
  const fields = core.policySchema.guardrailsJsonSchema().properties;
  const defaults = core.policy.DEFAULT_GUARDRAIL_POLICY;
  const settings = {};
  for (const [field, schema] of Object.entries(fields)) {
    if (field === '$schema') continue;
    settings[`${GUARDRAIL_PREFIX}${field}`] = {
      ...schema,
      default: defaults[field],
      scope: 'application',
      description:
        `${schema.description ?? ''} User settings only: workspace settings are ignored, and a workspace's .pilotlight/guardrails.json can only tighten this.`.trim(),
    };
  }
  return {
    tools,
    commands: actions.map((action) => ({ command: action.command, title: action.title, category: 'Pilot Light' })),
    menus: actions.map((action) => ({
      command: action.command,
      when: core.actions.menuWhen(action),
      group: action.group,
    })),
    palette: actions.map((action) => ({ command: action.command, when: 'false' })),
    settings,
  };
}

/** package.json with the generated parts replaced and everything else untouched. */
export function applyContributions(pkg, generated) {
  const next = JSON.parse(JSON.stringify(pkg));
  const contributes = (next.contributes ??= {});
  contributes.languageModelTools = generated.tools;
  const isAction = (entry) => entry.command.startsWith(ACTION_PREFIX);
  contributes.commands = [...(contributes.commands ?? []).filter((entry) => !isAction(entry)), ...generated.commands];
  const menus = (contributes.menus ??= {});
  menus['view/item/context'] = [
    ...(menus['view/item/context'] ?? []).filter((entry) => !isAction(entry)),
    ...generated.menus,
  ];
  menus.commandPalette = [...(menus.commandPalette ?? []).filter((entry) => !isAction(entry)), ...generated.palette];
  const configuration = (contributes.configuration ??= { title: 'Pilot Light', properties: {} });
  const properties = Object.fromEntries(
    Object.entries(configuration.properties ?? {}).filter(([key]) => !key.startsWith(GUARDRAIL_PREFIX)),
  );
  configuration.properties = { ...properties, ...generated.settings };
  return next;
}

/** The same formatting as Python's json.dump(indent=2) with ensure_ascii, which colleagues use. */
export function formatPackageJson(pkg) {
  return `${JSON.stringify(pkg, null, 2).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
