import * as assert from 'node:assert/strict';
import {
  CreateDocumentCommand,
  GetAutomationExecutionCommand,
  SSMClient,
  StartAutomationExecutionCommand,
  StopAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { startSsmFront, type SsmFront } from '../../tools/emulators/ssm/front';
import { emulatorStack, resetAndSeed, useEmulatorStack, waitFor } from '../support/emulators';
import { SLEEP_RUNBOOK } from '../support/dr';

useEmulatorStack();

describe('SSM Automation: moto and the emulation', function () {
  this.timeout(30_000);
  let front: SsmFront;
  let ssm: SSMClient;
  let motoSsm: SSMClient;

  before(async () => {
    await resetAndSeed(false);
    const stack = emulatorStack();
    front = await startSsmFront({ upstream: stack.endpoint, motoEndpoint: stack.motoEndpoint, timeScale: 0.05 });
    ssm = new SSMClient({
      region: stack.region,
      endpoint: front.endpoint,
      credentials: stack.credentials,
      maxAttempts: 1,
    });
    motoSsm = new SSMClient({
      region: stack.region,
      endpoint: stack.motoEndpoint,
      credentials: stack.credentials,
      maxAttempts: 1,
    });
    await ssm.send(
      new CreateDocumentCommand({
        Name: 'PL-Sleep',
        DocumentType: 'Automation',
        DocumentFormat: 'JSON',
        Content: SLEEP_RUNBOOK,
      }),
    );
    await ssm.send(
      new CreateDocumentCommand({
        Name: 'PL-RunCommand',
        DocumentType: 'Automation',
        DocumentFormat: 'JSON',
        Content: JSON.stringify({
          schemaVersion: '0.3',
          mainSteps: [{ name: 'restart', action: 'aws:runCommand', inputs: { DocumentName: 'AWS-RunShellScript' } }],
        }),
      }),
    );
  });
  after(async () => {
    ssm.destroy();
    motoSsm.destroy();
    await front.stop();
  });

  it('moto itself has no StartAutomationExecution (the gap the emulation covers)', async () => {
    // moto 5.2.5 answers with an HTML 500 page (NotImplementedError) for both operations.
    for (const command of [
      new StartAutomationExecutionCommand({ DocumentName: 'PL-Sleep', Parameters: { Tier: ['db'] } }),
      new GetAutomationExecutionCommand({ AutomationExecutionId: '00000000-0000-4000-8000-000000000000' }),
    ]) {
      await assert.rejects(motoSsm.send(command as never), (error: { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(error.$metadata?.httpStatusCode, 500);
        return true;
      });
    }
  });

  it('runs a sleep runbook to Success, idempotently per ClientToken', async () => {
    const token = '0b6f2f5e-3c1a-4d7e-9a55-2f7d8c1e9b10';
    const { AutomationExecutionId: id } = await ssm.send(
      new StartAutomationExecutionCommand({
        DocumentName: 'PL-Sleep',
        Parameters: { Tier: ['db'] },
        ClientToken: token,
      }),
    );
    const again = await ssm.send(
      new StartAutomationExecutionCommand({
        DocumentName: 'PL-Sleep',
        Parameters: { Tier: ['db'] },
        ClientToken: token,
      }),
    );
    assert.equal(again.AutomationExecutionId, id);
    const first = (await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: id })))
      .AutomationExecution!;
    assert.ok(['Pending', 'InProgress'].includes(first.AutomationExecutionStatus!));
    const done = await waitFor(
      async () => {
        const e = (await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: id })))
          .AutomationExecution!;
        return e.AutomationExecutionStatus === 'Success' ? e : undefined;
      },
      'automation success',
      { timeoutMs: 5000 },
    );
    assert.deepEqual(done.Parameters, { Tier: ['db'], Seconds: ['PT2S'] });
    assert.deepEqual(done.Outputs, { 'settle.StepStatus': ['Success'] });
    assert.equal(done.StepExecutions?.[0].StepStatus, 'Success');
    assert.ok(done.ExecutionEndTime instanceof Date);
  });

  it('rejects unknown documents and missing parameters like AWS', async () => {
    await assert.rejects(ssm.send(new StartAutomationExecutionCommand({ DocumentName: 'PL-Nope' })), {
      name: 'InvalidDocument',
    });
    await assert.rejects(ssm.send(new StartAutomationExecutionCommand({ DocumentName: 'PL-Sleep' })), {
      name: 'InvalidAutomationExecutionParametersException',
    });
    await assert.rejects(
      ssm.send(
        new StartAutomationExecutionCommand({ DocumentName: 'PL-Sleep', Parameters: { Tier: ['x'], Bogus: ['y'] } }),
      ),
      { name: 'InvalidAutomationExecutionParametersException' },
    );
    await assert.rejects(
      ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: '00000000-0000-4000-8000-000000000000' })),
      { name: 'AutomationExecutionNotFoundException' },
    );
  });

  it('fails steps it cannot run instead of faking success, and honours injected failures and stop', async () => {
    const { AutomationExecutionId: unsupported } = await ssm.send(
      new StartAutomationExecutionCommand({ DocumentName: 'PL-RunCommand' }),
    );
    const failed = await waitFor(
      async () => {
        const e = (await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: unsupported })))
          .AutomationExecution!;
        return e.AutomationExecutionStatus === 'Failed' ? e : undefined;
      },
      'unsupported action to fail',
      { timeoutMs: 5000 },
    );
    assert.match(failed.FailureMessage!, /aws:runCommand/);

    front.ssm.failNext('PL-Sleep', 1, 'database not ready');
    const { AutomationExecutionId: injected } = await ssm.send(
      new StartAutomationExecutionCommand({ DocumentName: 'PL-Sleep', Parameters: { Tier: ['db'] } }),
    );
    const injectedResult = await waitFor(
      async () => {
        const e = (await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: injected })))
          .AutomationExecution!;
        return e.AutomationExecutionStatus === 'Failed' ? e : undefined;
      },
      'injected failure',
      { timeoutMs: 5000 },
    );
    assert.match(injectedResult.FailureMessage!, /database not ready/);

    const { AutomationExecutionId: stopped } = await ssm.send(
      new StartAutomationExecutionCommand({ DocumentName: 'PL-Sleep', Parameters: { Tier: ['db'] } }),
    );
    await ssm.send(new StopAutomationExecutionCommand({ AutomationExecutionId: stopped }));
    await waitFor(
      async () => {
        const e = (await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: stopped })))
          .AutomationExecution!;
        return e.AutomationExecutionStatus === 'Cancelled' ? e : undefined;
      },
      'cancelled',
      { timeoutMs: 5000 },
    );
  });
});
