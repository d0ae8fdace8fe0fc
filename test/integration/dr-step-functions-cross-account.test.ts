/**
 * Recovery plans on Step Functions across accounts, DRS's common layout: servers replicate into a staging
 * account and recover in a recovery account; the plan is deployed to Step Functions from the management
 * account. Its tasks assume the member role in the recovery account (Task Credentials.RoleArn): moto executes
 * the machine (with the emulator tooling's task-credentials patch, tools/emulators/moto/sfn_task_credentials.py),
 * and the DRS emulator keeps accounts apart by access key. Its own moto, DRS emulator and gateway.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ApiCounters } from '../../src/core/dr/aws';
import { OperationDrReads } from '../../src/core/dr/operationGateway';
import type { RunState } from '../../src/core/dr/state';
import {
  deployPlan,
  operationSfnReads,
  outputOf,
  prepareDeployment,
  startPlanRun,
  type StepFunctionsRunFollower,
} from '../../src/core/dr/stepFunctions';
import type { OperationRunner, RunOptions } from '../../src/core/operations';
import { DrsEmulatorAdmin } from '../../tools/emulators/drs/adminClient';
import { startGateway, type RunningGateway } from '../../tools/emulators/drs/gateway';
import { startDrsEmulator, type RunningDrsEmulator } from '../../tools/emulators/drs/server';
import { findFreePort, startMoto, type MotoServer } from '../../tools/emulators/moto';
import { seedOrganization, type SeededOrganization } from '../../tools/seed/organization';
import { seedSampleAccount } from '../../tools/seed/sampleAccount';
import { waitFor } from '../support/emulators';
import { group, plan, tempDir } from '../support/dr';
import { approvingProvider, type ScriptedApprovalProvider } from '../support/operationHarness';
import { organizationRuntime } from '../support/organizationRuntime';
import { useSandboxAwsEnv } from '../support/connection';

function repoRoot(): string {
  for (const candidate of [resolve(__dirname, '..', '..', '..'), resolve(__dirname, '..', '..')])
    if (existsSync(join(candidate, 'package.json'))) return candidate;
  return process.cwd();
}

const REGION = 'us-east-1';
const ROLE = 'OrganizationAccountAccessRole';
/** A role in the recovery account that trusts only the staging account: the machine cannot assume it. */
const UNTRUSTING_ROLE = 'StagingOnlyRecoveryRole';
const MANAGED_TAG = 'AWSElasticDisasterRecoveryManaged';

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

