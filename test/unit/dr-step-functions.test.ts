/**
 * The Step Functions compiler, policy and template. Snapshots (test/fixtures/step-functions/*.json) were
 * reviewed by hand; regenerate with UPDATE_SNAPSHOTS=1 after a deliberate change and review the diff.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import type { RecoveryPlan, Wave } from '../../src/core/dr/model';
import { buildExecutionPlan, type ExecutionPlan } from '../../src/core/dr/planner';
import type { PlanResolution, ServerInfo } from '../../src/core/dr/selection';
import {
  compilePlan,
  decomposeWaves,
  MAX_LISTED_SERVERS,
  PlanCompileError,
  type AslDefinition,
  type WaveBlock,
} from '../../src/core/dr/stepFunctions/compile';
import { planHash } from '../../src/core/dr/stepFunctions/hash';
import { buildExecutionPolicy, resolvePolicy } from '../../src/core/dr/stepFunctions/policy';
import { buildPlanTemplate, stackNameFor, TAG_PLAN_HASH } from '../../src/core/dr/stepFunctions/template';
import { plan } from '../support/dr';

const aslValidator = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText(): string };

const REGION = 'us-east-1';
const repoRoot = [resolve(__dirname, '..', '..', '..'), resolve(__dirname, '..', '..')].find((dir) =>
  existsSync(join(dir, 'package.json')),
)!;
const snapshotDir = join(repoRoot, 'test', 'fixtures', 'step-functions');

function ids(count: number, prefix: string): string[] {
  return Array.from({ length: count }, (_, i) => `s-${prefix}${String(i).padStart(17 - prefix.length, '0')}`);
}

/** An execution plan for `waves`, each wave holding `serversPerWave` servers of its own. */
function executionPlan(waves: Wave[], serversPerWave = 1, extra: Partial<RecoveryPlan> = {}): ExecutionPlan {
  const recoveryPlan = plan('shop', waves, extra);
  const resolution: PlanResolution = {
    groups: [],
    inventory: {},
    waves: waves.map((wave, index) => ({
      wave: wave.name,
      servers: ids(serversPerWave, `w${index}x`).map((id): ServerInfo => ({
        sourceServerId: id,
        region: REGION,
        hostname: id,
        tags: {},
      })),
      missingServerIds: [],
      missingGroups: [],
      origins: {},
    })),
  };
  return buildExecutionPlan(recoveryPlan, resolution, 'drill', REGION);
}

function expectSnapshot(name: string, value: unknown): void {
  const file = join(snapshotDir, `${name}.json`);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(file)) {
    if (process.env.CI) assert.fail(`snapshot ${file} is missing`);
    mkdirSync(snapshotDir, { recursive: true });
    writeFileSync(file, text);
    return;
  }
  assert.equal(text, readFileSync(file, 'utf8'), `${name} differs from its reviewed snapshot`);
}

function validate(definition: AslDefinition): void {
  const result = aslValidator(JSON.parse(JSON.stringify(definition)));
  assert.ok(result.isValid, result.errorsText());
}

/** Every state reachable from StartAt, nested branches and Map processors included. */
function allStates(definition: {
  States: Record<string, Record<string, unknown>>;
}): Record<string, Record<string, unknown>> {
  const result: Record<string, Record<string, unknown>> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    result[name] = state;
    for (const branch of (state.Branches as (typeof definition)[] | undefined) ?? [])
      Object.assign(result, allStates(branch));
    if (state.ItemProcessor) Object.assign(result, allStates(state.ItemProcessor as typeof definition));
  }
  return result;
}

