import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { isInsightsQuestion, renderInsightsAnswer } from '../../src/core/insights/proactive/answer';
import {
  dismiss,
  DismissalStore,
  isDismissed,
  MAX_DISMISSALS,
  parseDismissals,
  restore,
  visibleInsights,
  type DismissalState,
} from '../../src/core/insights/proactive/dismissals';
import { fingerprintOf } from '../../src/core/insights/proactive/fingerprint';
import { judgePatchStates, patchComplianceSource } from '../../src/core/insights/proactive/patchSource';
import { storageInsight } from '../../src/core/insights/proactive/rdsStorageSource';
import {
  collectInsights,
  PartialInsightsError,
  rankInsights,
  summarizeReport,
} from '../../src/core/insights/proactive/runner';
import { openGroupInsight } from '../../src/core/insights/proactive/securitySource';
import {
  accountProtection,
  backgroundCheckDecision,
  INTERVAL_MINUTES,
  resolveInsightSettings,
} from '../../src/core/insights/proactive/settings';
import type { Insight, InsightContext, InsightSource } from '../../src/core/insights/proactive/types';
import { unattachedVolumesSource, unusedCategoryInsight } from '../../src/core/insights/proactive/unusedSource';
import { resolveGuardrailPolicy } from '../../src/core/guardrails';
import type { UnusedFinding } from '../../src/core/insights/unused';

const NOW = new Date('2026-12-01T12:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

function insight(overrides: Partial<Insight> = {}): Insight {
  return {
    id: 'i:1',
    fingerprint: 'f1',
    sourceId: 's',
    severity: 'low',
    title: 't',
    resources: [],
    ...overrides,
  };
}

const insightArb = fc.record({
  id: fc.string({ minLength: 1, maxLength: 20 }),
  fingerprint: fc.string({ minLength: 1, maxLength: 20 }),
  sourceId: fc.constant('s'),
  severity: fc.constantFrom('high' as const, 'medium' as const, 'low' as const),
  title: fc.string({ maxLength: 10 }),
  resources: fc.array(
    fc.record({ type: fc.constant('ec2:volume'), id: fc.string(), region: fc.constant('us-east-1') }),
    {
      maxLength: 4,
    },
  ),
});

function context(read: InsightContext['read'] = async () => ({ items: [] })): InsightContext {
  return { read, account: '111111111111', region: 'us-east-1', now: NOW };
}

describe('proactive insights: dismissals', () => {
  it('a dismissed insight stays hidden until its fingerprint changes, and shows again when restored', () => {
    fc.assert(
      fc.property(
        insightArb,
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.array(insightArb, { maxLength: 5 }),
        (subject, changed, others) => {
          fc.pre(changed !== subject.fingerprint);
          const state = dismiss({}, subject);
          assert.ok(isDismissed(state, subject));
          assert.ok(!visibleInsights(state, [subject]).visible.length);
          const changedInsight = { ...subject, fingerprint: changed };
          assert.deepEqual(visibleInsights(state, [changedInsight]).visible, [changedInsight]);
          assert.ok(!isDismissed(restore(state, subject.id), subject));
          // Others keep their own state; the order of what is visible is kept.
          const all = [...others.filter((other) => other.id !== subject.id), subject];
          const { visible, dismissed } = visibleInsights(state, all);
          assert.deepEqual(dismissed, [subject]);
          assert.deepEqual(visible, all.slice(0, -1));
        },
      ),
    );
  });

  it('parses only what is well formed, survives a round trip and keeps ids like __proto__ as plain keys', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 30 }), fc.oneof(fc.string({ maxLength: 30 }), fc.integer())),
        (raw) => {
          const parsed = parseDismissals(raw);
          for (const [id, fingerprint] of Object.entries(parsed)) {
            assert.equal(typeof fingerprint, 'string');
            assert.equal(raw[id], fingerprint);
          }
          assert.deepEqual(parseDismissals(JSON.parse(JSON.stringify(parsed))), parsed);
        },
      ),
    );
    const state = dismiss({}, { id: '__proto__', fingerprint: 'x' });
    assert.equal(Object.getPrototypeOf(state), Object.prototype);
    assert.ok(isDismissed(parseDismissals(JSON.parse(JSON.stringify(state))), { id: '__proto__', fingerprint: 'x' }));
    for (const bad of [null, 'text', 42, ['a'], undefined]) assert.deepEqual(parseDismissals(bad), {});
  });

  it(`keeps at most ${MAX_DISMISSALS} dismissals, dropping the oldest`, () => {
    let state: DismissalState = {};
    for (let index = 0; index < MAX_DISMISSALS + 3; index += 1)
      state = dismiss(state, { id: `i${index}`, fingerprint: 'f' });
    assert.equal(Object.keys(state).length, MAX_DISMISSALS);
    assert.ok(!Object.hasOwn(state, 'i0'));
    assert.ok(Object.hasOwn(state, `i${MAX_DISMISSALS + 2}`));
  });

  it('the store writes through its storage', async () => {
    const values = new Map<string, unknown>();
    const store = new DismissalStore({
      get: (key) => values.get(key),
      update: async (key, value) => void values.set(key, value),
    });
    const subject = insight();
    await store.dismiss(subject);
    assert.deepEqual(store.visible([subject]).visible, []);
    await store.restore(subject.id);
    assert.deepEqual(store.visible([subject]).visible, [subject]);
    await store.dismiss(subject);
    await store.restoreAll();
    assert.deepEqual(store.visible([subject]).visible, [subject]);
  });
});

