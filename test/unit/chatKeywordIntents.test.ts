import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  answerIntent,
  type AnswerContext,
  type ChatAnswer,
  type DryRunResult,
} from '../../src/core/conversation/answers';
import { parseIntent, type Intent } from '../../src/core/conversation/keywordParser';
import { parseResourceQuery, parseTimeWindow, typesToList } from '../../src/core/conversation/resourceQuery';
import { ConversationSession, type TurnMemory } from '../../src/core/conversation/session';
import { findUnusedSecurityGroups } from '../../src/core/insights/unusedSecurityGroups';
import { toFacts } from '../../src/core/insights/facts';

const NOW = new Date('2026-03-10T12:00:00Z');
const HOURS_AGO = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString();
const tags = (record: Record<string, string>) => Object.entries(record).map(([Key, Value]) => ({ Key, Value }));

/** Four instances, two of them "app" (one by name, one only by its Role tag), in two environments and four subnets. */
const INSTANCES = [
  {
    InstanceId: 'i-000000000000000a1',
    State: { Name: 'running' },
    SubnetId: 'subnet-00000000000000001',
    LaunchTime: HOURS_AGO(2),
    Tags: tags({ Name: 'web-1', Role: 'web', Environment: 'production', Project: 'Alpha' }),
  },
  {
    InstanceId: 'i-000000000000000a2',
    State: { Name: 'running' },
    SubnetId: 'subnet-00000000000000002',
    LaunchTime: HOURS_AGO(24 * 40),
    Tags: tags({ Name: 'app-1', Role: 'app', Environment: 'production' }),
  },
  {
    InstanceId: 'i-000000000000000a3',
    State: { Name: 'running' },
    SubnetId: 'subnet-00000000000000003',
    LaunchTime: HOURS_AGO(30),
    Tags: tags({ Name: 'orders-2', Role: 'app', Environment: 'staging' }),
  },
  {
    InstanceId: 'i-000000000000000a4',
    State: { Name: 'running' },
    SubnetId: 'subnet-00000000000000004',
    LaunchTime: HOURS_AGO(5),
    Tags: tags({ Name: 'db-1', Tier: 'data', Environment: 'staging' }),
  },
];

const VOLUMES = [
  {
    VolumeId: 'vol-000000000000000b1',
    State: 'in-use',
    Size: 8,
    VolumeType: 'gp3',
    CreateTime: HOURS_AGO(1),
    Attachments: [{ InstanceId: 'i-000000000000000a1' }],
    Tags: tags({ project: 'alpha', Environment: 'production' }),
  },
  {
    VolumeId: 'vol-000000000000000b2',
    State: 'available',
    Size: 100,
    VolumeType: 'gp3',
    CreateTime: HOURS_AGO(24 * 90),
    Tags: tags({ Environment: 'staging' }),
  },
];

const SNAPSHOTS = [
  {
    SnapshotId: 'snap-000000000000000c1',
    State: 'completed',
    VolumeSize: 20,
    VolumeId: 'vol-ffffffff',
    StartTime: HOURS_AGO(3),
    Tags: tags({ PROJECT: 'ALPHA' }),
  },
];
const IMAGES = [
  { ImageId: 'ami-000000000000000d1', Name: 'golden', State: 'available', CreationDate: HOURS_AGO(24 * 3) },
];