/** For each wave, every wave the block structure makes it wait for. */
function waitsOf(block: WaveBlock, before: Set<string> = new Set(), into = new Map<string, Set<string>>()) {
  if (block.kind === 'wave') into.set(block.wave, new Set(before));
  else if (block.kind === 'parallel') for (const part of block.parts) waitsOf(part, before, into);
  else {
    const seen = new Set(before);
    for (const part of block.parts) {
      waitsOf(part, seen, into);
      for (const wave of collect(part)) seen.add(wave);
    }
  }
  return into;
}
function collect(block: WaveBlock): string[] {
  return block.kind === 'wave' ? [block.wave] : block.parts.flatMap(collect);
}

const chain: Wave[] = [
  {
    name: 'db',
    protectionGroups: ['db'],
    preActions: [{ type: 'ssmAutomation', documentName: 'Shop-HealthCheck', parameters: { Tier: 'db' }, retries: 1 }],
    postActions: [{ type: 'wait', seconds: 30 }],
    maxWaitSeconds: 900,
  },
  {
    name: 'app',
    protectionGroups: ['app'],
    dependsOn: ['db'],
    pauseBeforeWave: true,
    postActions: [{ type: 'approval', message: 'Check the app tier, then approve.', timeoutSeconds: 1800 }],
  },
  { name: 'web', protectionGroups: ['web'], dependsOn: ['app'] },
];
const diamond: Wave[] = [
  { name: 'db', protectionGroups: ['db'] },
  { name: 'cache', protectionGroups: ['cache'], dependsOn: ['db'] },
  { name: 'app', protectionGroups: ['app'], dependsOn: ['db'] },
  { name: 'web', protectionGroups: ['web'], dependsOn: ['cache', 'app'] },
];
const fanOut: Wave[] = [
  { name: 'core', protectionGroups: ['core'] },
  { name: 'billing', protectionGroups: ['billing'], dependsOn: ['core'] },
  { name: 'search', protectionGroups: ['search'], dependsOn: ['core'] },
  { name: 'reports', protectionGroups: ['reports'], dependsOn: ['core'] },
];

