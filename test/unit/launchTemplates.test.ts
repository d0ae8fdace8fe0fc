import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  applyDelta,
  changedFields,
  decodeUserData,
  gatherRecoveryFacts,
  ipv4InCidr,
  LaunchTemplateEditor,
  normalizeVersionForDiff,
  parseIpv4Cidr,
  UnsupportedRemovalError,
  validateRecoveryLaunch,
  type LaunchTemplateData,
  type RecoveryFacts,
  type RunFunction,
} from '../../src/core/launchTemplates';
import type { RunOutcome } from '../../src/core/operations/runner';

const FIELDS = [
  'ImageId',
  'InstanceType',
  'KeyName',
  'UserData',
  'MetadataOptions',
  'NetworkInterfaces',
  'SecurityGroupIds',
  'BlockDeviceMappings',
  'Placement',
  'TagSpecifications',
];
const leaf = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('A', 'B', 'C', 'Groups', 'SubnetId'), tie('node'), { maxKeys: 3 }),
  ),
})).node;
const data = fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 6 }) as fc.Arbitrary<LaunchTemplateData>;

/** What a field looks like once unset parts are dropped: undefined when nothing is left. */
function isUnset(input: unknown): boolean {
  if (input === undefined || input === null) return true;
  if (Array.isArray(input)) return input.every(isUnset);
  if (typeof input === 'object') return Object.values(input as object).every(isUnset);
  return false;
}

