import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { ec2InstanceLister, ec2SnapshotLister } from '../../src/core/resources/ec2';
import {
  apiFiltersFor,
  caseInsensitivePatterns,
  matchesFilter,
  parseFilter,
  type ApiFilter,
  type ServerFilterSupport,
} from '../../src/core/resources/filter';
import { securityGroupLister, subnetLister } from '../../src/core/resources/vpc';
import type { Page, ResourceReads, ResourceSummary } from '../../src/core/resources/model';

const INSTANCES = ec2InstanceLister.serverFilter!;

interface FakeInstance {
  InstanceId: string;
  Tags: Array<{ Key: string; Value: string }>;
}

/** EC2's filter value matching: `*` any run, `?` one character, case-sensitive, whole value. */
function ec2ValueMatches(pattern: string, value: string): boolean {
  const source = [...pattern]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'su').test(value);
}

/** How DescribeInstances applies Filters (ANDed; a filter's values ORed) to one instance. */
function ec2FilterKeeps(instance: FakeInstance, filter: ApiFilter): boolean {
  const any = (values: string[]) =>
    values.some((value) => filter.values.some((pattern) => ec2ValueMatches(pattern, value)));
  if (filter.name === 'instance-id') return any([instance.InstanceId]);
  if (filter.name === 'tag-key') return any(instance.Tags.map((tag) => tag.Key));
  if (filter.name.startsWith('tag:'))
    return any(instance.Tags.filter((tag) => tag.Key === filter.name.slice(4)).map((tag) => tag.Value));
  throw new Error(`the fake does not know filter ${filter.name}`);
}

/** A fake `ec2.instances.list`: EC2's filter semantics and paging over fixed instances, through the real lister. */
function fakeReads(instances: FakeInstance[], calls: Array<Record<string, unknown>> = []): ResourceReads {
  return {
    async read<Output>(operationId: string, input: Record<string, unknown>): Promise<Output> {
      assert.equal(operationId, 'ec2.instances.list');
      calls.push(input);
      const filters = (input.filters as ApiFilter[] | undefined) ?? [];
      const kept = instances.filter((instance) => filters.every((filter) => ec2FilterKeeps(instance, filter)));
      const start = Number(input.nextToken ?? 0);
      const size = Number(input.maxResults ?? 1000);
      const page: Page<FakeInstance> = {
        items: kept.slice(start, start + size),
        nextToken: start + size < kept.length ? String(start + size) : undefined,
      };
      return page as Output;
    },
    account: async () => '123456789012',
  };
}

async function listAll(reads: ResourceReads, filters?: ApiFilter[]): Promise<ResourceSummary[]> {
  const rows: ResourceSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ec2InstanceLister.list(reads, { region: 'us-east-1', pageSize: 7, nextToken, filters });
    rows.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return rows;
}

const hex17 = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 17, maxLength: 17 });
// Names and values mix letters of both cases, digits, wildcard and escape characters and some non-ASCII.
const textUnit = fc.oneof(
  fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_ .*?[]\\'),
  fc.constantFrom('é', 'İ', 'K', 'ß', '😀'),
);
const text = fc.string({ unit: textUnit, minLength: 0, maxLength: 12 });
const tagKey = fc.oneof(
  fc.constantFrom('Name', 'name', 'Role', 'Environment'),
  fc.string({ unit: textUnit, minLength: 1, maxLength: 6 }),
);
const instance = fc
  .record({
    InstanceId: hex17.map((hex) => `i-${hex}`),
    Tags: fc.array(fc.record({ Key: tagKey, Value: text }), { maxLength: 4 }),
  })
  .map((item) => ({
    ...item,
    Tags: item.Tags.filter((tag, index) => item.Tags.findIndex((other) => other.Key === tag.Key) === index),
  }));

/** Filters a user could type for this data: parts of names, IDs and tags with their case changed, or anything. */
function filterFor(instances: FakeInstance[]): fc.Arbitrary<string> {
  const flipCase = (value: string, mask: number) =>
    [...value].map((char, index) => ((mask >> (index % 30)) & 1 ? char.toUpperCase() : char.toLowerCase())).join('');
  const pick = fc.nat({ max: Math.max(0, instances.length - 1) }).map((index) => instances[index]);
  const fromData = instances.length
    ? [
        fc.tuple(pick, fc.nat(), fc.nat(), fc.nat()).map(([item, a, b, mask]) => {
          const source = item.Tags.find((tag) => tag.Key === 'Name')?.Value ?? item.InstanceId;
          const [start, end] = [a % (source.length + 1), b % (source.length + 1)].sort((x, y) => x - y);
          return flipCase(source.slice(start, end), mask);
        }),
        fc.tuple(pick, fc.nat(), fc.nat()).map(([item, index, mask]) => {
          const tag = item.Tags[index % Math.max(1, item.Tags.length)];
          return tag ? `${tag.Key}=${flipCase(tag.Value, mask)}` : 'Role=web';
        }),
        fc.tuple(pick, fc.boolean()).map(([item, upper]) => (upper ? item.InstanceId.toUpperCase() : item.InstanceId)),
      ]
    : [];
  return fc.oneof(...fromData, text, fc.string({ maxLength: 20 }));
}