describe('DR on Step Functions across accounts: deployed in the management account, recovering in a member account', function () {
  this.timeout(240_000);
  let moto: MotoServer;
  let drs: RunningDrsEmulator;
  let gateway: RunningGateway;
  let seeded: SeededOrganization;
  let management: string;
  let staging: string;
  let recovery: string;
  let recoveryCredentials: Credentials;
  let restoreEnv: (() => void) | undefined;

  before(async function () {
    this.timeout(600_000);
    // moto's Step Functions interpreter sends aws-sdk tasks to the gateway (MOTO_PORT), as the stack does.
    const gatewayPort = await findFreePort();
    moto = await startMoto({ repoRoot: repoRoot(), callbackPort: gatewayPort });
    const config = await fetch(`${moto.endpoint}/moto-api/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }),
    });
    assert.ok(config.ok, 'moto executes state machines');
    drs = await startDrsEmulator({
      motoEndpoint: moto.endpoint,
      defaultRegion: REGION,
      clock: { timeScale: 0.02 },
      separateAccounts: true,
    });
    gateway = await startGateway({ drs: drs.emulator, upstream: moto.endpoint, port: gatewayPort });
    seeded = await seedOrganization({
      endpoint: moto.endpoint,
      accounts: [
        { name: 'dr-staging', unit: 'Infrastructure' },
        { name: 'dr-recovery', unit: 'Infrastructure' },
      ],
    });
    management = seeded.managementAccountId;
    staging = seeded.accounts[0].id;
    recovery = seeded.accounts[1].id;

    const sts = new STSClient({
      region: REGION,
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const assumed = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${recovery}:role/${ROLE}`, RoleSessionName: 'seed' }),
    );
    sts.destroy();
    recoveryCredentials = {
      accessKeyId: assumed.Credentials!.AccessKeyId!,
      secretAccessKey: assumed.Credentials!.SecretAccessKey!,
      sessionToken: assumed.Credentials!.SessionToken!,
    };
    // The recovery account's network, launch templates and DRS source servers (replicating through staging).
    const admin = new DrsEmulatorAdmin(drs.endpoint);
    const recoveryAdmin = Object.assign(Object.create(admin) as DrsEmulatorAdmin, {
      seedSourceServers: (servers: Parameters<DrsEmulatorAdmin['seedSourceServers']>[0], region?: string) =>
        admin.seedSourceServers(
          servers.map((server) => ({ ...server, stagingAccountID: staging })),
          region,
          recovery,
        ),
    });
    await seedSampleAccount({
      endpoint: gateway.endpoint,
      region: REGION,
      credentials: recoveryCredentials as { accessKeyId: string; secretAccessKey: string },
      admin: recoveryAdmin,
    });
    const iam = new IAMClient({ region: REGION, endpoint: moto.endpoint, credentials: recoveryCredentials });
    await iam.send(
      new CreateRoleCommand({
        RoleName: UNTRUSTING_ROLE,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${staging}:root` }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    iam.destroy();

    restoreEnv = useSandboxAwsEnv();
  });

  after(async function () {
    this.timeout(60_000);
    restoreEnv?.();
    await gateway?.stop();
    await drs?.stop();
    await moto?.stop();
  });

  /** The management profile's runner, and DR reads in the recovery account through the member role. */
  async function session(dir: string, approval: ScriptedApprovalProvider) {
    const { base, runtime, access } = await organizationRuntime(
      gateway.endpoint,
      REGION,
      { roleName: ROLE },
      {
        auditPath: join(dir, 'audit.jsonl'),
        approvalProvider: approval,
      },
    );
    const operations: OperationRunner = await runtime.runner(base.profileName);
    const memberRunner = await runtime.runner(await access.profileNameFor(recovery));
    const memberConnection = access.memberConnection(recovery);
    const reads = new OperationDrReads({
      runner: memberRunner,
      identity: () => memberConnection.identity(),
      counters: new ApiCounters(),
    });
    return { operations, reads, dispose: () => (access.dispose(), base.dispose()) };
  }

  const groups = () => [group('recovery-db', { Role: 'db' }, { account: recovery })];
  const drPlan = (name: string) => plan(name, [{ name: 'db', protectionGroups: ['recovery-db'] }]);

  async function deployAndRun(
    dir: string,
    approval: ScriptedApprovalProvider,
    planName: string,
    memberRoleName: string,
  ): Promise<{
    state: RunState;
    prepared: Awaited<ReturnType<typeof prepareDeployment>>;
    deployed: Awaited<ReturnType<typeof deployPlan>>;
  }> {
    const { operations, reads, dispose } = await session(dir, approval);
    const options: RunOptions = { caller: 'command', mode: 'execute', approvalProvider: approval };
    let follower: StepFunctionsRunFollower | undefined;
    try {
      const common = {
        plan: drPlan(planName),
        groups: groups(),
        reads,
        region: REGION,
        pollSeconds: 1,
        machineAccount: management,
        memberRoleName,
      };
      const prepared = await prepareDeployment(common);
      const deployed = await deployPlan(operations, prepared, options);
      outputOf(deployed, 'deploy');
      follower = await startPlanRun({ ...common, operations, options, journalDir: join(dir, 'runs'), mode: 'drill' });
      const sfnReads = operationSfnReads(operations, options);
      const running = follower;
      const state = await waitFor(
        async () => {
          await running.poll(sfnReads, reads);
          return running.done ? running.snapshot() : undefined;
        },
        'the Step Functions run to end',
        { timeoutMs: 150_000, intervalMs: 500 },
      );
      return { state, prepared, deployed };
    } finally {
      follower?.close();
      dispose();
    }
  }

  async function managedInstances(credentials: Credentials): Promise<string[]> {
    const ec2 = new EC2Client({ region: REGION, endpoint: moto.endpoint, credentials });
    try {
      const answer = await ec2.send(
        new DescribeInstancesCommand({ Filters: [{ Name: `tag:${MANAGED_TAG}`, Values: ['drs.amazonaws.com'] }] }),
      );
      return (answer.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId!);
    } finally {
      ec2.destroy();
    }
  }

  it('a drill deployed from the management account launches its recovery instances in the recovery account only', async () => {
    const dir = tempDir('pilot-light-sfn-xacct-');
    const approval = approvingProvider();
    try {
      const { state, prepared, deployed } = await deployAndRun(dir.path, approval, 'xacct-drill', ROLE);
      const roleArn = `arn:aws:iam::${recovery}:role/${ROLE}`;
      assert.equal(prepared.compiled.taskRole?.arn, roleArn);
      assert.ok(
        prepared.summary.some((line) =>
          line.startsWith(`Runs in account ${management}, acts in account ${recovery} through role/${ROLE}`),
        ),
        prepared.summary.join('\n'),
      );
      assert.equal(state.status, 'completed', JSON.stringify(state.errors ?? state));

      const launched = Object.values(state.waves.db.servers).filter((server) => server.launchStatus === 'LAUNCHED');
      assert.ok(launched.length >= 1, 'the db servers launched');
      assert.equal(
        drs.emulator.storeFor(recovery).region(REGION).jobs.size,
        1,
        'the DRS job is in the recovery account',
      );
      assert.equal(drs.emulator.store.region(REGION).jobs.size, 0, 'none in the management account');
      assert.equal(drs.emulator.storeFor(staging).region(REGION).jobs.size, 0, 'none in the staging account');
      const inRecovery = await managedInstances(recoveryCredentials);
      for (const server of launched)
        assert.ok(
          inRecovery.includes(server.recoveryInstanceId!),
          `${server.recoveryInstanceId} is an EC2 instance of the recovery account (${inRecovery.join(', ')})`,
        );
      assert.deepEqual(
        await managedInstances({ accessKeyId: 'testing', secretAccessKey: 'testing' }),
        [],
        'no recovery instance in the management account',
      );

      // What the deploy showed and had approved names both accounts.
      const accountsLine = `Runs in account ${management}, acts in account ${recovery} through role/${ROLE}`;
      assert.ok(deployed.preview?.changes.includes(accountsLine), JSON.stringify(deployed.preview));
      for (const request of approval.requests.filter(
        (r) => r.operationId === 'cloudformation.stacks.deployRecoveryPlan',
      ))
        assert.ok(request.preview.changes.includes(accountsLine), request.preview.changes.join('\n'));
    } finally {
      dir.remove();
    }
  });

  it('a task role that does not trust the machine fails the run with the AssumeRole error', async () => {
    const dir = tempDir('pilot-light-sfn-xacct-');
    const jobsBefore = drs.emulator.storeFor(recovery).region(REGION).jobs.size;
    try {
      const { state } = await deployAndRun(dir.path, approvingProvider(), 'xacct-untrusted', UNTRUSTING_ROLE);
      assert.equal(state.status, 'failed', JSON.stringify(state));
      const error = state.waves.db.error ?? '';
      assert.match(error, /AccessDenied|not authorized/, error);
      assert.match(error, new RegExp(`sts:AssumeRole on resource: arn:aws:iam::${recovery}:role/${UNTRUSTING_ROLE}`));
      assert.equal(drs.emulator.storeFor(recovery).region(REGION).jobs.size, jobsBefore, 'no DRS job started');
      assert.equal(drs.emulator.store.region(REGION).jobs.size, 0, 'nor in the management account');
    } finally {
      dir.remove();
    }
  });
  it('the emulated task runs as the assumed role in its account, and only if the execution role may assume it', async () => {
    const management = { accessKeyId: 'testing', secretAccessKey: 'testing' };
    const iam = new IAMClient({ region: REGION, endpoint: moto.endpoint, credentials: management });
    const sfn = new SFNClient({ region: REGION, endpoint: moto.endpoint, credentials: management });
    const roleArn = `arn:aws:iam::${recovery}:role/${ROLE}`;
    try {
      const executionRole = async (name: string, mayAssume: boolean) => {
        const created = await iam.send(
          new CreateRoleCommand({
            RoleName: name,
            AssumeRolePolicyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' },
              ],
            }),
          }),
        );
        if (mayAssume)
          await iam.send(
            new PutRolePolicyCommand({
              RoleName: name,
              PolicyName: 'assume',
              PolicyDocument: JSON.stringify({
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn }],
              }),
            }),
          );
        return created.Role!.Arn!;
      };
      const whoAmI = async (name: string, executionRoleArn: string) => {
        const machine = await sfn.send(
          new CreateStateMachineCommand({
            name,
            roleArn: executionRoleArn,
            definition: JSON.stringify({
              StartAt: 'Who',
              States: {
                Who: {
                  Type: 'Task',
                  Resource: 'arn:aws:states:::aws-sdk:sts:getCallerIdentity',
                  Credentials: { RoleArn: roleArn },
                  Parameters: {},
                  End: true,
                },
              },
            }),
          }),
        );
        const { executionArn } = await sfn.send(
          new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, name: `${name}-1`, input: '{}' }),
        );
        return waitFor(
          async () => {
            const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
            return execution.status === 'RUNNING' ? undefined : execution;
          },
          'the execution to end',
          { timeoutMs: 30_000, intervalMs: 200 },
        );
      };
      const allowed = await whoAmI('who-allowed', await executionRole('sfn-may-assume', true));
      assert.equal(allowed.status, 'SUCCEEDED', allowed.cause);
      assert.equal(
        (JSON.parse(allowed.output!) as { Account: string }).Account,
        recovery,
        'the call ran in the role account',
      );
      const bare = await whoAmI('who-bare', await executionRole('sfn-may-not-assume', false));
      assert.equal(bare.status, 'FAILED');
      assert.match(bare.cause ?? '', new RegExp(`not authorized to perform: sts:AssumeRole on resource: ${roleArn}`));
    } finally {
      iam.destroy();
      sfn.destroy();
    }
  });
});