describe('Step Functions compiler', () => {
  it('compiles a chain with actions, a pause and an approval (snapshot)', () => {
    const compiled = compilePlan(executionPlan(chain, 2), { region: REGION, pollSeconds: 10 });
    validate(compiled.definition);
    assert.deepEqual(compiled.warnings, []);
    expectSnapshot('chain', compiled.definition);
    const states = allStates(compiled.definition);
    // Waves follow each other: db's Completed leads to app's Started.
    assert.equal(states['W1 db · Completed'].Next, 'W2 app · Started');
    assert.equal(states['W2 app · Completed'].Next, 'W3 web · Started');
    // The pause and the approval wait for a task token; the approval has its timeout.
    assert.equal(states['W2 app · pause waiting'].Resource, 'arn:aws:states:::sqs:sendMessage.waitForTaskToken');
    assert.equal(states['W2 app · post 1 waiting'].TimeoutSeconds, 1800);
    // maxWaitSeconds 900 at 10 s per poll: the job fails after 90 polls.
    const check = states['W1 db · launch check job'] as { Choices: { NumericGreaterThanEquals?: number }[] };
    assert.equal(check.Choices[1].NumericGreaterThanEquals, 89);
    // Under "stop", a failed wave fails the execution.
    assert.equal(states['W1 db · Failed'].Type, 'Fail');
  });

  it('compiles a diamond exactly: both middle waves in parallel, the last after both (snapshot)', () => {
    const compiled = compilePlan(executionPlan(diamond), { region: REGION, pollSeconds: 10 });
    validate(compiled.definition);
    assert.deepEqual(compiled.warnings, []);
    expectSnapshot('diamond', compiled.definition);
    assert.deepEqual(decomposeWaves(executionPlan(diamond).waves), {
      kind: 'series',
      parts: [
        { kind: 'wave', wave: 'db' },
        {
          kind: 'parallel',
          parts: [
            { kind: 'wave', wave: 'cache' },
            { kind: 'wave', wave: 'app' },
          ],
        },
        { kind: 'wave', wave: 'web' },
      ],
    });
  });

  it('compiles a fan-out under "continue": failed waves do not stop the others (snapshot)', () => {
    const compiled = compilePlan(executionPlan(fanOut, 1, { failurePolicy: 'continue' }), {
      region: REGION,
      pollSeconds: 10,
    });
    validate(compiled.definition);
    expectSnapshot('fan-out', compiled.definition);
    const states = allStates(compiled.definition);
    const parallel = compiled.definition.States['Parallel W2 W3 W4'] as { Branches: unknown[]; Type: string };
    assert.equal(parallel.Type, 'Parallel');
    assert.equal(parallel.Branches.length, 3);
    assert.equal(states['W2 billing · Failed'].Type, 'Pass', 'under continue a failed wave ends its branch quietly');
  });

  it('compiles a single wave (snapshot) and refuses input without a drill flag', () => {
    const compiled = compilePlan(executionPlan([{ name: 'only', protectionGroups: ['g'] }]), { region: REGION });
    validate(compiled.definition);
    expectSnapshot('single-wave', compiled.definition);
    const check = compiled.definition.States['Check input'] as { Choices: { IsBoolean: boolean }[]; Default: string };
    assert.equal(check.Choices[0].IsBoolean, true);
    assert.equal(check.Default, 'Invalid input');
  });

  it('compiles 20 waves of 100 servers: one job per wave, within the per-job limit (snapshot of the outline)', () => {
    const waves: Wave[] = Array.from({ length: 20 }, (_, i) => ({
      name: `tier-${String(i + 1).padStart(2, '0')}`,
      protectionGroups: [`g${i}`],
      ...(i >= 4 ? { dependsOn: [`tier-${String(i - 3).padStart(2, '0')}`] } : {}),
    }));
    const execution = executionPlan(waves, 100);
    const compiled = compilePlan(execution, { region: REGION, pollSeconds: 15 });
    validate(compiled.definition);
    assert.deepEqual(compiled.warnings, []);
    const states = allStates(compiled.definition);
    const jobLists = Object.entries(states)
      .filter(([name]) => name.endsWith('launch jobs'))
      .map(([, state]) => state.Result as { sourceServers: unknown[] }[]);
    assert.equal(jobLists.length, 20);
    assert.ok(jobLists.every((jobs) => jobs.length === 1 && jobs[0].sourceServers.length === 100));
    // Four independent chains of five waves run side by side.
    expectSnapshot('twenty-waves-outline', {
      block: decomposeWaves(execution.waves),
      stateCount: Object.keys(states).length,
      policy: compiled.calls,
    });
    const startRecovery = compiled.calls.find((c) => c.action === 'drs:StartRecovery')!;
    assert.deepEqual(startRecovery.resources, [
      'arn:${AWS::Partition}:drs:${AWS::Region}:${AWS::AccountId}:source-server/*',
    ]);
  });

  it('splits a wave of 250 servers into jobs of at most 100 and bounds their concurrency', () => {
    const compiled = compilePlan(executionPlan([{ name: 'big', protectionGroups: ['g'] }], 250), { region: REGION });
    const states = allStates(compiled.definition);
    const jobs = states['W1 big · launch jobs'].Result as { sourceServers: unknown[] }[];
    assert.deepEqual(
      jobs.map((job) => job.sourceServers.length),
      [84, 83, 83],
    );
    assert.equal(states['W1 big · launch run jobs'].MaxConcurrency, 20);
  });

  it('adds the fewest waits to a DAG that is not series-parallel, and names them', () => {
    // c after a and b; d after b only: Parallel states cannot express it.
    const waves: Wave[] = [
      { name: 'a', protectionGroups: ['a'] },
      { name: 'b', protectionGroups: ['b'] },
      { name: 'c', protectionGroups: ['c'], dependsOn: ['a', 'b'] },
      { name: 'd', protectionGroups: ['d'], dependsOn: ['b'] },
    ];
    const compiled = compilePlan(executionPlan(waves), { region: REGION });
    validate(compiled.definition);
    assert.equal(compiled.warnings.length, 1);
    assert.match(compiled.warnings[0], /Wave "d" also waits for "a"/);
  });

  it('never starts a wave before its dependencies, and adds no wait for series-parallel plans (property)', () => {
    const dag = fc
      .integer({ min: 1, max: 9 })
      .chain((count) =>
        fc.tuple(...Array.from({ length: count }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => `w${j}`)))),
      );
    fc.assert(
      fc.property(dag, (dependencies) => {
        const waves = dependencies.map((dependsOn, i) => ({ name: `w${i}`, dependsOn: dependsOn as string[] }));
        const warnings: string[] = [];
        const block = decomposeWaves(waves, warnings);
        const waits = waitsOf(block);
        assert.deepEqual([...waits.keys()].sort(), waves.map((w) => w.name).sort(), 'every wave exactly once');
        const ancestors = new Map<string, Set<string>>();
        for (const wave of waves) {
          const set = new Set<string>(wave.dependsOn);
          for (const d of wave.dependsOn) for (const t of ancestors.get(d)!) set.add(t);
          ancestors.set(wave.name, set);
          for (const d of wave.dependsOn) assert.ok(waits.get(wave.name)!.has(d), `${wave.name} waits for ${d}`);
          const extra = [...waits.get(wave.name)!].filter((w) => !set.has(w));
          if (extra.length)
            assert.ok(
              warnings.some((warning) => warning.includes(`"${wave.name}"`)),
              'extra waits are named',
            );
        }
        if (warnings.length === 0)
          for (const wave of waves)
            assert.ok(
              [...waits.get(wave.name)!].every((w) => ancestors.get(wave.name)!.has(w)),
              'no extra wait',
            );
      }),
      { numRuns: 300 },
    );
  });

  it('refuses waves in another region than the state machine', () => {
    assert.throws(
      () => compilePlan(executionPlan([{ name: 'w', protectionGroups: ['g'] }]), { region: 'eu-west-1' }),
      (error: unknown) => error instanceof PlanCompileError && /Not supported yet/.test((error as Error).message),
    );
  });
});

