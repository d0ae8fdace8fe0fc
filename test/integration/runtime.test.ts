/**
 * The core runtime against moto through the real SDK: policy from settings and a workspace folder's
 * guardrails file, runners on a real AwsConnection, and the dry-run → confirm → execute flow the editor,
 * the LM tools and the coming MCP server and CLI share.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { readAuditTrail, verifyAuditTrail } from '../../src/core/audit';
import type { AwsConnection } from '../../src/core/aws/connection';
import { createRuntime, readPolicyFiles, type Runtime } from '../../src/core/runtime';
import { pickAmazonLinuxImage } from '../../tools/seed/target';
import { emulatorConnection } from '../support/connection';
import { clientConfig, emulatorStack, useEmulatorStack } from '../support/emulators';
import {
  approvingProvider,
  denyingProvider,
  tempDir,
  type ScriptedApprovalProvider,
} from '../support/operationHarness';

useEmulatorStack();

describe('core runtime against moto', function () {
  this.timeout(120_000);
  let connection: AwsConnection;
  let ec2: EC2Client;
  let dir: ReturnType<typeof tempDir>;
  let workspace: string;
  let auditPath: string;
  let subnetId: string;
  let imageId: string;

  before(async () => {
    connection = await emulatorConnection();
    ec2 = new EC2Client(clientConfig());
  });

  after(() => {
    ec2.destroy();
    connection.dispose();
  });

  beforeEach(async () => {
    await emulatorStack().reset();
    dir = tempDir('pilot-light-runtime-it-');
    workspace = join(dir.path, 'workspace');
    auditPath = join(dir.path, 'audit', 'audit.jsonl');
    imageId = await pickAmazonLinuxImage(ec2);
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc!.VpcId!;
    subnetId = (
      await ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.30.1.0/24', AvailabilityZone: 'us-east-1a' }),
      )
    ).Subnet!.SubnetId!;
  });

  afterEach(() => dir.cleanup());

  async function launch(environment: string, count = 1): Promise<string[]> {
    const result = await ec2.send(
      new RunInstancesCommand({
        ImageId: imageId,
        InstanceType: 't3.micro',
        MinCount: count,
        MaxCount: count,
        SubnetId: subnetId,
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Environment', Value: environment }] }],
      }),
    );
    return result.Instances!.map((instance) => instance.InstanceId!);
  }

  async function stateOf(instanceId: string): Promise<string | undefined> {
    const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    return Reservations?.[0]?.Instances?.[0]?.State?.Name;
  }

  /** A runtime as an adapter builds it: settings, the workspace folder's guardrails file, a real connection. */
  async function runtimeWith(
    guardrailsFile: object | undefined,
    provider: ScriptedApprovalProvider,
    settings?: object,
  ): Promise<Runtime> {
    if (guardrailsFile) {
      mkdirSync(join(workspace, '.pilotlight'), { recursive: true });
      writeFileSync(join(workspace, '.pilotlight', 'guardrails.json'), JSON.stringify(guardrailsFile));
    }
    const policyFiles = await readPolicyFiles([workspace]);
    return createRuntime({
      settings,
      policyFiles,
      auditPath,
      approvalProvider: provider,
      connection: async () => connection,
      runnerOptions: { backupPollMs: 50, backupTimeoutMs: 20_000 },
    });
  }

  it('declining the confirmation changes nothing in AWS and is audited beside the dry-run', async () => {
    const [instanceId] = await launch('dev');
    const provider = approvingProvider();
    const runtime = await runtimeWith(undefined, provider);
    const result = await runtime.dryRunThenExecute(
      { operationId: 'ec2.instances.stop', input: { instanceIds: [instanceId] }, caller: 'command' },
      async (preview) => {
        assert.equal(preview.account, (await connection.identity()).account);
        assert.deepEqual(preview.environments, ['dev']);
        return { approved: false, reason: 'wrong instance' };
      },
    );
    assert.equal(result.status, 'cancelled');
    assert.equal(await stateOf(instanceId), 'running');
    assert.equal(provider.requests.length, 0);
    const records = await readAuditTrail(auditPath);
    assert.deepEqual(
      records.map((record) => record.outcome),
      ['dry-run', 'refused'],
    );
    assert.equal(records[1].refusal?.code, 'approval-denied');
    assert.equal(records[1].correlationId, records[0].correlationId);
    assert.equal(records[1].callerArn, (await connection.identity()).arn);
    assert.equal((await verifyAuditTrail(auditPath)).ok, true);
  });

  it('stops a confirmed instance through the SDK, linked to its dry-run', async () => {
    const [instanceId] = await launch('dev');
    const runtime = await runtimeWith(undefined, approvingProvider());
    const result = await runtime.dryRunThenExecute(
      { operationId: 'ec2.instances.stop', input: { instanceIds: [instanceId] }, caller: 'mcp' },
      async () => ({ approved: true }),
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.outcome.error ?? result.outcome.refusal));
    assert.match((await stateOf(instanceId)) ?? '', /stopp/);
    const records = await readAuditTrail(auditPath);
    assert.deepEqual(
      records.map((record) => [record.outcome, record.caller]),
      [
        ['dry-run', 'mcp'],
        ['succeeded', 'mcp'],
      ],
    );
    assert.equal(records[1].correlationId, result.dryRun.correlationId);
  });

  it("applies the workspace file's protected environment: the approval provider is asked, and its refusal leaves the instance running", async () => {
    const [instanceId] = await launch('staging');
    const provider = denyingProvider();
    const runtime = await runtimeWith({ protectedEnvironments: ['staging'] }, provider);
    assert.ok(runtime.loaded.sources.includes(join(workspace, '.pilotlight', 'guardrails.json')));
    let confirmations = 0;
    const result = await runtime.dryRunThenExecute(
      { operationId: 'ec2.instances.stop', input: { instanceIds: [instanceId] }, caller: 'command' },
      async () => {
        confirmations += 1;
        return { approved: true };
      },
    );
    assert.equal(result.preview?.guardrails.verdict, 'needs-approval');
    assert.equal(confirmations, 0, 'asked once, by the approval provider');
    assert.equal(provider.requests.length, 1);
    assert.equal(result.status, 'refused');
    assert.equal(result.refusal?.code, 'approval-denied');
    assert.equal(await stateOf(instanceId), 'running');
  });

  it("lets the workspace file tighten, never loosen, the user's limit", async () => {
    const instanceIds = await launch('dev', 3);
    const runtime = await runtimeWith({ maxResourcesPerOperation: 2 }, approvingProvider(), {
      maxResourcesPerOperation: 20,
    });
    assert.equal(runtime.policy.maxResourcesPerOperation, 2);
    const result = await runtime.dryRunThenExecute(
      { operationId: 'ec2.instances.stop', input: { instanceIds }, caller: 'chat' },
      async () => ({ approved: true }),
    );
    assert.equal(result.stage, 'guardrails');
    assert.equal(result.refusal?.code, 'max-resources');
    for (const instanceId of instanceIds) assert.equal(await stateOf(instanceId), 'running');

    const looser = await runtimeWith({ maxResourcesPerOperation: 50 }, approvingProvider(), {
      maxResourcesPerOperation: 3,
    });
    assert.equal(looser.policy.maxResourcesPerOperation, 3);
  });
});