/** subnet 1: public by its own route table; 2: private by its own; 3: private by the main table; 4: public by VPC B's main table. */
const SUBNETS = [
  { SubnetId: 'subnet-00000000000000001', VpcId: 'vpc-0000000000000000a', Tags: tags({ Name: 'public-a' }) },
  { SubnetId: 'subnet-00000000000000002', VpcId: 'vpc-0000000000000000a', Tags: tags({ Name: 'private-a' }) },
  { SubnetId: 'subnet-00000000000000003', VpcId: 'vpc-0000000000000000a', Tags: tags({ Name: 'private-b' }) },
  { SubnetId: 'subnet-00000000000000004', VpcId: 'vpc-0000000000000000b', Tags: tags({ Name: 'other' }) },
];
const ROUTE_TABLES = [
  {
    RouteTableId: 'rtb-00000000000000001',
    VpcId: 'vpc-0000000000000000a',
    Associations: [{ SubnetId: 'subnet-00000000000000001' }],
    Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0000000000000000a' }],
  },
  {
    RouteTableId: 'rtb-00000000000000002',
    VpcId: 'vpc-0000000000000000a',
    Associations: [{ SubnetId: 'subnet-00000000000000002' }],
    Routes: [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0000000000000000a' }],
  },
  {
    RouteTableId: 'rtb-00000000000000003',
    VpcId: 'vpc-0000000000000000a',
    Associations: [{ Main: true }],
    Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local' }],
  },
  {
    RouteTableId: 'rtb-00000000000000004',
    VpcId: 'vpc-0000000000000000b',
    Associations: [{ Main: true }],
    Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0000000000000000b' }],
  },
];

const GROUPS = [
  { GroupId: 'sg-00000000000000001', GroupName: 'default', VpcId: 'vpc-0000000000000000a', IpPermissions: [] },
  { GroupId: 'sg-00000000000000002', GroupName: 'web-sg', VpcId: 'vpc-0000000000000000a', IpPermissions: [] },
  { GroupId: 'sg-00000000000000003', GroupName: 'db-sg', VpcId: 'vpc-0000000000000000a', IpPermissions: [] },
  {
    GroupId: 'sg-00000000000000004',
    GroupName: 'app-sg',
    VpcId: 'vpc-0000000000000000a',
    IpPermissions: [
      { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: 'sg-00000000000000003' }] },
    ],
  },
  { GroupId: 'sg-00000000000000005', GroupName: 'dr-sg', VpcId: 'vpc-0000000000000000a', IpPermissions: [] },
  {
    GroupId: 'sg-00000000000000006',
    GroupName: 'old-sg',
    VpcId: 'vpc-0000000000000000a',
    IpPermissions: [],
    Tags: tags({ Environment: 'staging' }),
  },
];
const INTERFACES = [
  { NetworkInterfaceId: 'eni-00000000000000001', Groups: [{ GroupId: 'sg-00000000000000002' }] },
  { NetworkInterfaceId: 'eni-00000000000000002', Groups: [{ GroupId: 'sg-00000000000000004' }] },
];
const TEMPLATES = [
  { LaunchTemplateId: 'lt-00000000000000001', LaunchTemplateName: 'drs', CreateTime: HOURS_AGO(24 * 10) },
];
const TEMPLATE_VERSIONS = [
  {
    LaunchTemplateId: 'lt-00000000000000001',
    VersionNumber: 1,
    LaunchTemplateData: { NetworkInterfaces: [{ DeviceIndex: 0, Groups: ['sg-00000000000000005'] }] },
  },
];

const ITEMS: Record<string, unknown[]> = {
  'ec2.instances.list': INSTANCES,
  'ec2.volumes.list': VOLUMES,
  'ec2.snapshots.list': SNAPSHOTS,
  'ec2.images.list': IMAGES,
  'ec2.subnets.list': SUBNETS,
  'ec2.routeTables.list': ROUTE_TABLES,
  'ec2.securityGroups.list': GROUPS,
  'ec2.networkInterfaces.list': INTERFACES,
  'ec2.launchTemplates.list': TEMPLATES,
  'ec2.launchTemplates.versions': TEMPLATE_VERSIONS,
};

function fakeAccount(turns: TurnMemory[] = []) {
  const reads: string[] = [];
  const dryRuns: Array<[string, Record<string, unknown>]> = [];
  const ctx: AnswerContext = {
    read: async (id) => {
      reads.push(id);
      return { items: ITEMS[id] ?? [] };
    },
    dryRun: async (id, input): Promise<DryRunResult> => {
      dryRuns.push([id, input]);
      return {
        status: 'dry-run',
        correlationId: `c-${dryRuns.length}`,
        verdict: 'needs-confirmation',
        text: `Preview of ${id}`,
      };
    },
    region: 'us-east-1',
    resolveEnvironment: (record) => ({
      name: record.Environment ?? 'unknown',
      protected: record.Environment === 'production',
    }),
    session: ConversationSession.fromTurns(turns),
    now: NOW,
  };
  return { ctx, reads, dryRuns };
}

