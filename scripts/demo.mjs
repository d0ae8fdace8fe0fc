// npm run demo: emulated AWS account + code-server with the freshly built extension. Ctrl-C stops everything.
// Writes nothing into the user's home: AWS config, code-server state and logs live in throwaway folders.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { startCodeServer } from './lib/codeServer.mjs';
import { makeThrowawayDir } from './lib/processes.mjs';
import {
  buildTests,
  log,
  packageExtension,
  PACKAGED_VSIX,
  REPO_ROOT,
  startHostTestStack,
  TEST_WORKSPACE,
} from './lib/vscodeHost.mjs';

const started = Date.now();
log('building the extension and the emulator tooling…');
buildTests();
packageExtension();

// As on AWS, a started or stopped instance shows pending or stopping for a few seconds (moto switches at once).
const stack = await startHostTestStack({ layer: 'demo', emulatorArgs: ['--ec2-transition-ms', '5000'] });
const logs = makeThrowawayDir('demo-logs');
// The demo writes plans, exports and guardrail files into its workspace: a throwaway copy of the fixture.
const workspace = makeThrowawayDir('demo-workspace');
cpSync(TEST_WORKSPACE, workspace.path, { recursive: true });
// The sample recovery plan and its protection groups (the seeded web, app and db servers, by their Role tag).
cpSync(join(REPO_ROOT, 'samples', 'recovery-plan', 'groups'), join(workspace.path, '.pilotlight', 'dr', 'groups'), {
  recursive: true,
});
cpSync(join(REPO_ROOT, 'samples', 'recovery-plan', 'plans'), join(workspace.path, '.pilotlight', 'dr', 'plans'), {
  recursive: true,
});
const SAMPLE_PLAN = join(workspace.path, '.pilotlight', 'dr', 'plans', 'three-tier.recovery-plan.yaml');
let codeServer;
const stopAll = async (code = 0) => {
  log('stopping code-server and the emulators…');
  await codeServer?.stop();
  await stack.stop();
  logs.remove();
  workspace.remove();
  process.exit(code);
};
process.once('SIGINT', () => void stopAll(0));
process.once('SIGTERM', () => void stopAll(0));

try {
  codeServer = await startCodeServer({
    repoRoot: REPO_ROOT,
    workspace: workspace.path,
    // The demo shows the MCP server in VS Code's MCP list too (off by default for users).
    // Recovery plans open in the visual editor here ("Open as text" switches back).
    settings: {
      ...stack.settings,
      'pilotLight.mcp.enabled': true,
      'workbench.editorAssociations': { '*.recovery-plan.yaml': 'pilotLight.recoveryPlanEditor' },
    },
    env: stack.env,
    extensionsToInstall: [PACKAGED_VSIX],
    logFile: join(logs.path, 'code-server.log'),
  });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await stopAll(1);
}

// The URL opens the sample plan too. At startup the workbench opens it before extension editors are known,
// so as text: its title bar's graph icon (Open Recovery Plan in Visual Editor) switches; later opens use the
// association above.
const url = codeServer.workbenchUrl({
  folder: workspace.path,
  payload: [['openFile', codeServer.remoteUri(SAMPLE_PLAN)]],
});
console.log(`
Pilot Light demo is running (ready in ${((Date.now() - started) / 1000).toFixed(0)} s)

  VS Code:        ${url}
  AWS endpoint:   ${stack.endpoint}  (moto + DRS emulator, region ${stack.region}, credentials testing/testing)

Open the URL, then the AWS icon in the activity bar. To try:
  - the sample recovery plan is open (.pilotlight/dr/plans/three-tier.recovery-plan.yaml; its groups hold the
    seeded db, app and web servers): the graph icon in its title bar opens the visual editor (from then on it
    opens there); Preflight, add a wave, drag a dependency, then Run as Drill
  - Explorer → Launch templates → right-click a template → Edit Launch Template… (versions, diff, rollback)
  - the funnel on the explorer: web-1, or Role=app (pushed to the EC2 API)
  - Chat: @aws stop the app server · @aws which instances are in the private subnet? · @aws find things I'm paying for but not using
  - a DRS source server → Explain Replication Problem; a recovery plan file → Generate DR Runbook
  - Extensions → MCP servers: "Pilot Light" (the same guarded tools for agents); from a terminal: node dist/mcp.js --stdio
Press Ctrl-C to stop.
`);
