/**
 * A recovery plan paused on Step Functions, answered from the command line: moto executes the compiled
 * plan (its aws-sdk:drs tasks reach the DRS emulator), the follower maps the execution history to the run
 * state the visual editor's nodes show, and `node dist/mcp.js dr resume` — a separate process through the
 * runtime (registered operation, guardrails, audit) — resumes the paused wave. Needs `npm run build` first.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { RunnerDeps } from '../../src/core/dr/run';
import {
  deployPlan,
  operationSfnReads,
  outputOf,
  prepareDeployment,
  startPlanRun,
  type StepFunctionsRunFollower,
} from '../../src/core/dr/stepFunctions';
import type { OperationRunner, RunOptions } from '../../src/core/operations';
import { runView } from '../../src/features/editors/recoveryPlan/runView';
import { emulatorStack, resetAndSeed, useEmulatorStack, waitFor } from '../support/emulators';
import { approvingProvider } from '../support/operationHarness';
import { productDeps, tempDir, threeTierPlan, tierGroups } from '../support/dr';

useEmulatorStack();

const MCP = resolve(__dirname, '..', '..', '..', 'dist', 'mcp.js');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('Step Functions pause answered from the CLI (pilot-light-mcp dr)', function () {
  this.timeout(180_000);
  let dir: ReturnType<typeof tempDir>;
  let deps: RunnerDeps & { operations: OperationRunner };
  let options: RunOptions;
  let follower: StepFunctionsRunFollower | undefined;

  beforeEach(async () => {
    await resetAndSeed('sample');
    dir = tempDir();
    deps = await productDeps(dir.path, { auditPath: `${dir.path}/audit.jsonl`, approval: approvingProvider() });
    options = { caller: 'command', mode: 'execute', approvalProvider: approvingProvider() };
  });
  afterEach(() => {
    follower?.close();
    follower = undefined;
    dir.remove();
  });

  /** Runs the CLI as its own process, without a terminal (stdin is not a TTY). */
  function cli(args: string[]): Promise<CliResult> {
    const stack = emulatorStack();
    return new Promise((done) => {
      execFile(
        process.execPath,
        [MCP, 'dr', ...args, '--endpoint-url', stack.endpoint, '--region', stack.region],
        {
          env: {
            PATH: process.env.PATH ?? '',
            AWS_ACCESS_KEY_ID: 'testing',
            AWS_SECRET_ACCESS_KEY: 'testing',
            AWS_CONFIG_FILE: '/nonexistent/pilot-light-test/config',
            AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/pilot-light-test/credentials',
            AWS_EC2_METADATA_DISABLED: 'true',
          },
          timeout: 60_000,
        },
        (error, stdout, stderr) =>
          done({
            code: error ? ((error as { code?: number }).code ?? 1) : 0,
            stdout: String(stdout),
            stderr: String(stderr),
          }),
      );
    });
  }

  it('a paused wave shows as held on the nodes, is refused without the typed confirmation, and resumes from the CLI', async () => {
    const plan = threeTierPlan({}, { app: { pauseBeforeWave: true } });
    const prepared = await prepareDeployment({
      plan,
      groups: tierGroups(),
      reads: deps.reads,
      region: emulatorStack().region,
      pollSeconds: 1,
    });
    outputOf(await deployPlan(deps.operations, prepared, options), 'deploy');
    follower = await startPlanRun({
      operations: deps.operations,
      options,
      journalDir: dir.path,
      plan,
      groups: tierGroups(),
      reads: deps.reads,
      region: emulatorStack().region,
      mode: 'drill',
      pollSeconds: 1,
    });
    const running = follower;
    const sfnReads = operationSfnReads(deps.operations, options);
    const poll = async () => {
      await running.poll(sfnReads, deps.reads);
      return running.snapshot();
    };
    await waitFor(
      async () => ((await poll()).waves.app.status === 'held' ? true : undefined),
      'the app wave to pause',
      { timeoutMs: 90_000, intervalMs: 300 },
    );
    const executionArn = running.executionArn;

    // What the editor's nodes get for this run: db done with its servers launched, app held, web not started.
    const held = runView(running.snapshot(), 'stepFunctions');
    const wave = (name: string) => held.waves.find((w) => w.name === name)!;
    assert.equal(held.engine, 'stepFunctions');
    assert.equal(held.status, 'running');
    assert.equal(wave('db').status, 'completed');
    assert.ok(wave('db').servers.length > 0);
    assert.ok(
      wave('db').servers.every((server) => server.status === 'LAUNCHED'),
      JSON.stringify(wave('db')),
    );
    assert.equal(wave('app').status, 'held');
    assert.equal(wave('web').status, 'pending');

    // The CLI lists what waits, from the history alone.
    const listed = await cli(['waiting', '--execution', executionArn, '--audit', join(dir.path, 'cli-audit.jsonl')]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /paused\s+wave app\s+step app\/pause/);

    // The account is a protected environment: without a terminal and without --confirm, refused.
    const config = join(dir.path, 'cli.json');
    const account = executionArn.split(':')[4];
    writeFileSync(
      config,
      JSON.stringify({
        audit: join(dir.path, 'cli-audit.jsonl'),
        guardrails: { accountEnvironments: { [account]: 'prod' } },
      }),
    );
    const refused = await cli(['resume', '--execution', executionArn, '--config', config]);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, /typed confirmation "prod"/);
    assert.match(refused.stderr, /--confirm prod/);
    assert.equal((await poll()).waves.app.status, 'held', 'still paused after the refusal');

    // A wrong confirmation is refused too; the right one resumes.
    const wrong = await cli(['resume', '--execution', executionArn, '--config', config, '--confirm', 'staging']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /did not match "prod"/);
    const resumed = await cli(['resume', '--execution', executionArn, '--config', config, '--confirm', 'prod']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /^Resumed: resume wave "app" \(app\/pause\)/);

    const done = await waitFor(
      async () => {
        const state = await poll();
        return running.done ? state : undefined;
      },
      'the Step Functions run to end',
      { timeoutMs: 90_000, intervalMs: 300 },
    );
    assert.equal(done.status, 'completed', JSON.stringify(done.errors));
    const finished = runView(done, 'stepFunctions');
    for (const name of ['db', 'app', 'web']) {
      const node = finished.waves.find((w) => w.name === name)!;
      assert.equal(node.status, 'completed');
      assert.ok(
        node.servers.every((server) => server.status === 'LAUNCHED'),
        JSON.stringify(node),
      );
    }

    // Audited as the registered operation, refusals included; the task token is in no output and no record.
    const audit = readFileSync(join(dir.path, 'cli-audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { operation?: string; outcome?: string; caller?: string; client?: { name?: string } },
      );
    assert.ok(
      audit
        .filter((record) => record.operation?.startsWith('sfn.'))
        .every((r) => r.client?.name === 'pilot-light-mcp dr'),
      'every record names the CLI',
    );
    const answers = audit.filter((record) => record.operation === 'sfn.tasks.sendSuccess');
    assert.deepEqual(
      answers.map((record) => [record.caller, record.outcome]),
      [
        ['command', 'refused'],
        ['command', 'refused'],
        ['command', 'approved'],
        ['command', 'succeeded'],
      ],
      'the two refusals, the typed confirmation and the answer are audited',
    );
    const stack = emulatorStack();
    const sfn = new SFNClient({ region: stack.region, endpoint: stack.endpoint, credentials: stack.credentials });
    const events = (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
    const tokens = events
      .filter((e) => e.type === 'TaskScheduled' && /waitForTaskToken/.test(e.taskScheduledEventDetails?.resource ?? ''))
      .map(
        (e) =>
          (JSON.parse(e.taskScheduledEventDetails!.parameters!) as { MessageBody: { taskToken: string } }).MessageBody
            .taskToken,
      );
    assert.equal(tokens.length, 1);
    const auditText = readFileSync(join(dir.path, 'cli-audit.jsonl'), 'utf8');
    for (const output of [listed, refused, wrong, resumed, { stdout: auditText, stderr: '' }])
      assert.ok(!`${output.stdout}${output.stderr}`.includes(tokens[0]), 'no task token printed or audited');
  });
});
