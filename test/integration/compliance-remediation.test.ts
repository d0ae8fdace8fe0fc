/**
 * The compliance remediations against moto through the real SDK and the core runtime: each fixes what its
 * check reports (IMDSv1 allowed on an instance, no account-level S3 Block Public Access, missing required
 * tags), previews the change first, and is refused in production without an approval.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  CreateTagsCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  DescribeTagsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { readAuditTrail } from '../../src/core/audit';
import type { AwsConnection } from '../../src/core/aws/connection';
import { ALL_CHECKS } from '../../src/core/compliance/checks';
import { fixRequestFor } from '../../src/core/compliance/remediation';
import { runComplianceChecks } from '../../src/core/compliance/run';
import type { TagPolicy } from '../../src/core/compliance/tagPolicy';
import { createRuntime, type Runtime } from '../../src/core/runtime';
import { emulatorConnection } from '../support/connection';
import { clientConfig, useEmulatorStack } from '../support/emulators';
import {
  approvingProvider,
  denyingProvider,
  tempDir,
  type ScriptedApprovalProvider,
} from '../support/operationHarness';
import { pickAmazonLinuxImage } from '../../tools/seed/target';

const stack = useEmulatorStack();

describe('compliance remediations against moto', function () {
  this.timeout(120_000);
  let connection: AwsConnection;
  let ec2: EC2Client;
  let s3control: S3ControlClient;
  let account: string;
  let dir: ReturnType<typeof tempDir>;
  let subnetId: string;
  let imageId: string;

  before(async () => {
    connection = await emulatorConnection();
    ec2 = new EC2Client(clientConfig());
    s3control = new S3ControlClient({
      ...clientConfig(),
      endpointProvider: () => ({ url: new URL(clientConfig().endpoint) }),
    });
  });
  after(() => {
    ec2.destroy();
    s3control.destroy();
    connection.dispose();
  });
  beforeEach(async () => {
    dir = tempDir('pilot-light-compliance-it-');
    await stack().reset();
    account = (await connection.identity()).account;
    imageId = await pickAmazonLinuxImage(ec2);
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.50.0.0/16' }))).Vpc!.VpcId!;
    subnetId = (
      await ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.50.1.0/24', AvailabilityZone: 'us-east-1a' }),
      )
    ).Subnet!.SubnetId!;
  });
  afterEach(() => dir.cleanup());

  function runtimeWith(provider: ScriptedApprovalProvider, settings: Record<string, unknown> = {}): Runtime {
    return createRuntime({
      settings,
      policyFiles: [],
      auditPath: join(dir.path, 'audit.jsonl'),
      approvalProvider: provider,
      connection: async () => connection,
    });
  }

  async function launch(tags: Record<string, string>, httpTokens: 'optional' | 'required' = 'optional') {
    const result = await ec2.send(
      new RunInstancesCommand({
        ImageId: imageId,
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnetId,
        MetadataOptions: { HttpTokens: httpTokens, HttpEndpoint: 'enabled' },
        TagSpecifications: [
          { ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
        ],
      }),
    );
    return result.Instances![0].InstanceId!;
  }

  /** The findings of one real check (the checks core), read through the registry. */
  async function findingsOf(ruleId: string, tagPolicy?: TagPolicy) {
    const runner = await runtimeWith(approvingProvider()).runner();
    const report = await runComplianceChecks({
      read: async (operationId, input) => {
        const outcome = await runner.run(operationId, input, { caller: 'command', mode: 'execute' });
        if (outcome.status !== 'succeeded') throw new Error(outcome.error?.message ?? outcome.status);
        return outcome.output;
      },
      account,
      regions: ['us-east-1'],
      checks: ALL_CHECKS.filter((check) => check.ruleId === ruleId),
      tagPolicy,
    });
    assert.equal(report.checks[0]?.status, 'ran', JSON.stringify(report.checks));
    return report.checks[0].findings;
  }

  async function httpTokensOf(instanceId: string) {
    const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    return Reservations![0].Instances![0].MetadataOptions?.HttpTokens;
  }

  async function tagsOf(id: string) {
    const { Tags } = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [id] }] }));
    return Object.fromEntries((Tags ?? []).map((tag) => [tag.Key!, tag.Value ?? '']));
  }

  async function publicAccessBlock() {
    try {
      return (await s3control.send(new GetPublicAccessBlockCommand({ AccountId: account })))
        .PublicAccessBlockConfiguration;
    } catch (error) {
      if ((error as Error).name === 'NoSuchPublicAccessBlockConfiguration') return undefined;
      throw error;
    }
  }

  it('ec2.requireImdsv2: previews "IMDSv1 allowed → IMDSv2 required", then the instance requires IMDSv2', async () => {
    const instanceId = await launch({ Name: 'web-1', Environment: 'staging' });
    assert.equal(await httpTokensOf(instanceId), 'optional');
    const [found] = (await findingsOf('cis.imdsv2Required')).filter((item) => item.resource.id === instanceId);
    assert.equal(found?.fix.operationId, 'ec2.requireImdsv2', 'the check found it and names this fix');
    const result = await runtimeWith(approvingProvider()).dryRunThenExecute(
      { operationId: found.fix.operationId!, input: found.fix.input, caller: 'command' },
      async (preview) => {
        assert.match(preview.summary, /IMDSv1 allowed \(HttpTokens optional\) → IMDSv2 required/);
        assert.deepEqual(preview.environments, ['staging']);
        return { approved: true };
      },
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.outcome?.error ?? result.refusal));
    assert.equal(await httpTokensOf(instanceId), 'required');
    assert.deepEqual(
      (await findingsOf('cis.imdsv2Required')).filter((item) => item.resource.id === instanceId),
      [],
    );
    const records = await readAuditTrail(join(dir.path, 'audit.jsonl'));
    assert.deepEqual(
      records.map((record) => [record.operation, record.outcome]),
      [
        ['ec2.requireImdsv2', 'dry-run'],
        ['ec2.requireImdsv2', 'succeeded'],
      ],
    );
  });

  it('ec2.requireImdsv2 on a production instance is refused without an approval and changes nothing', async () => {
    const instanceId = await launch({ Name: 'db-1', Environment: 'production' });
    const provider = denyingProvider();
    const result = await runtimeWith(provider).dryRunThenExecute(
      { operationId: 'ec2.requireImdsv2', input: { instanceId }, caller: 'command' },
      async () => ({ approved: true }),
    );
    assert.equal(result.preview?.guardrails.verdict, 'needs-approval');
    assert.equal(provider.requests.length, 1);
    assert.equal(result.status, 'refused');
    assert.equal(await httpTokensOf(instanceId), 'optional');
  });

  it('s3control.blockPublicAccess: previews each setting before → after, then all four are on', async () => {
    assert.equal(await publicAccessBlock(), undefined, 'moto starts without an account-level block');
    const [found] = await findingsOf('cis.s3AccountPublicAccessBlock');
    assert.equal(found?.fix.operationId, 's3control.blockPublicAccess', 'the check found it and names this fix');
    const result = await runtimeWith(approvingProvider()).dryRunThenExecute(
      { operationId: found.fix.operationId!, input: found.fix.input, caller: 'command' },
      async (preview) => {
        assert.match(preview.summary, /not set → all 4 on/);
        assert.deepEqual(preview.changes, [
          'BlockPublicAcls: not set → true',
          'IgnorePublicAcls: not set → true',
          'BlockPublicPolicy: not set → true',
          'RestrictPublicBuckets: not set → true',
        ]);
        return { approved: true };
      },
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.outcome?.error ?? result.refusal));
    assert.deepEqual(await publicAccessBlock(), {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    assert.deepEqual(await findingsOf('cis.s3AccountPublicAccessBlock'), []);
  });

  it('s3control.blockPublicAccess in an account mapped to production needs an approval; denied, nothing changes', async () => {
    const provider = denyingProvider();
    const runtime = runtimeWith(provider, { accountEnvironments: { [account]: 'production' } });
    const result = await runtime.dryRunThenExecute(
      { operationId: 's3control.blockPublicAccess', input: { accountId: account }, caller: 'command' },
      async () => ({ approved: true }),
    );
    assert.deepEqual(result.preview?.environments, ['production']);
    assert.equal(result.status, 'refused');
    assert.equal(await publicAccessBlock(), undefined);
  });

  it('s3control.blockPublicAccess refuses another account than the signed-in one', async () => {
    const runner = await runtimeWith(approvingProvider()).runner();
    const outcome = await runner.run(
      's3control.blockPublicAccess',
      { accountId: '999999999999' },
      { caller: 'command', mode: 'dry-run' },
    );
    assert.notEqual(outcome.status, 'succeeded');
    assert.match(outcome.error?.message ?? '', /not the signed-in account/);
  });

  it('tagging.enforceTags adds only the missing tags, never overwrites a value, and names unsupported types', async () => {
    const tagged = await launch({ Name: 'app-1', Environment: 'staging', Owner: 'alice' });
    const bare = await launch({ Environment: 'staging' });
    const result = await runtimeWith(approvingProvider()).dryRunThenExecute(
      {
        operationId: 'tagging.enforceTags',
        input: {
          resources: [
            { type: 'AWS::EC2::Instance', id: tagged },
            { type: 'AWS::EC2::Instance', id: bare },
            { type: 'AWS::S3::Bucket', id: 'logs-bucket' },
          ],
          tags: { Owner: 'platform', CostCenter: '42' },
        },
        caller: 'command',
      },
      async (preview) => {
        assert.deepEqual(
          [...preview.changes].sort(),
          [
            `${bare}: add CostCenter = "42"`,
            `${bare}: add Owner = "platform"`,
            `${tagged}: add CostCenter = "42"`,
          ].sort(),
        );
        assert.ok(preview.warnings.some((line) => line.includes(`${tagged}: Owner stays "alice"`)));
        assert.ok(preview.warnings.some((line) => line.includes('logs-bucket: not supported yet for AWS::S3::Bucket')));
        return { approved: true };
      },
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.outcome?.error ?? result.refusal));
    assert.deepEqual(await tagsOf(tagged), { Name: 'app-1', Environment: 'staging', Owner: 'alice', CostCenter: '42' });
    assert.deepEqual(await tagsOf(bare), { Environment: 'staging', Owner: 'platform', CostCenter: '42' });
  });

  it('tagging.enforceTags fixes what the tag-policy check found: the fix of the finding adds the missing tag', async () => {
    const policy: TagPolicy = { resourceTypes: { 'AWS::EC2::Instance': { CostCenter: ['42'] } } };
    const id = await launch({ Name: 'batch-1', Environment: 'staging' });
    const found = (await findingsOf('tagPolicy.requiredTag', policy)).find((item) => item.resource.id === id);
    assert.ok(found, 'the tag check found the instance without CostCenter');
    const request = fixRequestFor(found);
    assert.equal(request?.operationId, 'tagging.enforceTags');
    assert.deepEqual(request.askValues, [], 'the single allowed value is known');
    const result = await runtimeWith(approvingProvider()).dryRunThenExecute(
      { operationId: request.operationId, input: request.input, caller: 'command' },
      async (preview) => {
        assert.deepEqual(preview.changes, [`${id}: add CostCenter = "42"`]);
        return { approved: true };
      },
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.outcome?.error ?? result.refusal));
    assert.equal((await tagsOf(id)).CostCenter, '42');
    assert.equal(
      (await findingsOf('tagPolicy.requiredTag', policy)).filter((item) => item.resource.id === id).length,
      0,
    );
  });

  it('tagging.enforceTags keeps a value added between the preview and the change', async () => {
    const id = await launch({ Environment: 'staging' });
    const result = await runtimeWith(approvingProvider()).dryRunThenExecute(
      {
        operationId: 'tagging.enforceTags',
        input: { resources: [id], tags: { Owner: 'platform' } },
        caller: 'command',
      },
      async (preview) => {
        assert.deepEqual(preview.changes, [`${id}: add Owner = "platform"`]);
        await ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'Owner', Value: 'bob' }] }));
        return { approved: true };
      },
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.outcome?.error ?? result.refusal));
    assert.equal((await tagsOf(id)).Owner, 'bob');
  });

  it('tagging.enforceTags on a production instance is refused without an approval; only unsupported types is an error', async () => {
    const id = await launch({ Environment: 'production' });
    const provider = denyingProvider();
    const runtime = runtimeWith(provider);
    const result = await runtime.dryRunThenExecute(
      {
        operationId: 'tagging.enforceTags',
        input: { resources: [id], tags: { Owner: 'platform' } },
        caller: 'command',
      },
      async () => ({ approved: true }),
    );
    assert.equal(result.status, 'refused');
    assert.equal(provider.requests.length, 1);
    assert.equal((await tagsOf(id)).Owner, undefined);
    const runner = await runtime.runner();
    const outcome = await runner.run(
      'tagging.enforceTags',
      { resources: [{ type: 'AWS::RDS::DBInstance', id: 'db-1' }], tags: { Owner: 'x' } },
      { caller: 'command', mode: 'dry-run' },
    );
    assert.match(outcome.error?.message ?? '', /not supported yet for AWS::RDS::DBInstance/);
  });
});