describe('launch template diff and delta', () => {
  it('applying the delta to the base yields the edited data (as diff text); a removal is refused instead', () => {
    fc.assert(
      fc.property(data, data, (base, edits) => {
        const edited = { ...base, ...edits };
        const removed = Object.keys(base).filter((key) => !isUnset(base[key]) && isUnset(edited[key]));
        if (removed.length) {
          assert.throws(
            () => changedFields(base, edited),
            (error: unknown) =>
              error instanceof UnsupportedRemovalError && error.fields.join() === removed.sort().join(),
          );
          return;
        }
        const delta = changedFields(base, edited);
        assert.equal(normalizeVersionForDiff(applyDelta(base, delta.data)), normalizeVersionForDiff(edited));
        assert.deepEqual(Object.keys(delta.data).sort(), delta.changes.map((change) => change.field).sort());
      }),
      { numRuns: 300 },
    );
  });

  it('gives identical diff text for identical data whatever the key order, and no change', () => {
    fc.assert(
      fc.property(data, (base) => {
        const reversed = Object.fromEntries(Object.entries(structuredClone(base)).reverse());
        assert.equal(normalizeVersionForDiff(base), normalizeVersionForDiff(reversed));
        assert.deepEqual(changedFields(base, reversed).changes, []);
      }),
      { numRuns: 300 },
    );
  });

  it('never reports an unset field as a change', () => {
    fc.assert(
      fc.property(
        data,
        fc.constantFrom(...FIELDS),
        fc.constantFrom(undefined, null, [], {}, [null], { A: undefined }),
        (base, field, unset) => {
          const withUnset = { ...base, [field]: unset };
          const plain = { ...base };
          delete plain[field];
          // Either side unset: no change, no removal.
          if (isUnset(base[field])) {
            assert.deepEqual(changedFields(plain, withUnset).changes, []);
            assert.deepEqual(changedFields(withUnset, plain).changes, []);
            assert.ok(!normalizeVersionForDiff(withUnset).includes(`"${field}"`));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a removal SourceVersion cannot express, naming the field', () => {
    const error = (() => {
      try {
        changedFields({ ImageId: 'ami-1', KeyName: 'ops' }, { ImageId: 'ami-1' });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    assert.ok(error instanceof UnsupportedRemovalError);
    assert.deepEqual(error.fields, ['KeyName']);
    assert.match(error.message, /Cannot remove KeyName/);
  });

  it('sends arrays and nested objects whole', () => {
    const delta = changedFields(
      { SecurityGroupIds: ['sg-1', 'sg-2'], MetadataOptions: { HttpTokens: 'optional', HttpEndpoint: 'enabled' } },
      { SecurityGroupIds: ['sg-2'], MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' } },
    );
    assert.deepEqual(delta.data, {
      MetadataOptions: { HttpEndpoint: 'enabled', HttpTokens: 'required' },
      SecurityGroupIds: ['sg-2'],
    });
  });

  it('shows user data decoded, and other values as they are', () => {
    const text = normalizeVersionForDiff({
      UserData: Buffer.from('#!/bin/sh\necho hi\n').toString('base64'),
      InstanceType: 't3.micro',
    });
    assert.match(text, /# UserData \(base64-decoded\)\n#!\/bin\/sh\necho hi\n/);
    assert.match(
      normalizeVersionForDiff({ UserData: '[REDACTED]' }),
      /# UserData\n\[REDACTED\] \(set; user data is a secret and was not read for this text: compare the versions from the launch-template editor to see it decoded\)\n/,
    );
    assert.equal(decodeUserData('not base64!'), undefined);
    assert.equal(decodeUserData(Buffer.from([0xff, 0xfe, 0x00]).toString('base64')), undefined);
  });
});

describe('IPv4 CIDR math', () => {
  it('agrees with a bit-by-bit reference for every address and prefix', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(
        fc.tuple(octet, octet, octet, octet),
        fc.tuple(octet, octet, octet, octet),
        fc.integer({ min: 0, max: 32 }),
        (ip, net, prefix) => {
          const bits = (parts: number[]) => parts.map((part) => part.toString(2).padStart(8, '0')).join('');
          const expected = bits(ip).slice(0, prefix) === bits(net).slice(0, prefix);
          assert.equal(ipv4InCidr(ip.join('.'), `${net.join('.')}/${prefix}`), expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('rejects malformed input', () => {
    for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0/24', '256.0.0.0/8', '10.0.0.0/24/1', '01.2.3.4/8', ''])
      assert.equal(parseIpv4Cidr(bad), undefined, bad);
    assert.equal(ipv4InCidr('10.0.0.300', '10.0.0.0/8'), false);
    assert.deepEqual(parseIpv4Cidr('10.0.1.77/24'), { network: (10 << 24) + 256, prefix: 24 });
  });
});

describe('DRS recovery validation rules', () => {
  const subnet = { subnetId: 'subnet-1', vpcId: 'vpc-1', availabilityZone: 'us-east-1a', cidrBlock: '10.0.1.0/24' };
  const clean = (): RecoveryFacts => ({
    sourceServerId: 's-1',
    launchConfiguration: {
      ec2LaunchTemplateID: 'lt-1',
      targetInstanceTypeRightSizingMethod: 'NONE',
      copyPrivateIp: true,
    },
    sourceDiskDevices: ['/dev/xvda'],
    sourcePrivateIps: ['10.0.1.9'],
    recommendedInstanceType: 'm5.large',
    template: {
      launchTemplateId: 'lt-1',
      defaultVersion: 2,
      latestVersion: 2,
      data: {
        InstanceType: 't3.micro',
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda' }],
        NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: 'subnet-1', Groups: ['sg-1'] }],
      },
    },
    subnet,
    securityGroupVpcs: { 'sg-1': 'vpc-1' },
    offeredInstanceTypes: new Set(['t3.micro']),
  });
  const codes = (facts: RecoveryFacts) => validateRecoveryLaunch(facts).map((finding) => finding.code);

  it('finds nothing on consistent facts', () => assert.deepEqual(codes(clean()), []));

  it('reports each rule, with a fix', () => {
    const cases: Array<[string, (facts: RecoveryFacts) => void]> = [
      [
        'right-sizing-overrides-instance-type',
        (f) => (
          (f.launchConfiguration.targetInstanceTypeRightSizingMethod = 'BASIC'),
          (f.offeredInstanceTypes = new Set(['m5.large']))
        ),
      ],
      ['device-name-mismatch', (f) => (f.sourceDiskDevices = ['/dev/sda1'])],
      [
        'subnet-required',
        (f) => ((f.template!.data = { InstanceType: 't3.micro' }), (f.subnet = undefined), (f.hasDefaultVpc = false)),
      ],
      ['private-ip-outside-subnet', (f) => (f.sourcePrivateIps = ['10.0.2.9'])],
      ['security-group-other-vpc', (f) => (f.securityGroupVpcs = { 'sg-1': 'vpc-2' })],
      ['security-group-missing', (f) => (f.securityGroupVpcs = {})],
      ['launched-version-not-latest', (f) => (f.template!.latestVersion = 3)],
      ['instance-type-not-offered', (f) => (f.offeredInstanceTypes = new Set(['t3.large']))],
      ['launch-template-missing', (f) => (f.template = undefined)],
    ];
    for (const [code, mutate] of cases) {
      const facts = clean();
      mutate(facts);
      const findings = validateRecoveryLaunch(facts);
      assert.deepEqual(
        findings.map((finding) => finding.code),
        [code],
        code,
      );
      assert.ok(findings[0].fix.length > 10 && findings[0].message.includes('s-1'), code);
    }
  });

  it('reports a check whose facts are missing as not run, never as clean', () => {
    for (const mutate of [
      (f: RecoveryFacts) => (f.offeredInstanceTypes = undefined),
      (f: RecoveryFacts) => (f.securityGroupVpcs = undefined),
      (f: RecoveryFacts) => (f.sourceDiskDevices = undefined),
      (f: RecoveryFacts) => ((f.template!.data = {}), (f.subnet = undefined)),
    ]) {
      const facts = clean();
      mutate(facts);
      assert.deepEqual(codes(facts), ['check-not-run']);
    }
  });
});

describe('launch template editor (scripted runner)', () => {
  function scripted(templates: { latest: number; default: number; data: Record<number, LaunchTemplateData> }) {
    const calls: Array<{ id: string; input: any; mode: string }> = [];
    const run: RunFunction = async (id, input: any, options) => {
      calls.push({ id, input, mode: options.mode });
      const ok = (output: unknown): RunOutcome => ({
        status: 'succeeded',
        correlationId: 'c',
        operationId: id,
        mode: options.mode,
        caller: options.caller,
        resourceIds: [],
        backups: [],
        durationMs: 1,
        output,
      });
      if (id === 'ec2.launchTemplates.list')
        return ok({
          items: [
            {
              LaunchTemplateId: 'lt-0123456789abcdef0',
              LaunchTemplateName: 'web',
              DefaultVersionNumber: templates.default,
              LatestVersionNumber: templates.latest,
            },
          ],
        });
      if (id === 'ec2.launchTemplates.versions') {
        const numbers = input.versions ? input.versions.map(Number) : Object.keys(templates.data).map(Number);
        return ok({
          items: numbers.map((n: number) => ({
            VersionNumber: n,
            DefaultVersion: n === templates.default,
            LaunchTemplateData: templates.data[n],
          })),
        });
      }
      if (id === 'ec2.launchTemplates.createVersion') {
        templates.latest += 1;
        templates.data[templates.latest] = { ...templates.data[input.sourceVersion], ...input.launchTemplateData };
        return ok({ versionNumber: templates.latest });
      }
      if (id === 'ec2.launchTemplates.setDefaultVersion') {
        templates.default = input.version;
        return ok({});
      }
      throw new Error(`unexpected ${id}`);
    };
    return { run, calls, templates };
  }

  it('creates exactly one version with only the changed fields, then makes it default', async () => {
    const fake = scripted({ latest: 1, default: 1, data: { 1: { ImageId: 'ami-1', InstanceType: 't3.micro' } } });
    const editor = new LaunchTemplateEditor(fake.run, { caller: 'command' });
    const result = await editor.save({
      templateId: 'lt-0123456789abcdef0',
      baseVersion: 1,
      expectedLatestVersion: 1,
      edited: { ImageId: 'ami-1', InstanceType: 't3.large' },
      makeDefault: true,
    });
    assert.equal(result.status, 'saved');
    const creates = fake.calls.filter((call) => call.id === 'ec2.launchTemplates.createVersion');
    assert.equal(creates.length, 1);
    assert.deepEqual(creates[0].input.launchTemplateData, { InstanceType: 't3.large' });
    assert.equal(fake.templates.default, 2);
  });

  it('returns a conflict and creates nothing when the latest version moved', async () => {
    const fake = scripted({
      latest: 3,
      default: 1,
      data: { 1: { InstanceType: 't3.micro' }, 3: { InstanceType: 'm5.large' } },
    });
    const result = await new LaunchTemplateEditor(fake.run, { caller: 'command' }).save({
      templateId: 'lt-0123456789abcdef0',
      baseVersion: 1,
      expectedLatestVersion: 2,
      edited: { InstanceType: 't3.large' },
    });
    assert.equal(result.status, 'conflict');
    assert.ok(!fake.calls.some((call) => call.id === 'ec2.launchTemplates.createVersion'));
  });

  it('dry-runs a save: every call in dry-run mode, nothing created', async () => {
    const fake = scripted({ latest: 1, default: 1, data: { 1: { InstanceType: 't3.micro' } } });
    const dryRun: RunFunction = async (id, input, options) =>
      options.mode === 'dry-run' && id !== 'ec2.launchTemplates.list' && id !== 'ec2.launchTemplates.versions'
        ? {
            status: 'dry-run',
            correlationId: 'c',
            operationId: id,
            mode: 'dry-run',
            caller: 'command',
            resourceIds: [],
            backups: [],
            durationMs: 1,
          }
        : fake.run(id, input, options);
    const result = await new LaunchTemplateEditor(dryRun, { caller: 'command' }).save({
      templateId: 'lt-0123456789abcdef0',
      baseVersion: 1,
      expectedLatestVersion: 1,
      edited: { InstanceType: 't3.large' },
      makeDefault: true,
      mode: 'dry-run',
    });
    assert.equal(result.status, 'dry-run');
    assert.equal(fake.templates.latest, 1);
  });
});

describe('recovery facts: reading many templates (scripted runner)', () => {
  /** An account of `count` templates (lt-…0 … ), each default 1 and latest 2; `failing` answers fail. */
  function account(count: number, options: { failAccountWide?: boolean; pageSize?: number; slowPages?: boolean } = {}) {
    const ids = Array.from({ length: count }, (_, index) => `lt-${String(index).padStart(17, '0')}`);
    const calls: Array<{ id: string; input: any }> = [];
    const outcome = (id: string, status: RunOutcome['status'], extra: Partial<RunOutcome>): RunOutcome => ({
      status,
      correlationId: 'c',
      operationId: id,
      mode: 'execute',
      caller: 'command',
      resourceIds: [],
      backups: [],
      durationMs: 1,
      ...extra,
    });
    const version = (templateId: string, number: number) => ({
      LaunchTemplateId: templateId,
      VersionNumber: number,
      DefaultVersion: number === 1,
      LaunchTemplateData: { InstanceType: number === 1 ? 't3.micro' : 't3.small' },
    });
    const run: RunFunction = async (id, input: any) => {
      calls.push({ id, input });
      if (id === 'drs.sourceServers.list') return outcome(id, 'succeeded', { output: { items: [] } });
      if (id === 'drs.launchConfiguration.get') {
        const index = Number(input.sourceServerId.slice(2));
        return outcome(id, 'succeeded', { output: { ec2LaunchTemplateID: ids[index] ?? 'lt-ffffffffffffffff0' } });
      }
      if (id === 'ec2.launchTemplates.versions' && !input.launchTemplateId) {
        if (options.slowPages) await new Promise((resolve) => setImmediate(resolve));
        if (options.failAccountWide)
          return outcome(id, 'failed', { error: { code: 'UnauthorizedOperation', message: 'denied' } as never });
        const all = ids.flatMap((templateId) => [version(templateId, 2), version(templateId, 1)]);
        const offset = Number(input.nextToken ?? 0);
        const size = options.pageSize ?? input.maxResults;
        const next = offset + size < all.length ? String(offset + size) : undefined;
        return outcome(id, 'succeeded', { output: { items: all.slice(offset, offset + size), nextToken: next } });
      }
      if (id === 'ec2.launchTemplates.versions') {
        if (!ids.includes(input.launchTemplateId))
          return outcome(id, 'failed', { error: { code: 'InvalidLaunchTemplateId.NotFound', message: 'no' } as never });
        return outcome(id, 'succeeded', {
          output: { items: [version(input.launchTemplateId, 1), version(input.launchTemplateId, 2)] },
        });
      }
      return outcome(id, 'succeeded', { output: { items: [] } });
    };
    return { run, calls, ids };
  }
  const servers = (count: number) =>
    Array.from({ length: count }, (_, index) => ({ sourceServerId: `s-${String(index).padStart(17, '0')}` }));
  const versionCalls = (calls: Array<{ id: string; input: any }>) =>
    calls.filter((call) => call.id === 'ec2.launchTemplates.versions');

  it('reads few templates one call each, and many in account-wide pages, with the same facts', async () => {
    const few = account(500);
    const small = await gatherRecoveryFacts(few.run, { caller: 'command' }, servers(5));
    assert.equal(versionCalls(few.calls).length, 5);
    assert.ok(versionCalls(few.calls).every((call) => call.input.launchTemplateId));

    const many = account(500);
    const large = await gatherRecoveryFacts(many.run, { caller: 'command' }, servers(300));
    // 300 servers use the first 300 templates: 600 of 1,000 versions in pages of 200; paging stops once all
    // were seen (after 3 pages) if the launch configurations were read by then, else at the end (5 pages).
    assert.ok(versionCalls(many.calls).length >= 3 && versionCalls(many.calls).length <= 5);
    assert.ok(versionCalls(many.calls).every((call) => !call.input.launchTemplateId));
    assert.equal(large.apiCalls, many.calls.length);
    for (const facts of [small.facts, large.facts.slice(0, 5)])
      assert.deepEqual(
        facts.map((fact) => [
          fact.template?.defaultVersion,
          fact.template?.latestVersion,
          fact.template?.data.InstanceType,
        ]),
        Array(5).fill([1, 2, 't3.micro']),
      );
  });

  it('a template missing from a complete account-wide listing is missing; a failed listing falls back per template', async () => {
    const scripted = account(30);
    const gathered = await gatherRecoveryFacts(scripted.run, { caller: 'command' }, servers(31));
    assert.equal(versionCalls(scripted.calls).length, 1, 'one page held every version: nothing read per template');
    assert.equal(gathered.facts[30].template, undefined);
    assert.deepEqual(
      validateRecoveryLaunch(gathered.facts[30]).map((finding) => finding.code),
      ['launch-template-missing'],
    );

    const denied = account(30, { failAccountWide: true });
    const fallback = await gatherRecoveryFacts(denied.run, { caller: 'command' }, servers(30));
    assert.equal(versionCalls(denied.calls).length, 1 + 30);
    assert.deepEqual(fallback.errors, []);
    assert.ok(fallback.facts.every((fact) => fact.template?.latestVersion === 2));
  });

  it('many servers sharing few templates stop the account-wide listing early', async () => {
    const scripted = account(1000, { pageSize: 5, slowPages: true });
    const shared = servers(40).map((server, index) => ({
      ...server,
      launchConfiguration: { ec2LaunchTemplateID: `lt-${String(index % 2).padStart(17, '0')}` },
    }));
    const gathered = await gatherRecoveryFacts(scripted.run, { caller: 'command' }, shared);
    assert.ok(gathered.facts.every((fact) => fact.template?.latestVersion === 2));
    // The launch configurations were given, so during the first page the listing learnt that 2 templates matter.
    assert.equal(versionCalls(scripted.calls).length, 1);
  });

  it('a template whose two versions straddle a page boundary is read whole', async () => {
    const scripted = account(25, { pageSize: 3 });
    const gathered = await gatherRecoveryFacts(scripted.run, { caller: 'command' }, servers(25));
    assert.ok(gathered.facts.every((fact) => fact.template?.defaultVersion === 1 && fact.template.latestVersion === 2));
    assert.equal(versionCalls(scripted.calls).length, Math.ceil(50 / 3));
  });
});