describe('proactive insights: ranking and the runner', () => {
  it('ranks by severity, then by the number of resources, independent of the input order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(insightArb, { selector: (item) => item.id, maxLength: 12 }), (insights) => {
        const ranked = rankInsights(insights);
        const order = { high: 0, medium: 1, low: 2 };
        for (let index = 1; index < ranked.length; index += 1) {
          const [a, b] = [ranked[index - 1], ranked[index]];
          assert.ok(
            order[a.severity] < order[b.severity] ||
              (order[a.severity] === order[b.severity] && a.resources.length >= b.resources.length),
          );
        }
        assert.deepEqual(rankInsights([...insights].reverse()), ranked);
      }),
    );
  });

  it('a source that throws is "not checked" with its reason; the others still report', async () => {
    const sources: InsightSource[] = [
      { id: 'good', title: 'Good', collect: async () => [insight({ id: 'a', severity: 'low' })] },
      {
        id: 'bad',
        title: 'Bad',
        collect: async () => {
          throw new Error('AccessDenied: no ssm:DescribeInstancePatchStates');
        },
      },
      {
        id: 'partial',
        title: 'Partial',
        collect: async () => {
          throw new PartialInsightsError('no data for db-2', [insight({ id: 'b', severity: 'high' })]);
        },
      },
    ];
    const report = await collectInsights(sources, context());
    assert.deepEqual(
      report.insights.map((item) => item.id),
      ['b', 'a'],
    );
    assert.deepEqual(
      report.sources.map((status) => [status.id, status.state, status.reason]),
      [
        ['good', 'ok', undefined],
        ['bad', 'not-checked', 'AccessDenied: no ssm:DescribeInstancePatchStates'],
        ['partial', 'partial', 'no data for db-2'],
      ],
    );
    assert.equal(report.complete, false);
  });

  it('a source that hangs is "not checked" after the timeout', async () => {
    const report = await collectInsights(
      [{ id: 'slow', title: 'Slow', collect: () => new Promise<Insight[]>(() => undefined) }],
      context(),
      { timeoutMs: 20 },
    );
    assert.equal(report.sources[0].state, 'not-checked');
    assert.match(report.sources[0].reason!, /did not finish/);
  });

  it('never says "nothing to look at" when a source did not run in full', () => {
    fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }), async (fails) => {
        const sources: InsightSource[] = fails.map((fail, index) => ({
          id: `s${index}`,
          title: `S${index}`,
          collect: async () => {
            if (fail) throw new Error('down');
            return [];
          },
        }));
        const report = await collectInsights(sources, context());
        const summary = summarizeReport(report, 0);
        const answer = renderInsightsAnswer(report).markdown;
        if (fails.some(Boolean)) {
          assert.doesNotMatch(summary, /^Nothing to look at/);
          assert.doesNotMatch(answer, /Nothing to look at/);
          assert.match(answer, /not a clean bill of health/);
          assert.match(answer, /not checked \(down\)/);
        } else {
          assert.match(summary, /^Nothing to look at/);
          assert.match(answer, /Nothing to look at right now/);
        }
      }),
    );
  });
});