describe('Step Functions role policy', () => {
  it('lists exactly the actions the plan calls, on named resources', () => {
    const compiled = compilePlan(executionPlan(chain, 2), { region: REGION, pollSeconds: 10 });
    const policy = buildExecutionPolicy(compiled.calls);
    const actions = policy.Statement.flatMap((s) => s.Action).sort();
    assert.deepEqual(actions, [
      'drs:DescribeJobs',
      'drs:StartRecovery',
      'drs:TagResource',
      'sqs:SendMessage',
      'ssm:GetAutomationExecution',
      'ssm:StartAutomationExecution',
      'ssm:StopAutomationExecution',
    ]);
    assert.ok(actions.every((action) => !action.includes('*')));
    for (const statement of policy.Statement)
      if (statement.Action[0] !== 'drs:DescribeJobs') assert.ok(!statement.Resource.includes('*'), statement.Sid);
    const resolved = resolvePolicy(policy, {
      partition: 'aws',
      region: REGION,
      accountId: '123456789012',
      approvalQueueArn: 'arn:aws:sqs:us-east-1:123456789012:q',
    });
    const start = resolved.Statement.find((s) => s.Action[0] === 'drs:StartRecovery')!;
    assert.equal(start.Resource.length, 6, 'the six servers one by one');
    assert.ok(start.Resource.every((r) => /^arn:aws:drs:us-east-1:123456789012:source-server\/s-/.test(r)));
    assert.deepEqual(resolved.Statement.find((s) => s.Action[0] === 'sqs:SendMessage')!.Resource, [
      'arn:aws:sqs:us-east-1:123456789012:q',
    ]);
    assert.ok(JSON.stringify(resolved).length < 10_240, 'fits an inline role policy');
  });

  it('a plan without actions or approvals needs only DRS', () => {
    const compiled = compilePlan(executionPlan(diamond), { region: REGION });
    assert.deepEqual(
      buildExecutionPolicy(compiled.calls).Statement.map((s) => s.Action[0]),
      ['drs:DescribeJobs', 'drs:StartRecovery', 'drs:TagResource'],
    );
  });

  it('refuses wildcard actions and wildcard resources where DRS has resource-level permissions', () => {
    assert.throws(() => buildExecutionPolicy([{ action: 'drs:*', resources: ['*'] }]), /exact service:Action/);
    assert.throws(() => buildExecutionPolicy([{ action: 'drs:StartRecovery', resources: ['*'] }]), /not allowed/);
  });

  it(`names servers one by one up to ${MAX_LISTED_SERVERS}, then the resource type`, () => {
    const few = compilePlan(executionPlan([{ name: 'w', protectionGroups: ['g'] }], MAX_LISTED_SERVERS), {
      region: REGION,
    });
    const many = compilePlan(executionPlan([{ name: 'w', protectionGroups: ['g'] }], MAX_LISTED_SERVERS + 1), {
      region: REGION,
    });
    assert.equal(few.calls.find((c) => c.action === 'drs:StartRecovery')!.resources.length, MAX_LISTED_SERVERS);
    assert.equal(many.calls.find((c) => c.action === 'drs:StartRecovery')!.resources.length, 1);
  });
});

