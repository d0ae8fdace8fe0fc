import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  CreateTagsCommand,
  DescribeInstancesCommand,
  DescribeTagsCommand,
  ModifyInstanceMetadataOptionsCommand,
} from '@aws-sdk/client-ec2';
import { GetPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import fc from 'fast-check';
import { AuditTrail } from '../../src/core/audit';
import { resolveGuardrailPolicy } from '../../src/core/guardrails';
import { createOperationRegistry, OperationRunner, type OperationConnection } from '../../src/core/operations';
import { missingTags } from '../../src/core/operations/remediation';
import { FakeAwsClient, tempDir } from '../support/operationHarness';

const ACCOUNT = '111122223333';
const INSTANCE = 'i-0123456789abcdef0';

function awsError(name: string, status: number, message = name) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

function setup(state: {
  httpTokens?: string;
  block?: Record<string, boolean>;
  tags?: Record<string, Record<string, string>>;
  environment?: string;
}) {
  const dir = tempDir();
  const fake = new FakeAwsClient();
  fake.on(DescribeInstancesCommand, () => ({
    Reservations: [
      {
        Instances: [
          {
            InstanceId: INSTANCE,
            State: { Name: 'running' },
            MetadataOptions: { HttpTokens: state.httpTokens, HttpEndpoint: 'enabled' },
            Tags: [{ Key: 'Environment', Value: state.environment ?? 'dev' }],
          },
        ],
      },
    ],
  }));
  fake.on(ModifyInstanceMetadataOptionsCommand, () => {
    throw awsError('DryRunOperation', 412);
  });
  fake.on(GetPublicAccessBlockCommand, () => {
    if (!state.block) throw awsError('NoSuchPublicAccessBlockConfiguration', 404);
    return { PublicAccessBlockConfiguration: state.block };
  });
  fake.on(DescribeTagsCommand, (input) => {
    const ids = input.Filters?.[0]?.Values ?? [];
    return {
      Tags: ids.flatMap((id) =>
        Object.entries(state.tags?.[id] ?? {}).map(([Key, Value]) => ({ ResourceId: id, Key, Value })),
      ),
    };
  });
  fake.on(CreateTagsCommand, () => {
    throw awsError('DryRunOperation', 412);
  });
  const connection: OperationConnection = {
    region: 'us-east-1',
    identity: async () => ({ account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/tester` }),
    client: async <C>() => fake as unknown as C,
  };
  const runner = new OperationRunner({
    registry: createOperationRegistry(),
    connection,
    policy: resolveGuardrailPolicy({}).policy,
    audit: new AuditTrail(join(dir.path, 'audit.jsonl')),
  });
  const preview = async (operationId: string, input: unknown) => {
    const outcome = await runner.run(operationId, input, { caller: 'command', mode: 'dry-run' });
    assert.ok(outcome.preview, JSON.stringify(outcome.error ?? outcome.refusal ?? outcome.status));
    return outcome.preview;
  };
  return { fake, preview, cleanup: dir.cleanup };
}

describe('compliance remediations: previews', () => {
  it('registers exactly the ids the checks reference, as writes', () => {
    const registry = createOperationRegistry();
    for (const id of ['ec2.requireImdsv2', 's3control.blockPublicAccess', 'tagging.enforceTags']) {
      const operation = registry.describe(id);
      assert.ok(operation, id);
      assert.equal(operation.kind, 'write');
    }
  });

  it('ec2.requireImdsv2 previews "IMDSv1 allowed → IMDSv2 required" and changes nothing in a dry-run', async () => {
    const { fake, preview, cleanup } = setup({ httpTokens: 'optional' });
    try {
      const result = await preview('ec2.requireImdsv2', { instanceId: INSTANCE });
      assert.equal(
        result.summary,
        `Require IMDSv2 on ${INSTANCE}: IMDSv1 allowed (HttpTokens optional) → IMDSv2 required`,
      );
      assert.ok(result.warnings.some((line) => /without a session token/.test(line)));
      assert.deepEqual(
        fake.names().filter((name) => name.startsWith('Modify')),
        ['ModifyInstanceMetadataOptions(dry)'],
      );
    } finally {
      cleanup();
    }
  });

  it('ec2.requireImdsv2 says when the instance already requires IMDSv2; a production instance needs approval', async () => {
    const { preview, cleanup } = setup({ httpTokens: 'required', environment: 'production' });
    try {
      const result = await preview('ec2.requireImdsv2', { instanceId: INSTANCE });
      assert.match(result.warnings[0], /already requires IMDSv2/);
      assert.equal(result.guardrails.verdict, 'needs-approval');
    } finally {
      cleanup();
    }
  });

  it('s3control.blockPublicAccess previews each of the four settings before → after', async () => {
    const { preview, cleanup } = setup({
      block: { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: true },
    });
    try {
      const result = await preview('s3control.blockPublicAccess', { accountId: ACCOUNT });
      assert.equal(result.summary, `Block S3 public access for account ${ACCOUNT}: 2 of 4 on → all 4 on`);
      assert.deepEqual(result.changes, [
        'BlockPublicAcls: true → true (unchanged)',
        'IgnorePublicAcls: false → true',
        'BlockPublicPolicy: false → true',
        'RestrictPublicBuckets: true → true (unchanged)',
      ]);
    } finally {
      cleanup();
    }
  });

  it('tagging.enforceTags previews only the missing keys and lists kept values and unsupported types', async () => {
    const other = 'vol-0123456789abcdef0';
    const { preview, cleanup } = setup({ tags: { [INSTANCE]: { Owner: 'alice' }, [other]: {} } });
    try {
      const result = await preview('tagging.enforceTags', {
        resources: [INSTANCE, { type: 'AWS::EC2::Volume', id: other }, { type: 'AWS::S3::Bucket', id: 'logs' }],
        tags: { Owner: 'platform' },
      });
      assert.deepEqual(result.changes, [`${other}: add Owner = "platform"`]);
      assert.deepEqual(result.warnings, [
        `${INSTANCE}: Owner stays "alice" (existing values are never overwritten; wanted "platform")`,
        'logs: not supported yet for AWS::S3::Bucket (add the tags by hand)',
      ]);
      assert.equal(result.summary, 'Add missing tags to 1 resource (1 tag)');
    } finally {
      cleanup();
    }
  });

  it('missingTags never overwrites an existing key and adds every absent one (property)', () => {
    const tags = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 8 });
    fc.assert(
      fc.property(tags, tags, (existing, wanted) => {
        const added = missingTags(existing, wanted);
        for (const key of Object.keys(added)) {
          assert.ok(!Object.hasOwn(existing, key));
          assert.equal(added[key], wanted[key]);
        }
        for (const key of Object.keys(wanted)) assert.ok(Object.hasOwn(existing, key) || Object.hasOwn(added, key));
      }),
    );
  });
});