describe('proactive insights: sources', () => {
  const volume = (id: string, monthlyUsd: number): UnusedFinding => ({
    category: 'unattached-volume',
    resource: { type: 'ec2:volume', id, name: id, region: 'us-east-1' },
    monthlyUsd,
    reason: 'not attached',
    costNote: '',
    cleanup: { operationId: 'ec2.volumes.delete', input: { volumeId: id } },
  });

  it('groups unattached volumes with their monthly cost; the fingerprint follows the set of volumes', () => {
    const findings = [1, 2, 3, 4, 5].map((n) => volume(`vol-0000000${n}`, 10));
    const grouped = unusedCategoryInsight('unattached-volume', findings, { account: 'a', region: 'us-east-1' })!;
    assert.equal(grouped.title, '5 unattached EBS volumes cost about $50.00/month');
    assert.equal(grouped.resources.length, 5);
    assert.deepEqual(grouped.fix?.operationId, 'ec2.volumes.delete');
    const reordered = unusedCategoryInsight('unattached-volume', [...findings].reverse(), {
      account: 'a',
      region: 'us-east-1',
    })!;
    assert.equal(reordered.fingerprint, grouped.fingerprint);
    const another = unusedCategoryInsight('unattached-volume', [...findings, volume('vol-00000006', 1)], {
      account: 'a',
      region: 'us-east-1',
    })!;
    assert.notEqual(another.fingerprint, grouped.fingerprint);
    assert.equal(another.id, grouped.id);
    assert.equal(unusedCategoryInsight('unassociated-eip', findings, { account: 'a', region: 'us-east-1' }), undefined);
  });

  it('a failed volume read is "not checked", never an empty result', async () => {
    const source = unattachedVolumesSource();
    await assert.rejects(
      source.collect(
        context(async (operationId) => {
          if (operationId === 'ec2.volumes.list') throw new Error('Throttling: slow down');
          return { items: [] };
        }),
      ),
      /volumes could not be read/,
    );
  });

  it('reports an RDS instance at or above 80 % of its storage', () => {
    const gib = 1024 ** 3;
    const at85 = storageInsight({ id: 'orders-db', allocatedGiB: 20, freeBytes: 3 * gib }, 'a', 'us-east-1')!;
    assert.equal(at85.title, 'RDS instance orders-db is at 85 % of its storage');
    assert.equal(at85.severity, 'medium');
    assert.equal(storageInsight({ id: 'x', allocatedGiB: 20, freeBytes: 1 * gib }, 'a', 'r')!.severity, 'high');
    assert.equal(storageInsight({ id: 'x', allocatedGiB: 20, freeBytes: 10 * gib }, 'a', 'r'), undefined);
    const at87 = storageInsight({ id: 'orders-db', allocatedGiB: 20, freeBytes: 2.6 * gib }, 'a', 'us-east-1')!;
    assert.equal(at87.fingerprint, at85.fingerprint, 'same 5 % step: a dismissal holds');
    const at91 = storageInsight({ id: 'orders-db', allocatedGiB: 20, freeBytes: 1.8 * gib }, 'a', 'us-east-1')!;
    assert.notEqual(at91.fingerprint, at85.fingerprint);
  });

  it('judges patch states: stale, missing patches, and instances that never reported', () => {
    const old = new Date(NOW.getTime() - 40 * DAY);
    const { stale, unreported } = judgePatchStates(
      [
        { id: 'i-1', name: 'a', launchTime: old },
        { id: 'i-2', name: 'b', launchTime: old },
        { id: 'i-3', name: 'c', launchTime: old },
        { id: 'i-4', name: 'd', launchTime: old },
        { id: 'i-5', name: 'young', launchTime: new Date(NOW.getTime() - 2 * DAY) },
      ],
      [
        { InstanceId: 'i-1', OperationEndTime: new Date(NOW.getTime() - 35 * DAY) },
        { InstanceId: 'i-2', OperationEndTime: new Date(NOW.getTime() - 1 * DAY), MissingCount: 3 },
        { InstanceId: 'i-3', OperationEndTime: new Date(NOW.getTime() - 1 * DAY) },
      ],
      NOW,
    );
    assert.deepEqual(
      stale.map((instance) => [instance.id, instance.why]),
      [
        ['i-1', 'last patched or scanned 35 days ago'],
        ['i-2', '3 missing and 0 failed patches'],
      ],
    );
    assert.deepEqual(unreported, ['i-4']);
  });

  it('the patch source is "not checked" with why when the patch states cannot be read', async () => {
    const launched = new Date(NOW.getTime() - 60 * DAY).toISOString();
    const source = patchComplianceSource();
    await assert.rejects(
      source.collect(
        context(async (operationId) => {
          if (operationId === 'ec2.instances.list')
            return {
              items: [{ InstanceId: 'i-0123456789abcdef0', LaunchTime: launched, State: { Name: 'running' } }],
            };
          throw new Error('InvalidAction: DescribeInstancePatchStates is not supported');
        }),
      ),
      /SSM patch states could not be read: InvalidAction/,
    );
  });

  it('turns a world-open security group into a revoke of exactly its open rules', () => {
    const found = openGroupInsight(
      {
        GroupId: 'sg-0123456789abcdef0',
        GroupName: 'web',
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8' }],
          },
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ],
      },
      'a',
      'us-east-1',
    )!;
    assert.equal(found.severity, 'high');
    assert.equal(found.fix?.operationId, 'ec2.securityGroups.revokeIngress');
    assert.deepEqual(found.fix?.input, {
      groupId: 'sg-0123456789abcdef0',
      rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' }],
    });
    assert.equal(
      openGroupInsight(
        {
          GroupId: 'sg-1',
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        },
        'a',
        'r',
      ),
      undefined,
    );
  });

  it('fingerprints ignore order', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), (parts) =>
        assert.equal(fingerprintOf(parts), fingerprintOf([...parts].reverse())),
      ),
    );
  });
});