describe('Step Functions CloudFormation template', () => {
  it('holds the state machine, its role and the approval queue, tagged with the plan hash', () => {
    const recoveryPlan = plan('shop', chain);
    const compiled = compilePlan(executionPlan(chain, 2), { region: REGION, pollSeconds: 10 });
    const hash = planHash(recoveryPlan);
    const template = buildPlanTemplate({ planName: 'shop', planHash: hash, compiled }) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    assert.deepEqual(Object.keys(template.Resources).sort(), ['ApprovalQueue', 'ExecutionRole', 'StateMachine']);
    const machine = template.Resources.StateMachine.Properties;
    const tags = machine.Tags as { Key: string; Value: string }[];
    assert.equal(tags.find((t) => t.Key === TAG_PLAN_HASH)!.Value, hash);
    // Fn::Join puts the queue URL in; the definition is otherwise the compiled one, byte for byte.
    const [separator, parts] = (machine.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    assert.equal(separator, '');
    assert.equal(parts.filter((part) => typeof part !== 'string').length, 2, 'the pause and the approval');
    const filled = parts.map((part) => (typeof part === 'string' ? part : 'https://q')).join('');
    assert.deepEqual(
      JSON.parse(filled),
      JSON.parse(JSON.stringify(compiled.definition).replaceAll('${ApprovalQueueUrl}', 'https://q')),
    );
  });

  it('keeps `${` in approval messages and `$$` paths as they are', () => {
    const waves: Wave[] = [
      { name: 'w', protectionGroups: ['g'], preActions: [{ type: 'approval', message: 'Cost ${HIGH}' }] },
    ];
    const compiled = compilePlan(executionPlan(waves), { region: REGION });
    const template = JSON.stringify(buildPlanTemplate({ planName: 'p', planHash: 'h', compiled }));
    assert.ok(template.includes('Cost ${HIGH}'));
    assert.ok(template.includes('$$.Task.Token'));
  });

  it('plan hash ignores key order and formatting, and changes with content', () => {
    const a = plan('shop', diamond);
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as unknown as RecoveryPlan;
    assert.equal(planHash(a), planHash(reordered));
    assert.notEqual(planHash(a), planHash({ ...a, failurePolicy: 'continue' }));
  });

  it('stack names are valid CloudFormation names', () => {
    assert.equal(stackNameFor('shop.prod_v2'), 'pilotlight-plan-shop-prod-v2');
    assert.match(stackNameFor('x'.repeat(200)), /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/);
  });
});