async function ask(
  text: string,
  turns: TurnMemory[] = [],
): Promise<{
  answer: ChatAnswer;
  reads: string[];
  dryRuns: Array<[string, Record<string, unknown>]>;
  turn: TurnMemory;
}> {
  const account = fakeAccount(turns);
  const answer = (await answerIntent(account.ctx, parseIntent(text)))!;
  assert.ok(answer, text);
  // Chat never executes: the only way to change anything is a "run" button that follows a dry-run of the same input.
  for (const action of answer.actions) {
    if (action.kind !== 'run') continue;
    assert.ok(
      account.dryRuns.some(
        ([id, input]) => id === action.operationId && JSON.stringify(input) === JSON.stringify(action.input),
      ),
      `${action.title} was previewed first`,
    );
    assert.ok(action.correlationId, 'the button carries the preview’s correlation ID');
  }
  return { answer, reads: account.reads, dryRuns: account.dryRuns, turn: { prompt: text, touched: answer.touched } };
}

const ids = (answer: ChatAnswer) => answer.touched.map((ref) => ref.id).sort();

describe('chat without a model: keyword intents', () => {
  it('maps the issue’s and the roadmap’s phrases to intents', () => {
    const cases: Array<[string, (intent: Intent) => void]> = [
      [
        "find things I'm paying for but not using",
        (intent) => assert.deepEqual(intent, { kind: 'unused', types: [], environments: [] }),
      ],
      ['what are we spending on idle stuff?', (intent) => assert.equal(intent.kind, 'unused')],
      [
        'anything orphaned or wasted in staging?',
        (intent) => assert.deepEqual(intent, { kind: 'unused', types: [], environments: ['staging'] }),
      ],
      [
        'clean up unused security groups',
        (intent) => assert.deepEqual(intent, { kind: 'unused', types: ['ec2:security-group'], environments: [] }),
      ],
      [
        'how much do unattached volumes cost?',
        (intent) => assert.deepEqual(intent, { kind: 'unused', types: ['ec2:volume'], environments: [] }),
      ],
      [
        'stop the app server',
        (intent) => {
          assert.equal(intent.kind, 'action');
          const action = intent as Extract<Intent, { kind: 'action' }>;
          assert.equal(action.verb, 'stop');
          assert.deepEqual(
            action.targets.map(
              (target) =>
                target.kind === 'described' && {
                  descriptors: target.query.descriptors,
                  types: target.query.types,
                  plural: target.plural,
                },
            ),
            [{ descriptors: ['app'], types: ['ec2:instance'], plural: false }],
          );
        },
      ],
      [
        'stop all app servers in staging',
        (intent) => {
          const [target] = (intent as Extract<Intent, { kind: 'action' }>).targets;
          assert.equal(target.kind, 'described', '"all app servers" must still match "app", never every server');
          assert.deepEqual(target.kind === 'described' && [target.plural, target.query.environments], [
            true,
            ['staging'],
          ]);
        },
      ],
      [
        'actually, stop it in staging only',
        (intent) =>
          assert.deepEqual(intent, {
            kind: 'action',
            verb: 'stop',
            targets: [{ kind: 'pronoun', word: 'it', plural: false, environments: ['staging'] }],
            text: 'actually, stop it in staging only',
          }),
      ],
      [
        'in staging only',
        (intent) => assert.deepEqual(intent, { kind: 'narrow', environments: ['staging'], text: 'in staging only' }),
      ],
      [
        'only production',
        (intent) => assert.deepEqual(intent, { kind: 'narrow', environments: ['production'], text: 'only production' }),
      ],
      [
        'show me all resources tagged with project=alpha',
        (intent) => {
          assert.equal(intent.kind, 'resources');
          const query = (intent as Extract<Intent, { kind: 'resources' }>).query;
          assert.deepEqual([query.tags, query.descriptors], [[{ key: 'project', value: 'alpha' }], []]);
          assert.ok(
            typesToList(query).includes('ec2:snapshot') && typesToList(query).includes('ec2:subnet'),
            'a tag query covers every EC2 type',
          );
        },
      ],
      [
        'find all resources created in the last 24 hours',
        (intent) => {
          const query = (intent as Extract<Intent, { kind: 'resources' }>).query;
          assert.deepEqual(
            [intent.kind, query.createdWithin, query.descriptors],
            ['resources', { ms: 24 * 3_600_000, text: 'in the last 24 hours' }, []],
          );
        },
      ],
      [
        'which instances are in the private subnet?',
        (intent) => {
          const query = (intent as Extract<Intent, { kind: 'resources' }>).query;
          assert.deepEqual([intent.kind, query.types, query.subnetScope], ['resources', ['ec2:instance'], 'private']);
        },
      ],
      [
        'which subnets are public?',
        (intent) => assert.deepEqual((intent as Extract<Intent, { kind: 'resources' }>).query.subnetScope, 'public'),
      ],
    ];
    for (const [text, check] of cases) check(parseIntent(text));
    assert.equal(
      parseIntent("what's running in production?").kind,
      'resources',
      'existing questions keep their intent',
    );
    assert.equal(parseIntent('stop the server').kind, 'resources', 'no descriptor: nothing to aim at');
  });

  it('reads time windows', () => {
    assert.deepEqual(parseTimeWindow('created in the past week'), { ms: 7 * 86_400_000, text: 'in the last week' });
    assert.deepEqual(parseTimeWindow('launched in the last 3 days'), {
      ms: 3 * 86_400_000,
      text: 'in the last 3 days',
    });
    assert.deepEqual(parseTimeWindow('made today'), { ms: 86_400_000, text: 'in the last 24 hours' });
    assert.equal(parseTimeWindow('what is running'), undefined);
  });

  it('never fails, and keeps descriptors bounded and free of grammar words', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const intent = parseIntent(text);
        const query = parseResourceQuery(text);
        assert.ok(query.descriptors.length <= 6);
        for (const word of query.descriptors) assert.match(word, /^[a-z][a-z0-9]{1,39}$/);
        if (intent.kind === 'action')
          for (const target of intent.targets)
            if (target.kind === 'described') assert.ok(target.query.descriptors.length > 0);
      }),
      { numRuns: 300 },
    );
    assert.deepEqual(parseResourceQuery('please stop all the running servers in production now').descriptors, []);
    const words = [
      'stop',
      'terminate',
      'all',
      'every',
      'the',
      'that',
      'app',
      'web',
      'server',
      'servers',
      'instances',
      'in',
      'staging',
      'only',
      'created',
      'last',
      '24',
      'hours',
      'private',
      'subnet',
      'it',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 8 }), (sentence) => {
        const intent = parseIntent(sentence.join(' '));
        if (intent.kind !== 'action') return;
        for (const target of intent.targets)
          if (target.kind === 'all')
            assert.deepEqual(
              target.query.descriptors,
              [],
              `"${sentence.join(' ')}": a role word never widens to every resource`,
            );
      }),
      { numRuns: 500 },
    );
  });

  it('answers cost words with the unused analysis, not a resource list', async () => {
    const { answer, reads, dryRuns } = await ask("find things I'm paying for but not using");
    assert.match(answer.markdown, /unused resource/);
    assert.match(answer.markdown, /Unattached EBS volumes/);
    assert.ok(ids(answer).includes('vol-000000000000000b2'));
    assert.ok(!ids(answer).includes('i-000000000000000a1'), 'running instances are not findings');
    assert.ok(!reads.includes('ec2.securityGroups.list'), 'security groups are judged only when asked for');
    assert.deepEqual(dryRuns, []);
    assert.ok(answer.actions.every((action) => action.kind === 'dry-run'));
  });

  it('restricts the unused analysis to the type asked for: security groups, not snapshots', async () => {
    const { answer, reads, dryRuns } = await ask('clean up unused security groups');
    assert.deepEqual(
      ids(answer),
      ['sg-00000000000000006'],
      'default, used by an interface, referenced by a rule, named by a launch template: all kept',
    );
    assert.doesNotMatch(answer.markdown, /snap-|Orphaned snapshots/);
    assert.ok(!reads.includes('ec2.snapshots.list'));
    assert.ok(reads.includes('ec2.networkInterfaces.list') && reads.includes('ec2.launchTemplates.versions'));
    assert.deepEqual(
      answer.actions.map((action) => action.kind === 'dry-run' && [action.operationId, action.input]),
      [['ec2.securityGroups.delete', { groupId: 'sg-00000000000000006' }]],
    );
    assert.deepEqual(dryRuns, [], 'the cleanup is a button that dry-runs, never run by the answer');
    const volumes = await ask('how much do unattached volumes in production cost?');
    assert.deepEqual(ids(volumes.answer), [], 'the only unattached volume is in staging');
    assert.match(volumes.answer.markdown, /only EBS volumes, only in production/);
    const unsupported = await ask('find unused key pairs');
    assert.match(unsupported.answer.markdown, /Not supported yet: finding unused Key pairs/);
    assert.deepEqual(unsupported.reads, []);
  });

  it('does not report groups as unused when a check could not run', async () => {
    const account = fakeAccount();
    account.ctx.read = async (id) => {
      if (id === 'ec2.networkInterfaces.list') throw new Error('UnauthorizedOperation: not allowed');
      return { items: ITEMS[id] ?? [] };
    };
    const answer = (await answerIntent(account.ctx, parseIntent('clean up unused security groups')))!;
    assert.deepEqual(answer.touched, []);
    assert.match(answer.markdown, /UnauthorizedOperation/);
    assert.doesNotMatch(answer.markdown, /No unused security groups/);
  });

  it('judges security groups by interfaces, rules (both directions) and launch templates', () => {
    const env = () => ({ name: 'unknown', protected: false });
    const groups = toFacts(
      'ec2:security-group',
      [
        ...GROUPS,
        { GroupId: 'sg-00000000000000007', GroupName: 'egress-target', IpPermissions: [] },
        {
          GroupId: 'sg-00000000000000008',
          GroupName: 'x',
          IpPermissions: [],
          IpPermissionsEgress: [{ UserIdGroupPairs: [{ GroupId: 'sg-00000000000000007' }] }],
        },
      ],
      'us-east-1',
      env,
    );
    const unused = findUnusedSecurityGroups(groups, {
      networkInterfaces: INTERFACES,
      launchTemplateVersions: [...TEMPLATE_VERSIONS, { LaunchTemplateData: { SecurityGroups: ['x'] } }],
    });
    assert.deepEqual(
      unused.map((finding) => finding.resource.id),
      ['sg-00000000000000006'],
    );
  });

  it('aims "stop the app server" at instances whose name or Role tag says app, and asks which one when several do', async () => {
    const first = await ask('stop the app server');
    assert.deepEqual(first.dryRuns, [], 'two instances say app: nothing is previewed yet');
    assert.deepEqual(
      ids(first.answer),
      ['i-000000000000000a2', 'i-000000000000000a3'],
      'app-1 by name, orders-2 by its Role tag; web-1 and db-1 are not candidates',
    );
    assert.match(first.answer.markdown, /Nothing was changed.*Which one\?/s);
    assert.deepEqual(first.answer.followups.map((followup) => followup.prompt).sort(), [
      'stop i-000000000000000a2',
      'stop i-000000000000000a3',
    ]);

    const narrowed = await ask('actually, stop it in staging only', [first.turn]);
    assert.deepEqual(narrowed.dryRuns, [['ec2.instances.stop', { instanceIds: ['i-000000000000000a3'] }]]);
    assert.deepEqual(
      narrowed.answer.actions
        .filter((action) => action.kind === 'run')
        .map((action) => action.kind === 'run' && action.title),
      ['Run: Stop orders-2'],
    );
    assert.match(narrowed.answer.markdown, /nothing has changed yet/);

    const bare = await ask('in staging only', [first.turn]);
    assert.deepEqual(
      bare.dryRuns,
      [['ec2.instances.stop', { instanceIds: ['i-000000000000000a3'] }]],
      'narrowing an action proposes the same action on fewer resources',
    );
    const none = await ask('only development', [first.turn]);
    assert.match(none.answer.markdown, /None of the 2 resources of the last answer is in development/);
    assert.deepEqual(none.dryRuns, []);
  });

  it('previews all matches for plural role phrases, and refuses to guess unknown roles', async () => {
    const all = await ask('stop the app servers');
    assert.deepEqual(
      all.dryRuns.map(([id, input]) => [id, (input.instanceIds as string[]).sort()]),
      [['ec2.instances.stop', ['i-000000000000000a2', 'i-000000000000000a3']]],
    );
    const staging = await ask('reboot all app servers in staging');
    assert.deepEqual(staging.dryRuns, [['ec2.instances.reboot', { instanceIds: ['i-000000000000000a3'] }]]);
    const byTier = await ask('stop the data server');
    assert.deepEqual(
      byTier.dryRuns,
      [['ec2.instances.stop', { instanceIds: ['i-000000000000000a4'] }]],
      'the Tier tag counts too',
    );
    const unknown = await ask('terminate the payments servers');
    assert.deepEqual(unknown.dryRuns, []);
    assert.match(unknown.answer.markdown, /No instance in us-east-1 has "payments" in its name or its Role\/Tier tag/);
    const mixed = await ask('stop the old app servers');
    assert.deepEqual(mixed.dryRuns, [], 'every word must match, or nothing is proposed');
  });

  it('keeps time windows and subnet scopes in actions, and proposes nothing when the scope cannot be judged', async () => {
    const recent = await ask('terminate every instance created in the last 24 hours');
    assert.deepEqual(
      recent.dryRuns.map(([id, input]) => [id, (input.instanceIds as string[]).sort()]),
      [['ec2.instances.terminate', ['i-000000000000000a1', 'i-000000000000000a4']]],
    );
    const privateOnes = await ask('stop all instances in the private subnet');
    assert.deepEqual(
      privateOnes.dryRuns.map(([id, input]) => [id, (input.instanceIds as string[]).sort()]),
      [['ec2.instances.stop', ['i-000000000000000a2', 'i-000000000000000a3']]],
    );
    const that = parseIntent('stop that app server');
    assert.deepEqual(
      that.kind === 'action' && that.targets.map((target) => target.kind),
      ['described'],
      '"that" is a determiner here',
    );
    const account = fakeAccount();
    account.ctx.read = async (id) => {
      if (id === 'ec2.routeTables.list') throw new Error('UnauthorizedOperation: route tables');
      return { items: ITEMS[id] ?? [] };
    };
    for (const text of ['stop all instances in the private subnet', 'stop the app servers in a private subnet']) {
      const answer = (await answerIntent(account.ctx, parseIntent(text)))!;
      assert.match(
        answer.markdown,
        /Nothing was changed.*Could not tell which subnets are private: UnauthorizedOperation/s,
        text,
      );
    }
    assert.deepEqual(account.dryRuns, []);
    const listed = (await answerIntent(account.ctx, parseIntent('which instances are in the private subnet?')))!;
    assert.deepEqual(listed.touched, [], 'a check that did not run lists nothing');
    assert.match(listed.markdown, /Could not tell which subnets are private/);
  });

  it('narrows a previous list by environment', async () => {
    const list = await ask('show me the app servers');
    assert.deepEqual(ids(list.answer), ['i-000000000000000a2', 'i-000000000000000a3']);
    assert.match(list.answer.markdown, /name or Role\/Tier tag says app/);
    const only = await ask('only production', [list.turn]);
    assert.deepEqual(ids(only.answer), ['i-000000000000000a2']);
    assert.deepEqual(only.dryRuns, []);
  });

  it('lists resources tagged project=alpha whatever the key’s case', async () => {
    const { answer, dryRuns } = await ask('show me all resources tagged with project=alpha');
    assert.deepEqual(ids(answer), ['i-000000000000000a1', 'snap-000000000000000c1', 'vol-000000000000000b1']);
    assert.deepEqual(dryRuns, []);
  });

  it('lists resources created in the last 24 hours and says which types have no creation time', async () => {
    const { answer, reads } = await ask('find all resources created in the last 24 hours');
    assert.deepEqual(ids(answer), [
      'i-000000000000000a1',
      'i-000000000000000a4',
      'snap-000000000000000c1',
      'vol-000000000000000b1',
    ]);
    assert.match(answer.markdown, /Elastic IPs, Security groups, VPCs, Subnets: the AWS API gives no creation time/);
    assert.match(answer.markdown, /LaunchTime/);
    assert.ok(!reads.includes('ec2.securityGroups.list'));
    const week = await ask('which AMIs were created this week?');
    assert.deepEqual(ids(week.answer), ['ami-000000000000000d1']);
    const groups = await ask('security groups created in the last day');
    assert.match(groups.answer.markdown, /Security groups: the AWS API gives no creation time/);
    assert.deepEqual(groups.reads, []);
  });

  it('keeps long answers readable: 50 rows per table, the rest counted', async () => {
    const account = fakeAccount();
    const many = Array.from({ length: 120 }, (_, index) => ({
      SnapshotId: `snap-${String(index).padStart(17, '0')}`,
      State: 'completed',
      VolumeSize: 1,
      VolumeId: 'vol-ffffffff',
      StartTime: HOURS_AGO(1),
    }));
    account.ctx.read = async (id) => ({ items: id === 'ec2.snapshots.list' ? many : [] });
    const listed = (await answerIntent(account.ctx, parseIntent('snapshots created today')))!;
    assert.match(listed.markdown, /### EBS snapshots \(120\)/);
    assert.equal(listed.markdown.split('\n').filter((line) => line.startsWith('| snap-')).length, 50);
    assert.match(listed.markdown, /… and 70 more EBS snapshots/);
    const unused = (await answerIntent(account.ctx, parseIntent('orphaned snapshots')))!;
    assert.match(unused.markdown, /Orphaned snapshots: \$[\d.]+\/month \(120\)/);
    assert.match(unused.markdown, /… and 70 more Orphaned snapshots/);
    assert.match(unused.markdown, /\*\*120 unused resources\*\*/, 'the totals still count every finding');
  });

  it("uses IAM roles' CreateDate and DRS jobs' creationDateTime", async () => {
    const account = fakeAccount();
    account.ctx.read = async (id) => ({
      items:
        id === 'iam.roles.list'
          ? [
              { RoleName: 'new-role', Path: '/', CreateDate: HOURS_AGO(2) },
              { RoleName: 'old-role', Path: '/', CreateDate: HOURS_AGO(24 * 400) },
            ]
          : id === 'drs.jobs.list'
            ? [{ jobID: 'drsjob-1', status: 'COMPLETED', type: 'LAUNCH', creationDateTime: HOURS_AGO(1) }]
            : [],
    });
    const roles = (await answerIntent(account.ctx, parseIntent('iam roles created this week')))!;
    assert.deepEqual(
      roles.touched.map((ref) => ref.id),
      ['new-role'],
    );
    const jobs = (await answerIntent(account.ctx, parseIntent('drs jobs from the last hour')))!;
    assert.deepEqual(
      jobs.touched.map((ref) => ref.id),
      ['drsjob-1'],
    );
  });

  it('finds instances in private subnets by their route tables, the main table included', async () => {
    const { answer, reads, dryRuns } = await ask('which instances are in the private subnet?');
    assert.deepEqual(
      ids(answer),
      ['i-000000000000000a2', 'i-000000000000000a3'],
      'own table without an internet gateway, and the main table without one',
    );
    assert.ok(reads.includes('ec2.routeTables.list'));
    assert.match(answer.markdown, /no default route to an internet gateway/);
    assert.deepEqual(dryRuns, []);
    const publicOnes = await ask('which instances are in a public subnet?');
    assert.deepEqual(
      ids(publicOnes.answer),
      ['i-000000000000000a1', 'i-000000000000000a4'],
      'an explicit table with an internet gateway, and another VPC’s main table with one',
    );
    const subnets = await ask('which subnets are private?');
    assert.deepEqual(ids(subnets.answer), ['subnet-00000000000000002', 'subnet-00000000000000003']);
  });
});
