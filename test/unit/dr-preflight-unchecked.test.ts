import * as assert from 'node:assert/strict';
import {
  formatFindings,
  preflightVerdict,
  renderPreflightMarkdown,
  runPreflight,
  type PreflightReport,
} from '../../src/core/dr/preflight';
import type { DrRunMode } from '../../src/core/dr/planner';
import { FakeDrs } from '../support/fakeDrs';
import { group, plan } from '../support/dr';

const denied = (what: string) => async (): Promise<never> => {
  throw new Error(`AccessDeniedException: not authorized to perform ${what}`);
};

type Breakable =
  | 'account'
  | 'describeJobs'
  | 'describeRecoveryInstances'
  | 'checkLaunchTemplates'
  | 'describeDocument'
  | 'validateLaunches';

/** A healthy one-server plan with an SSM action, so every check has something to look at; `broken` reads fail. */
async function preflight(
  mode: DrRunMode,
  broken: Breakable[],
  options: { pinAccount?: boolean } = {},
): Promise<PreflightReport> {
  const fake = new FakeDrs();
  fake.addServers(1, { Role: 'db' });
  fake.describeDocument = async () => ({ Name: 'Warm-Up', DocumentType: 'Automation' });
  for (const method of broken) (fake as unknown as Record<string, unknown>)[method] = denied(method);
  return runPreflight({
    plan: plan('shop', [
      { name: 'db', protectionGroups: ['db'], postActions: [{ type: 'ssmAutomation', documentName: 'Warm-Up' }] },
    ]),
    groups: [group('db', { Role: 'db' }, options.pinAccount ? { account: '123456789012' } : {})],
    reads: fake,
    mode,
    defaultRegion: 'us-east-1',
  });
}

describe('DR preflight: a check that did not run is never "ready"', () => {
  it('is ready when every check ran (the baseline the other cases change)', async () => {
    for (const mode of ['drill', 'recovery'] as const) {
      const report = await preflight(mode, [], { pinAccount: true });
      assert.deepEqual(report.unchecked, []);
      assert.equal(preflightVerdict(report), 'ready', JSON.stringify(report.findings));
      assert.match(renderPreflightMarkdown(report), /\*\*Ready\.\*\*/);
    }
  });

  const cases: Array<[Breakable, RegExp]> = [
    ['describeJobs', /^active DRS jobs in us-east-1$/],
    ['describeRecoveryInstances', /^recovery instances in us-east-1$/],
    ['checkLaunchTemplates', /^launch templates in us-east-1$/],
    ['describeDocument', /^SSM document Warm-Up in us-east-1$/],
    ['account', /^account$/],
    ['validateLaunches', /^launch recovery rules$/],
  ];
  for (const [method, check] of cases) {
    it(`${method} failing: a blocking finding in a recovery, a warning and "not fully checked" in a drill`, async () => {
      const recovery = await preflight('recovery', [method], { pinAccount: true });
      assert.equal(recovery.ok, false, 'a recovery does not start with an unrun check');
      assert.equal(preflightVerdict(recovery), 'blocked');
      const failed = recovery.findings.filter((finding) => finding.code === 'check-failed');
      assert.equal(failed.length, 1, JSON.stringify(recovery.findings));
      assert.equal(failed[0].severity, 'error');
      assert.match(failed[0].message, /AccessDeniedException/);
      assert.equal(recovery.unchecked.length, 1);
      assert.match(recovery.unchecked[0], check);

      const drill = await preflight('drill', [method], { pinAccount: true });
      assert.equal(drill.ok, true, 'a drill may still start');
      assert.equal(preflightVerdict(drill), 'not fully checked');
      assert.equal(drill.findings.find((finding) => finding.code === 'check-failed')?.severity, 'warning');
      const markdown = renderPreflightMarkdown(drill);
      assert.doesNotMatch(markdown, /\*\*Ready/);
      assert.match(markdown, /\*\*Not fully checked:\*\* 1 check\(s\) could not run/);
      assert.doesNotMatch(formatFindings(drill), /: ready/);
      assert.match(formatFindings(drill), /not fully checked \(1 check\(s\) did not run\)/);
    });
  }

  it('a launch rule whose facts could not be read is an unrun check; a rule that ran is a finding per server', async () => {
    const fake = new FakeDrs();
    const [id] = fake.addServers(1, { Role: 'db' });
    fake.launchFindings = [
      {
        sourceServerId: id,
        code: 'check-not-run',
        severity: 'warning',
        message: `${id}: instance type offerings in us-east-1a were not checked.`,
        fix: 'Check ec2:DescribeInstanceTypeOfferings permission, then validate again.',
      },
      {
        sourceServerId: id,
        code: 'launched-version-not-latest',
        severity: 'warning',
        message: `${id}: DRS launches version 1 (the default) of lt-0123456789abcdef0; the newer version 2 is not used.`,
        fix: 'Make version 2 the default if it is the intended configuration.',
      },
    ];
    const input = {
      plan: plan('shop', [{ name: 'db', protectionGroups: ['db'] }]),
      groups: [group('db', { Role: 'db' })],
      reads: fake,
      defaultRegion: 'us-east-1',
    };
    const recovery = await runPreflight({ ...input, mode: 'recovery' });
    assert.equal(preflightVerdict(recovery), 'blocked');
    assert.deepEqual(recovery.unchecked, [`launch recovery rules of ${id}`]);
    const rule = recovery.findings.find((finding) => finding.launchRule === 'launched-version-not-latest');
    assert.equal(rule?.code, 'launch-template-invalid');
    assert.deepEqual(rule?.sourceServerIds, [id]);
    // Preflight hands over the launch configuration it read, so the rules do not read it again.
    assert.equal(fake.validatedLaunches.at(-1)?.[0].launchConfiguration?.ec2LaunchTemplateID, 'lt-0123456789abcdef0');
    const drill = await runPreflight({ ...input, mode: 'drill' });
    assert.equal(preflightVerdict(drill), 'not fully checked');
  });

  it('reports the launch rules as not run when the reads cannot run them', async () => {
    const fake = new FakeDrs();
    fake.addServers(1, { Role: 'db' });
    (fake as { validateLaunches?: unknown }).validateLaunches = undefined;
    const report = await runPreflight({
      plan: plan('shop', [{ name: 'db', protectionGroups: ['db'] }]),
      groups: [group('db', { Role: 'db' })],
      reads: fake,
      mode: 'drill',
      defaultRegion: 'us-east-1',
    });
    assert.deepEqual(report.unchecked, ['launch recovery rules']);
    assert.equal(preflightVerdict(report), 'not fully checked');
  });

  it('needs the account only when a group is pinned to one', async () => {
    const report = await preflight('recovery', ['account']);
    assert.deepEqual(report.unchecked, []);
    assert.equal(preflightVerdict(report), 'ready');
  });

  it('lists every unrun check when several fail', async () => {
    const report = await preflight(
      'recovery',
      [
        'describeJobs',
        'describeRecoveryInstances',
        'checkLaunchTemplates',
        'describeDocument',
        'account',
        'validateLaunches',
      ],
      { pinAccount: true },
    );
    assert.equal(report.unchecked.length, 6);
    assert.equal(
      report.findings.filter((finding) => finding.code === 'check-failed' && finding.severity === 'error').length,
      6,
    );
  });
});
