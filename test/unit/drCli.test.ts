// `pilot-light-mcp dr`: what waits in an execution's history, which task a command answers, the flags, and
// the terminal's typed confirmation (asked on a TTY; without one only --confirm answers). The run view the
// visual editor's nodes get from a run's state (local or Step Functions).
import * as assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { drArgs, drMain, DrUsageError, pickTask, terminalApproval, type DrIo } from '../../src/cli/dr';
import { cliSettings } from '../../src/cli/mcp';
import { workspaceSettingsLayer } from '../../src/cli/mcpTools';
import { redactSecrets } from '../../src/core/audit/redaction';
import { waitingTasksInHistory } from '../../src/core/dr/stepFunctions/waiting';
import type { ApprovalRequest } from '../../src/core/guardrails/approval';
import type { RunState } from '../../src/core/dr/state';
import { newestRun, runView } from '../../src/features/editors/recoveryPlan/runView';

const ARN = 'arn:aws:states:us-east-1:123456789012:execution:pilotlight-plan-shop:run-1';
const TOKEN = 'AAAA-secret-task-token';

function scheduled(id: number, previous: number, body: Record<string, unknown>): HistoryEvent {
  return {
    id,
    previousEventId: previous,
    type: 'TaskScheduled',
    timestamp: new Date('2026-12-06T10:00:00Z'),
    taskScheduledEventDetails: {
      resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
      resourceType: 'sqs',
      region: 'us-east-1',
      parameters: JSON.stringify({ QueueUrl: 'https://sqs/q', MessageBody: { taskToken: TOKEN, ...body } }),
    },
  };
}
const AT = new Date('2026-12-06T10:00:00Z');
const entered = (id: number, name: string): HistoryEvent => ({
  id,
  previousEventId: id - 1,
  timestamp: AT,
  type: 'TaskStateEntered',
  stateEnteredEventDetails: { name },
});
const event = (id: number, previous: number, type: string): HistoryEvent =>
  ({ id, previousEventId: previous, timestamp: AT, type }) as HistoryEvent;