describe('explorer filter', () => {
  const resource: ResourceSummary = {
    type: 'ec2:instance',
    id: 'i-0abc',
    name: 'web-1',
    details: [],
    tags: { Environment: 'production', Role: 'web' },
    raw: {},
  };

  it('matches text in the name or the ID, ASCII letters case-insensitively', () => {
    assert.ok(matchesFilter(resource, 'WEB'));
    assert.ok(matchesFilter(resource, 'i-0A'));
    assert.ok(!matchesFilter(resource, 'prod'), 'plain text is not a tag search (Key=Value is)');
    assert.ok(matchesFilter(resource, '   '), 'an empty filter matches everything');
  });

  it('treats Key=Value as a tag: the key exactly, the value case-insensitively', () => {
    assert.ok(matchesFilter(resource, 'Environment=PRODUCTION'));
    assert.ok(matchesFilter(resource, 'Role = web'));
    assert.ok(!matchesFilter(resource, 'role=web'), 'tag keys are case-sensitive, as in AWS');
    assert.ok(!matchesFilter(resource, 'Environment=prod'));
  });

  it('treats a complete ID as that resource only', () => {
    const id = 'i-0123456789abcdef0';
    const other: ResourceSummary = { ...resource, id: 'i-0fedcba9876543210', name: `copy of ${id}` };
    assert.deepEqual(parseFilter(id.toUpperCase()), { kind: 'id', id });
    assert.ok(matchesFilter({ ...resource, id }, id));
    assert.ok(!matchesFilter(other, id), 'a name that mentions the ID is not the resource');
  });

  it('pushes names, tags and IDs to EC2 filters', () => {
    assert.deepEqual(
      apiFiltersFor(INSTANCES, 'scale-4242')?.filters.map((filter) => [
        filter.name,
        filter.values.length,
        filter.values[0],
      ]),
      [['tag:Name', 32, '*scale-4242*']],
    );
    assert.deepEqual(
      apiFiltersFor(INSTANCES, 'Environment=Prod')?.filters.map((filter) => filter.name),
      ['tag:Environment'],
    );
    assert.ok(apiFiltersFor(INSTANCES, 'Environment=Prod')!.filters[0].values.includes('prod'));
    assert.deepEqual(apiFiltersFor(INSTANCES, 'Owner=')?.filters, [{ name: 'tag-key', values: ['Owner'] }]);
    assert.deepEqual(apiFiltersFor(INSTANCES, 'I-0123456789ABCDEF0')?.filters, [
      { name: 'instance-id', values: ['i-0123456789abcdef0'] },
    ]);
    assert.equal(
      apiFiltersFor(INSTANCES, 'db-1'),
      undefined,
      'text that can be part of an instance ID stays on loaded rows',
    );
    assert.equal(apiFiltersFor(INSTANCES, ''), undefined);
    assert.equal(
      apiFiltersFor(ec2SnapshotLister.serverFilter, 'backup'),
      undefined,
      'snapshot names come from descriptions too',
    );
    assert.ok(apiFiltersFor(ec2SnapshotLister.serverFilter, 'Team=ops'));
    assert.equal(securityGroupLister().serverFilter, undefined, 'rows with children stay client-side');
  });

  it('spells case variants of at most 6 letters and neutralizes wildcard characters', () => {
    assert.deepEqual(caseInsensitivePatterns('a*b', false), ['a?b', 'a?B', 'A?b', 'A?B']);
    const long = caseInsensitivePatterns('production', true);
    assert.equal(long.length, 64);
    assert.ok(long.includes('*PrOdUc????*'));
    assert.deepEqual(caseInsensitivePatterns('[x]\\é', false), ['?x???', '?X???']);
  });

  it('property: the pushed filter never drops a row the filter on loaded rows keeps (fake EC2 lister)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(instance, { maxLength: 25 })
          .chain((instances) => fc.tuple(fc.constant(instances), filterFor(instances))),
        async ([instances, filter]) => {
          const reads = fakeReads(instances);
          const expected = (await listAll(reads)).filter((row) => matchesFilter(row, filter)).map((row) => row.id);
          const pushed = apiFiltersFor(INSTANCES, filter);
          const fromApi = (await listAll(reads, pushed?.filters)).map((row) => row.id);
          const missing = expected.filter((id) => !fromApi.includes(id));
          assert.deepEqual(missing, [], `filter ${JSON.stringify(filter)} → ${JSON.stringify(pushed?.filters)}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("sends the pushed filters with the lister's own (a VPC's subnets)", async () => {
    const calls: Array<Record<string, unknown>> = [];
    const reads: ResourceReads = {
      async read<Output>(operationId: string, input: Record<string, unknown>): Promise<Output> {
        if (operationId === 'ec2.subnets.list') calls.push(input);
        return { items: [] } as Output;
      },
      account: async () => '123456789012',
    };
    const lister = subnetLister('vpc-0123456789abcdef0');
    const support: ServerFilterSupport = lister.serverFilter!;
    await lister.list(reads, {
      region: 'us-east-1',
      pageSize: 100,
      filters: apiFiltersFor(support, 'public-a')!.filters,
    });
    await lister.list(reads, { region: 'us-east-1', pageSize: 100 });
    assert.deepEqual(
      (calls[0].filters as ApiFilter[]).map((filter) => filter.name),
      ['vpc-id', 'tag:Name'],
    );
    assert.deepEqual(calls[1].filters, [{ name: 'vpc-id', values: ['vpc-0123456789abcdef0'] }]);
  });
});
