// npm run demo: emulated AWS account + code-server with the freshly built extension. Ctrl-C stops everything.
// Writes nothing into the user's home: AWS config, code-server state and logs live in throwaway folders.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
// The sample three-tier environment, deployed with CloudFormation, with one property drifted out of band: the
// template opens with the drift decoration on its line.
const templatePath = join(workspace.path, 'three-tier', 'template.yaml');
let driftNote;
try {
  const threeTier = createRequire(import.meta.url)(join(REPO_ROOT, 'out', 'tools', 'seed', 'threeTier.js'));
  const target = {
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  const { physicalIds } = await threeTier.deployThreeTier(target, REPO_ROOT, 'three-tier');
  await threeTier.changeInstanceType(target, physicalIds.WebInstance, 't3.large');
  cpSync(join(REPO_ROOT, 'samples', 'three-tier'), join(workspace.path, 'three-tier'), { recursive: true });
  mkdirSync(join(workspace.path, '.pilotlight'), { recursive: true });
  writeFileSync(
    join(workspace.path, '.pilotlight', 'iac.json'),
    `${JSON.stringify({ cloudformation: { 'three-tier/template.yaml': 'three-tier' } }, null, 2)}\n`,
  );
  driftNote = `stack three-tier deployed; WebInstance (${physicalIds.WebInstance}) changed to t3.large out of band`;
} catch (error) {
  driftNote = `the sample stack could not be deployed: ${error instanceof Error ? error.message : error}`;
  console.error(`[pilot-light] ${driftNote}`);
}
// Demo data for the other views: containers, the organization, cost, CloudWatch, AWS Backup, insights and
// compliance (tools/seed/breadth.ts). Each step is independent; a step that fails is noted, the demo goes on.
let breadthNotes;
try {
  const breadth = createRequire(import.meta.url)(join(REPO_ROOT, 'out', 'tools', 'seed', 'breadth.js'));
  const { steps } = await breadth.seedBreadthDemo({
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  for (const step of steps.filter((entry) => !entry.ok)) console.error(`[pilot-light] ${step.note}`);
  breadthNotes = steps.filter((step) => step.step !== 'account').map((step) => step.note);
} catch (error) {
  breadthNotes = [`the demo data could not be seeded: ${error instanceof Error ? error.message : error}`];
  console.error(`[pilot-light] ${breadthNotes[0]}`);
}
// The sample recovery plan and its protection groups (the seeded web, app and db servers, by their Role tag).
cpSync(join(REPO_ROOT, 'samples', 'recovery-plan', 'groups'), join(workspace.path, '.pilotlight', 'dr', 'groups'), {
  recursive: true,
});
cpSync(join(REPO_ROOT, 'samples', 'recovery-plan', 'plans'), join(workspace.path, '.pilotlight', 'dr', 'plans'), {
  recursive: true,
});
const planPath = join(workspace.path, '.pilotlight', 'dr', 'plans', 'three-tier.recovery-plan.yaml');
// Its health checks (samples/recovery-plan/ssm) are registered in the account by the emulators' sample seed.
cpSync(join(REPO_ROOT, 'samples', 'recovery-plan', 'ssm'), join(workspace.path, 'health-checks'), { recursive: true });
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
    // The URL opens one file; the extension opens the Getting Started walkthrough, then the sample plan beside
    // it in the visual editor (demo only).
    env: { ...stack.env, PILOT_LIGHT_DEMO_WALKTHROUGH: '1', PILOT_LIGHT_DEMO_OPEN_FILES: planPath },
    extensionsToInstall: [PACKAGED_VSIX],
    logFile: join(logs.path, 'code-server.log'),
  });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await stopAll(1);
}

// The URL opens the drifted template, so its decorations show at once; the extension opens the sample plan
// beside it in the visual editor once it is active (PILOT_LIGHT_DEMO_OPEN_FILES).
const url = codeServer.workbenchUrl({
  folder: workspace.path,
  payload: [['openFile', codeServer.remoteUri(templatePath)]],
});
console.log(`
Pilot Light demo is running (ready in ${((Date.now() - started) / 1000).toFixed(0)} s)

  VS Code:        ${url}
  AWS endpoint:   ${stack.endpoint}  (moto + DRS emulator, region ${stack.region}, credentials testing/testing)

Open the URL: three-tier/template.yaml opens with its drift on the WebInstance line (${driftNote}),
and beside it the sample recovery plan (.pilotlight/dr/plans/three-tier.recovery-plan.yaml) in the visual editor.
The Getting Started walkthrough ("Pilot Light: your first DR drill") opens too: from the DRS servers to groups, a plan,
a preflight, a drill (type "production" to approve it), its report and the clean-up, without writing YAML.
Then the AWS icon in the activity bar. To try:
  - the template: lenses (Check drift · Preview changes · Deploy), hover a resource, the quick fixes on the drift
  - the sample recovery plan (its groups hold the seeded db, app and web servers; its waves run the SSM health
    checks in health-checks/, registered in the account): Preflight, add a wave, drag a dependency, then Run as
    Drill (the web wave pauses for a Resume); "Open as text" switches to the YAML
  - Explorer → Launch templates → right-click a template → Edit Launch Template… (versions, diff, rollback)
  - the funnel on the explorer: web-1, or Role=app (pushed to the EC2 API)
  - Chat: @aws stop the app server · @aws which instances are in the private subnet? · @aws find things I'm paying for but not using
  - a DRS source server → Explain Replication Problem; a recovery plan file → Generate DR Runbook
  - Extensions → MCP servers: "Pilot Light" (the same guarded tools for agents); from a terminal: node dist/mcp.js --stdio
  - Explorer → ECS → demo → web (tasks, logs) · ECR · Organization (OUs and accounts) · Alarms (web-1-cpu-high in
    ALARM; web-1 shows its CPU sparkline) · Logs (/ecs/web) · AWS Backup (demo-vault, demo-daily)
  - the Cost, Insights ("click to check now": background checks stay off until pilotLight.insights.enabled) and
    Compliance (Run Checks Now) views in the Pilot Light panel; Chat: @aws /cost · @aws /cost savings ·
    @aws /cost schedules · @aws /cost refresh prices eu-west-1 (Price List test prices)
Demo data seeded:
${breadthNotes.map((note) => `  - ${note}`).join('\n')}
Press Ctrl-C to stop.
`);