describe('proactive insights: settings and chat', () => {
  const layerArb = fc.record(
    {
      enabled: fc.oneof(fc.boolean(), fc.constant('yes')),
      intervalMinutes: fc.oneof(fc.integer({ min: -10, max: 5000 }), fc.constant(Number.NaN)),
      includeProtected: fc.boolean(),
    },
    { requiredKeys: [] },
  );

  it('a workspace can only tighten: never enable, never shorten the interval, never include protected accounts', () => {
    fc.assert(
      fc.property(layerArb, layerArb, (user, workspace) => {
        const alone = resolveInsightSettings(user, undefined).settings;
        const both = resolveInsightSettings(user, workspace).settings;
        assert.ok(!both.enabled || alone.enabled);
        assert.ok(!both.includeProtected || alone.includeProtected);
        assert.ok(both.intervalMinutes >= alone.intervalMinutes);
        assert.ok(both.intervalMinutes >= INTERVAL_MINUTES.min && both.intervalMinutes <= INTERVAL_MINUTES.max);
      }),
    );
    assert.deepEqual(resolveInsightSettings(undefined, undefined).settings, {
      enabled: false,
      intervalMinutes: 60,
      includeProtected: false,
    });
    const loosened = resolveInsightSettings({ enabled: false }, { enabled: true, includeProtected: true });
    assert.equal(loosened.settings.enabled, false);
    assert.equal(loosened.ignored.length, 2);
  });

  it('skips protected accounts in the background until includeProtected is set', () => {
    const policy = resolveGuardrailPolicy({
      settings: { accountEnvironments: { '222222222222': 'production' }, protectedEnvironments: ['production'] },
    }).policy;
    const prod = accountProtection('222222222222', policy);
    assert.deepEqual(prod, { protected: true, environment: 'production' });
    assert.deepEqual(accountProtection('333333333333', policy), { protected: false });
    const on = { enabled: true, intervalMinutes: 60, includeProtected: false };
    assert.equal(backgroundCheckDecision(on, prod).run, false);
    assert.equal(backgroundCheckDecision({ ...on, includeProtected: true }, prod).run, true);
    assert.equal(backgroundCheckDecision({ ...on, enabled: false }, { protected: false }).run, false);
  });

  it('recognises "what should I look at?" and nothing broader', () => {
    for (const text of [
      'what should I look at?',
      'What should I look at first?',
      'insights',
      'anything I should know about?',
      'what needs my attention?',
    ])
      assert.ok(isInsightsQuestion(text), text);
    for (const text of [
      'stop web-1',
      'what should I look at in the bill for staging instances tagged Team=a?',
      'show unused volumes',
    ])
      assert.ok(!isInsightsQuestion(text), text);
  });

  it('answers with the top insights, their fixes as dry-runs, and hides dismissed ones', async () => {
    const fixable = insight({
      id: 'x',
      severity: 'high',
      title: 'Security group web is open to the internet',
      resources: [{ type: 'ec2:security-group', id: 'sg-1', region: 'us-east-1' }],
      fix: { title: 'Dry-run: revoke', operationId: 'ec2.securityGroups.revokeIngress', input: { groupId: 'sg-1' } },
    });
    const hidden = insight({ id: 'y', fingerprint: 'fy', title: 'hidden one' });
    const report = await collectInsights([{ id: 's', title: 'S', collect: async () => [fixable, hidden] }], context());
    const answer = renderInsightsAnswer(report, dismiss({}, hidden));
    assert.match(answer.markdown, /Here is what I would look at first/);
    assert.match(answer.markdown, /High:\*\* Security group web is open to the internet/);
    assert.doesNotMatch(answer.markdown, /hidden one/);
    assert.match(answer.markdown, /1 dismissed insight is hidden/);
    assert.deepEqual(
      answer.actions.map((action) => action.kind),
      ['dry-run', 'show-in-explorer'],
    );
  });
});
