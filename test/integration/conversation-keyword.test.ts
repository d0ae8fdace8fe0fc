import * as assert from 'node:assert/strict';
import {
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { answerIntent, type AnswerContext, type ChatAnswer } from '../../src/core/conversation/answers';
import { parseIntent } from '../../src/core/conversation/keywordParser';
import { ConversationSession, type TurnMemory } from '../../src/core/conversation/session';
import { formatPreview } from '../../src/core/operations/preview';
import type { SampleAccountSummary } from '../../tools/seed/sampleAccount';
import { emulatorConnection } from '../support/connection';
import { clientConfig, emulatorStack, resetAndSeed, useEmulatorStack } from '../support/emulators';
import { readsThroughRunner } from '../support/resourceReads';

useEmulatorStack();

const resolveEnvironment = (tags: Record<string, string>) => ({
  name: tags.Environment ?? 'unknown',
  protected: tags.Environment === 'production',
});

/**
 * Keyword answers (no language model) against moto through the real SDK: every read and every dry-run goes
 * through the OperationRunner, and nothing is executed.
 */
describe('conversation: keyword intents through registered reads and dry-runs', function () {
  this.timeout(120_000);
  let sample: SampleAccountSummary;
  let ec2: EC2Client;
  let reads: ReturnType<typeof readsThroughRunner>;
  let region: string;
  const dryRuns: Array<{ operationId: string; input: Record<string, unknown> }> = [];

  before(async () => {
    sample = (await resetAndSeed('sample')).sample!;
    ec2 = new EC2Client(clientConfig());
    reads = readsThroughRunner(await emulatorConnection());
    region = emulatorStack().region;
  });

  after(() => ec2?.destroy());

  function context(turns: TurnMemory[]): AnswerContext {
    return {
      read: (operationId, input) => reads.read(operationId, input, region),
      dryRun: async (operationId, input) => {
        dryRuns.push({ operationId, input });
        const outcome = await reads.runner.run(operationId, input, { caller: 'chat', mode: 'dry-run', region });
        if (outcome.status === 'dry-run' && outcome.preview)
          return {
            status: 'dry-run',
            correlationId: outcome.correlationId,
            verdict: outcome.preview.guardrails.verdict,
            text: formatPreview(outcome.preview),
          };
        return {
          status: outcome.status === 'refused' ? 'refused' : 'failed',
          correlationId: outcome.correlationId,
          text: outcome.error?.message ?? outcome.refusal?.message ?? outcome.status,
        };
      },
      region,
      resolveEnvironment,
      session: ConversationSession.fromTurns(turns),
    };
  }

  async function ask(text: string, turns: TurnMemory[] = []): Promise<ChatAnswer & { turn: TurnMemory }> {
    const answer = await answerIntent(context(turns), parseIntent(text));
    assert.ok(answer, text);
    return { ...answer, turn: { prompt: text, touched: answer.touched } };
  }

  async function stateOf(instanceId: string): Promise<string | undefined> {
    const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    return Reservations?.[0]?.Instances?.[0]?.State?.Name;
  }

  const ids = (answer: ChatAnswer, type = 'ec2:instance') =>
    answer.touched
      .filter((ref) => ref.type === type)
      .map((ref) => ref.id)
      .sort();

  it('"which instances are in the private subnet?" follows the route tables', async () => {
    const answer = await ask('which instances are in the private subnet?');
    assert.deepEqual(
      ids(answer),
      [sample.servers.app.instanceId, sample.servers.db.instanceId].sort(),
      'app-1 and db-1 sit in subnets whose route table has no internet gateway',
    );
    const subnets = await ask('which subnets are private?');
    const ours = subnets.touched
      .filter((ref) =>
        [sample.subnets.publicA, sample.subnets.publicB, sample.subnets.privateA, sample.subnets.privateB].includes(
          ref.id,
        ),
      )
      .map((ref) => ref.id)
      .sort();
    assert.deepEqual(
      ours,
      [sample.subnets.privateA, sample.subnets.privateB].sort(),
      'the private subnets use the VPC’s main table, which has no internet gateway',
    );
  });

  it('"find all resources created in the last 24 hours" lists what was just seeded, and names the types without creation times', async () => {
    const answer = await ask('find all resources created in the last 24 hours');
    const servers = Object.values(sample.servers);
    assert.deepEqual(ids(answer), servers.map((server) => server.instanceId).sort());
    // moto owns about a thousand snapshots of its own AMIs, so the launch templates are past the remembered 50.
    for (const server of servers)
      assert.match(answer.markdown, new RegExp(`\\| ${server.name} \\| ${server.launchTemplateId} \\|`));
    assert.match(answer.markdown, /Elastic IPs, Security groups, VPCs, Subnets: the AWS API gives no creation time/);
  });

  it('"show me all resources tagged with project=alpha" matches the key without regard to case', async () => {
    await ec2.send(
      new CreateTagsCommand({
        Resources: [sample.servers.web.instanceId, sample.subnets.publicA],
        Tags: [{ Key: 'Project', Value: 'Alpha' }],
      }),
    );
    const answer = await ask('show me all resources tagged with project=alpha');
    assert.deepEqual(
      answer.touched.map((ref) => ref.id).sort(),
      [sample.servers.web.instanceId, sample.subnets.publicA].sort(),
    );
  });

  it('"stop the app server" proposes a guarded dry-run for the app instance only, and changes nothing', async () => {
    dryRuns.length = 0;
    const answer = await ask('stop the app server');
    assert.deepEqual(dryRuns, [
      { operationId: 'ec2.instances.stop', input: { instanceIds: [sample.servers.app.instanceId] } },
    ]);
    assert.match(answer.markdown, /Dry-run of "Stop app-1"/);
    assert.match(answer.markdown, /production/);
    const run = answer.actions.find((action) => action.kind === 'run');
    assert.deepEqual(
      run && run.kind === 'run' && [run.title, run.input],
      ['Approve and run: Stop app-1', { instanceIds: [sample.servers.app.instanceId] }],
      'production is protected: an approval, not a plain run',
    );
    assert.equal(await stateOf(sample.servers.app.instanceId), 'running');
  });

  it('"actually, stop it in staging only" narrows several app servers to the staging one', async () => {
    const { Instances } = await ec2.send(
      new RunInstancesCommand({
        ImageId: sample.imageId,
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: sample.subnets.privateB,
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: [
              { Key: 'Name', Value: 'orders-2' },
              { Key: 'Role', Value: 'app' },
              { Key: 'Environment', Value: 'staging' },
            ],
          },
        ],
      }),
    );
    const staging = Instances![0].InstanceId!;
    dryRuns.length = 0;
    const first = await ask('stop the app server');
    assert.deepEqual(dryRuns, [], 'two instances say app: the answer asks which one');
    assert.deepEqual(ids(first), [sample.servers.app.instanceId, staging].sort());
    const narrowed = await ask('actually, stop it in staging only', [first.turn]);
    assert.deepEqual(dryRuns, [{ operationId: 'ec2.instances.stop', input: { instanceIds: [staging] } }]);
    const run = narrowed.actions.find((action) => action.kind === 'run');
    assert.deepEqual(run && run.kind === 'run' && run.input, { instanceIds: [staging] });
    assert.equal(await stateOf(staging), 'running', 'a proposal, never an execution');
  });

  it('"clean up unused security groups" judges security groups only', async () => {
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'old-sg', Description: 'left over', VpcId: sample.vpcId }),
    );
    dryRuns.length = 0;
    const answer = await ask('clean up unused security groups');
    const found = ids(answer, 'ec2:security-group');
    assert.ok(found.includes(GroupId!), 'the new, unattached group');
    for (const used of Object.values(sample.securityGroups))
      assert.ok(!found.includes(used), `${used} is used by an instance`);
    assert.ok(
      answer.touched.every((ref) => ref.type === 'ec2:security-group'),
      'no snapshots or volumes in the answer',
    );
    assert.ok(
      answer.actions.every((action) => action.kind === 'dry-run' && action.operationId === 'ec2.securityGroups.delete'),
    );
    assert.deepEqual(dryRuns, []);
  });
});