describe('pilot-light-mcp dr', () => {
  describe('waitingTasksInHistory', () => {
    const pause = { plan: 'shop', wave: 'app', step: 'app/pause', kind: 'pause', message: 'Pause before app' };
    const approval = { plan: 'shop', wave: 'web', step: 'web/pre/0', kind: 'approval', message: 'Open the web tier?' };

    it('lists a scheduled pause until its task ends, never with its token', () => {
      const waiting = [entered(5, 'app: pause'), scheduled(6, 5, pause), event(7, 6, 'TaskStarted')];
      const tasks = waitingTasksInHistory(waiting);
      assert.deepEqual(
        tasks.map((t) => [t.kind, t.wave, t.step, t.message]),
        [['pause', 'app', 'app/pause', 'Pause before app']],
      );
      assert.ok(!JSON.stringify(tasks).includes(TOKEN));
      assert.deepEqual(waitingTasksInHistory([...waiting, event(8, 7, 'TaskSucceeded')]), []);
    });

    it('reads the history as the operation runner returns it (the token redacted)', () => {
      // moto writes the parameters with a space after each colon; the runner redacts its output.
      const spaced = scheduled(6, 5, pause);
      spaced.taskScheduledEventDetails!.parameters = JSON.stringify(
        JSON.parse(spaced.taskScheduledEventDetails!.parameters!),
      ).replace(/":/g, '": ');
      const redacted = redactSecrets(spaced) as HistoryEvent;
      assert.ok(!JSON.stringify(redacted).includes(TOKEN), 'the runner redacts the token');
      assert.deepEqual(
        waitingTasksInHistory([entered(5, 'app: pause'), redacted]).map((t) => t.step),
        ['app/pause'],
      );
    });

    it('keeps the other branch waiting when one answer arrives, in any page order', () => {
      const history = [
        entered(5, 'app: pause'),
        scheduled(6, 5, pause),
        event(7, 6, 'TaskStarted'),
        entered(8, 'web: approval'),
        scheduled(9, 8, approval),
        event(10, 9, 'TaskStarted'),
        event(11, 7, 'TaskFailed'),
      ].reverse();
      assert.deepEqual(
        waitingTasksInHistory(history).map((t) => t.step),
        ['web/pre/0'],
      );
    });

    it('is empty once the execution ended, and ignores tasks that are not ours', () => {
      assert.deepEqual(
        waitingTasksInHistory([scheduled(6, 5, pause), event(7, 6, 'TaskStarted'), event(8, 7, 'ExecutionAborted')]),
        [],
      );
      const foreign = scheduled(6, 5, { note: 'no step' });
      const lambda: HistoryEvent = {
        ...scheduled(9, 8, pause),
        taskScheduledEventDetails: {
          resource: 'arn:aws:states:::lambda:invoke',
          resourceType: 'lambda',
          region: 'x',
          parameters: '{}',
        },
      };
      const broken: HistoryEvent = {
        ...scheduled(12, 11, pause),
        taskScheduledEventDetails: { ...scheduled(12, 11, pause).taskScheduledEventDetails!, parameters: '{not json' },
      };
      assert.deepEqual(waitingTasksInHistory([foreign, lambda, broken]), []);
    });
  });

  describe('pickTask', () => {
    const tasks = [
      { wave: 'app', step: 'app/pause', kind: 'pause' as const, message: '', since: '' },
      { wave: 'web', step: 'web/pre/0', kind: 'approval' as const, message: '', since: '' },
      { wave: 'web', step: 'web/post/1', kind: 'approval' as const, message: '', since: '' },
    ];
    it('picks by kind, wave and step; several or none is a clear error', () => {
      assert.equal(pickTask(tasks, { command: 'resume' }).step, 'app/pause');
      assert.equal(pickTask(tasks, { command: 'approve', step: 'web/post/1' }).step, 'web/post/1');
      assert.equal(pickTask(tasks, { command: 'reject', wave: 'app' }).step, 'app/pause');
      assert.throws(
        () => pickTask(tasks, { command: 'approve' }),
        /Several steps wait; name one with --wave or --step/,
      );
      assert.throws(() => pickTask(tasks, { command: 'resume', wave: 'web' }), /Nothing fits "resume" in wave web/);
      assert.throws(() => pickTask([], { command: 'resume' }), /waits for nothing/);
    });
  });

  describe('drArgs', () => {
    it('takes one command, an execution ARN, and passes the shared options on', () => {
      const args = drArgs(['resume', '--execution', ARN, '--wave', 'app', '--profile', 'ops', '--workspace', 'w']);
      assert.notEqual(args, 'help');
      if (args === 'help') return;
      assert.equal(args.command, 'resume');
      assert.equal(args.wave, 'app');
      assert.deepEqual(args.shared, ['--stdio', '--profile', 'ops', '--workspace', 'w']);
      assert.equal(drArgs(['--help']), 'help');
      const readOnly = drArgs(['waiting', '--execution', ARN, '--read-only']);
      assert.deepEqual(readOnly !== 'help' && readOnly.shared, ['--stdio', '--read-only']);
      assert.throws(() => drArgs(['launch', '--execution', ARN]), DrUsageError);
      assert.throws(() => drArgs(['resume']), /Give --execution/);
      assert.throws(
        () => drArgs(['resume', '--execution', 'arn:aws:s3:::bucket']),
        /not a Step Functions execution ARN/,
      );
      assert.throws(() => drArgs(['resume', '--execution', ARN, '--bogus']), DrUsageError);
    });
  });

  describe('drMain', () => {
    it('refuses to answer under --read-only before any AWS call, and explains a wrong usage', async () => {
      let err = '';
      const stderr = new PassThrough();
      stderr.on('data', (chunk) => (err += String(chunk)));
      const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr, env: {} };
      const source = { settings: (args: string[]) => cliSettings(args), workspaceLayer: workspaceSettingsLayer };
      assert.equal(await drMain(['resume', '--execution', ARN, '--read-only'], io, source), 1);
      assert.match(err, /read-only .*"resume" answers the execution; only "waiting" runs/);
      assert.equal(await drMain(['resume'], io, source), 2);
      assert.match(err, /Give --execution <arn>/);
    });
  });

  describe('terminalApproval', () => {
    const request = {
      level: 'approve',
      requiredConfirmation: 'prod',
      operationTitle: 'Approve or resume a Step Functions wave',
      reasons: ['prod is a protected environment'],
      environments: ['prod'],
      preview: { summary: 'Approve: resume wave "app"' },
    } as unknown as ApprovalRequest;
    const io = (tty: boolean): DrIo & { stdin: PassThrough; err: () => string } => {
      const stdin = Object.assign(new PassThrough(), { isTTY: tty });
      const stderr = new PassThrough();
      let written = '';
      stderr.on('data', (chunk) => (written += String(chunk)));
      return { stdin, stderr, stdout: new PassThrough(), env: {}, err: () => written };
    };

    it('without a terminal refuses unless --confirm was given', async () => {
      const refused = await terminalApproval(io(false), undefined).requestApproval(
        request,
        new AbortController().signal,
      );
      assert.equal(refused.approved, false);
      assert.match(refused.approved ? '' : refused.reason, /typed confirmation "prod".*--confirm prod/);
      const given = await terminalApproval(io(false), 'prod').requestApproval(request, new AbortController().signal);
      assert.equal(given.approved && given.typedConfirmation, 'prod');
    });

    it('on a terminal shows the request and takes what is typed', async () => {
      const terminal = io(true);
      const answer = terminalApproval(terminal, undefined).requestApproval(request, new AbortController().signal);
      setTimeout(() => terminal.stdin.write('prod\n'), 20);
      const decision = await answer;
      assert.equal(decision.approved && decision.typedConfirmation, 'prod');
      assert.match(terminal.err(), /protected environment/);
      assert.match(terminal.err(), /Type prod to confirm/);
    });
  });

  describe('run view on the nodes', () => {
    const state = (runId: string, status: string, createdAt: string) =>
      ({
        runId,
        mode: 'drill',
        status,
        createdAt,
        planName: 'shop',
        waves: {
          app: {
            name: 'app',
            status: 'held',
            servers: { s1: { sourceServerId: 's-1', hostname: 'app-1', launchStatus: 'LAUNCHED' } },
          },
        },
      }) as unknown as RunState;

    it('prefers a run still going over a newer finished one, and says where it runs', () => {
      const runs = [
        { state: state('old-local', 'completed', '2026-12-06T10:05:00Z'), engine: 'local' as const },
        { state: state('sfn', 'running', '2026-12-06T10:00:00Z'), engine: 'stepFunctions' as const },
      ];
      const newest = newestRun(runs)!;
      assert.equal(newest.state.runId, 'sfn');
      const view = runView(newest.state, newest.engine);
      assert.equal(view.engine, 'stepFunctions');
      assert.deepEqual(view.waves, [
        { name: 'app', status: 'held', servers: [{ id: 's-1', hostname: 'app-1', status: 'LAUNCHED' }] },
      ]);
      assert.equal(newestRun([runs[0]])!.state.runId, 'old-local');
    });
  });
});
