import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { alarmsInAlarmSource } from '../../src/core/insights/proactive/alarmsSource';
import { alarmInputFor, alarmPeriods } from '../../src/core/observability/chat';
import { parseObservabilityRequest } from '../../src/core/observability/chatIntent';
import { dashboardBody, dashboardName } from '../../src/core/observability/dashboards';
import { readAlarmsByState, sortAlarms } from '../../src/core/observability/explorer';
import { insightsQueryFor, parseQueryFile, QueryFileError, resultsTable } from '../../src/core/observability/insights';
import { metricQueries, sparkline, SparklineCache } from '../../src/core/observability/sparklines';
import { LogFollower } from '../../src/core/observability/tail';
import { dashboardInstanceIds } from '../../src/core/operations/cloudwatch';
// The decorator imports only types from the explorer and vscode, so it runs in plain Node with fake rows.
import { ObservabilityDecorator } from '../../src/features/observability/decorator';
import { createOperationRegistry } from '../../src/core/operations/builtinOperations';

const BLOCKS = '▁▂▃▄▅▆▇█';
const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[0-9]$/);

describe('observability: chat phrases', () => {
  it('parses "alarm when CPU exceeds 80 % for 5 minutes on web-1"', () => {
    assert.deepEqual(parseObservabilityRequest('alarm when CPU exceeds 80 % for 5 minutes on web-1'), {
      kind: 'create-alarm',
      metric: 'cpu',
      comparison: 'GreaterThanThreshold',
      threshold: 80,
      durationSeconds: 300,
      resource: 'web-1',
    });
  });

  it('reads threshold, duration, comparison and resource back from any such phrase', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 600 }),
        fc.constantFrom('minutes', 'minute', 'min', 'hours', 'hour'),
        fc.constantFrom(
          ['exceeds', 'GreaterThanThreshold'],
          ['is above', 'GreaterThanThreshold'],
          ['drops below', 'LessThanThreshold'],
          ['>=', 'GreaterThanOrEqualToThreshold'],
        ),
        fc.constantFrom('CPU', 'cpu', 'network out', 'status check'),
        fc.constantFrom('', '%', ' %', ' percent'),
        name,
        (threshold, count, unit, [verb, comparison], metric, percent, resource) => {
          const phrase = `Alarm when ${metric} ${verb} ${threshold}${percent} for ${count} ${unit} on ${resource}`;
          const parsed = parseObservabilityRequest(phrase);
          assert.ok(parsed && parsed.kind === 'create-alarm', phrase);
          assert.equal(parsed.threshold, threshold);
          assert.equal(parsed.comparison, comparison);
          assert.equal(parsed.durationSeconds, count * (unit.startsWith('h') ? 3600 : 60));
          assert.equal(parsed.resource, resource);
          assert.equal(
            parsed.metric,
            { CPU: 'cpu', cpu: 'cpu', 'network out': 'network-out', 'status check': 'status-check' }[metric],
          );
        },
      ),
    );
  });

  it('never throws, and ignores text past 500 characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (text) => {
        parseObservabilityRequest(text);
        assert.deepEqual(parseObservabilityRequest(text), parseObservabilityRequest(text.slice(0, 500)));
      }),
    );
  });

  it('parses log and dashboard phrases', () => {
    assert.deepEqual(parseObservabilityRequest('ERROR logs from the API in the last hour'), {
      kind: 'logs-query',
      level: 'ERROR',
      text: undefined,
      source: 'api',
      sinceMs: 3600_000,
    });
    assert.deepEqual(parseObservabilityRequest('warning logs from payments in the last 30 minutes'), {
      kind: 'logs-query',
      level: 'WARNING',
      text: undefined,
      source: 'payments',
      sinceMs: 1800_000,
    });
    assert.deepEqual(parseObservabilityRequest('dashboard for web-1 and web-2 CPU'), {
      kind: 'dashboard',
      resources: ['web-1', 'web-2'],
      metrics: ['cpu'],
    });
    assert.deepEqual(parseObservabilityRequest('alarms'), { kind: 'alarms' });
    assert.equal(parseObservabilityRequest('alarm when CPU exceeds 80 % for 5 minutes'), undefined, 'no resource');
  });

  it('turns durations into periods: 5-minute periods where they fit, else 1-minute ones; seconds are refused', () => {
    assert.deepEqual(alarmPeriods(300), { period: 300, evaluationPeriods: 1 });
    assert.deepEqual(alarmPeriods(900), { period: 300, evaluationPeriods: 3 });
    assert.deepEqual(alarmPeriods(120), { period: 60, evaluationPeriods: 2 });
    assert.equal(alarmPeriods(30), undefined);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1440 }), (minutes) => {
        const periods = alarmPeriods(minutes * 60)!;
        assert.equal(periods.period * periods.evaluationPeriods, minutes * 60);
      }),
    );
  });

  it('builds a PutMetricAlarm input the registered operation accepts', () => {
    const registry = createOperationRegistry();
    const request = parseObservabilityRequest('alarm when CPU exceeds 80 % for 10 minutes on web-1');
    assert.ok(request && request.kind === 'create-alarm');
    const input = alarmInputFor(request, { id: 'i-0123456789abcdef0', name: 'web-1' })!;
    const operation = registry.get('cloudwatch.alarms.put')!;
    const parsed = operation.input.parse(input) as Record<string, unknown>;
    assert.equal(parsed.alarmName, 'web-1-CPUUtilization-above-80');
    assert.equal(parsed.period, 300);
    assert.equal(parsed.evaluationPeriods, 2);
    assert.throws(() => operation.input.parse({ ...input, period: 45 }), /multiple of 60/);
  });
});

describe('observability: sparklines', () => {
  it('maps each value to one of eight blocks, monotonically, min to ▁ and max to █', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }),
        (values) => {
          const line = sparkline(values);
          assert.equal([...line].length, values.length);
          const levels = [...line].map((char) => BLOCKS.indexOf(char));
          assert.ok(levels.every((level) => level >= 0));
          for (let a = 0; a < values.length; a++)
            for (let b = 0; b < values.length; b++) if (values[a] < values[b]) assert.ok(levels[a] <= levels[b]);
          const min = Math.min(...values);
          const max = Math.max(...values);
          if (max > min) {
            assert.equal(levels[values.indexOf(min)], 0);
            assert.equal(levels[values.indexOf(max)], 7);
          } else assert.ok(levels.every((level) => level === 0));
        },
      ),
    );
  });

  it('uses a fixed scale when given one (CPU 0–100 %), clamping values outside it', () => {
    assert.equal(sparkline([0, 50, 100, 150, -5], { min: 0, max: 100 }), '▁▅██▁');
    assert.equal(sparkline([]), '');
    assert.equal(sparkline([Number.NaN, 3]), '▁');
  });

  it('batches at most 500 queries per GetMetricData call, one query per row with a key metric', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1600 }), (count) => {
        const rows = Array.from({ length: count }, (_, index) => ({
          type: index % 7 === 0 ? 'ec2:vpc' : 'ec2:instance',
          id: `i-${index}`,
        }));
        const batches = metricQueries(rows, 300);
        const expected = rows.filter((row) => row.type === 'ec2:instance').length;
        assert.equal(batches.flat().length, expected);
        assert.ok(batches.every((batch) => batch.length >= 1 && batch.length <= 500));
        assert.equal(batches.length, Math.ceil(expected / 500));
        assert.equal(new Set(batches.flat().map((query) => query.id)).size, expected);
      }),
    );
  });

  it('loads 1,200 rows in 3 calls, then nothing until the cache expires', async () => {
    let now = 1_700_000_000_000;
    const calls: Array<Record<string, unknown>> = [];
    const cache = new SparklineCache({ now: () => now, ttlMs: 60_000 });
    const read = async (_: string, input: Record<string, unknown>) => {
      calls.push(input);
      const queries = input.queries as Array<{ id: string }>;
      return {
        results: queries.map((query) => ({
          id: query.id,
          timestamps: [new Date(now - 300_000).toISOString(), new Date(now).toISOString()],
          values: [10, 90],
        })),
      };
    };
    const rows = Array.from({ length: 1200 }, (_, index) => ({ type: 'ec2:instance', id: `i-${index}` }));
    assert.equal(await cache.load(read, 'eu-west-1', rows), 3);
    assert.equal(cache.get('eu-west-1', 'i-1199')?.line, '▁█');
    assert.equal(await cache.load(read, 'eu-west-1', rows), 0);
    now += 61_000;
    assert.equal(await cache.load(read, 'eu-west-1', rows.slice(0, 10)), 1);
    assert.equal(calls.length, 4);
  });
});

describe('observability: dashboards', () => {
  const instances = [
    { type: 'ec2:instance', id: 'i-0aaaaaaaaaaaaaaa1', name: 'web-1' },
    { type: 'ec2:instance', id: 'i-0aaaaaaaaaaaaaaa2', name: 'web-2' },
  ];

  it('builds one widget per metric with a line per instance, accepted by the put operation', () => {
    const body = dashboardBody(instances, ['cpu', 'network-in', 'network-out'], 'eu-west-1');
    assert.equal(body.widgets.length, 3);
    assert.deepEqual(
      body.widgets.map((widget) => [widget.x, widget.y]),
      [
        [0, 0],
        [12, 0],
        [0, 6],
      ],
    );
    assert.deepEqual(body.widgets[0].properties.metrics, [
      ['AWS/EC2', 'CPUUtilization', 'InstanceId', 'i-0aaaaaaaaaaaaaaa1', { label: 'web-1' }],
      ['AWS/EC2', 'CPUUtilization', 'InstanceId', 'i-0aaaaaaaaaaaaaaa2', { label: 'web-2' }],
    ]);
    const text = JSON.stringify(body);
    assert.deepEqual(dashboardInstanceIds(text), ['i-0aaaaaaaaaaaaaaa1', 'i-0aaaaaaaaaaaaaaa2']);
    const operation = createOperationRegistry().get('cloudwatch.dashboards.put')!;
    operation.input.parse({ dashboardName: dashboardName(instances), dashboardBody: text });
    assert.equal(dashboardName(instances), 'pilot-light_web-1_web-2');
    assert.throws(() => operation.input.parse({ dashboardName: 'x', dashboardBody: '{"widgets": 3}' }), /widgets/);
  });

  it('is deterministic and refuses a selection without instances', () => {
    assert.deepEqual(dashboardBody(instances, ['cpu'], 'us-east-1'), dashboardBody(instances, ['cpu'], 'us-east-1'));
    assert.throws(
      () => dashboardBody([{ type: 'ec2:vpc', id: 'vpc-1' }], ['cpu'], 'us-east-1'),
      /at least one EC2 instance/,
    );
  });
});

describe('observability: alarms', () => {
  it('sorts ALARM, then INSUFFICIENT_DATA, then OK', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ AlarmName: name, StateValue: fc.constantFrom('OK', 'ALARM', 'INSUFFICIENT_DATA') })),
        (alarms) => {
          const order = sortAlarms(alarms).map((alarm) =>
            ['ALARM', 'INSUFFICIENT_DATA', 'OK'].indexOf(alarm.StateValue),
          );
          assert.deepEqual(
            order,
            [...order].sort((a, b) => a - b),
          );
        },
      ),
    );
  });

  it('pages by state, so every ALARM comes before any other state across pages', async () => {
    const byState: Record<string, string[]> = {
      ALARM: ['a1', 'a2', 'a3'],
      INSUFFICIENT_DATA: [],
      OK: ['o1', 'o2'],
    };
    const read = async (operationId: string, input: Record<string, unknown>) => {
      assert.equal(operationId, 'cloudwatch.alarms.list');
      const all = byState[input.stateValue as string];
      const start = Number(input.nextToken ?? 0);
      const size = input.maxResults as number;
      const items = all.slice(start, start + size).map((AlarmName) => ({ AlarmName, StateValue: input.stateValue }));
      return { items, nextToken: start + size < all.length ? String(start + size) : undefined } as never;
    };
    const names: string[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await readAlarmsByState(read, { maxResults: 2, nextToken });
      names.push(...result.items.map((alarm) => alarm.AlarmName!));
      nextToken = result.nextToken;
      if (!nextToken) break;
    }
    assert.deepEqual(names, ['a1', 'a2', 'a3', 'o1', 'o2']);
    await assert.rejects(readAlarmsByState(read, { nextToken: '7:x' }), /Invalid alarm page token/);
  });

  it('the insight source says "N alarms in ALARM since …" with the alarms and watched resources', async () => {
    const read = async (operationId: string, input: Record<string, unknown>) => {
      assert.equal(operationId, 'cloudwatch.alarms.list');
      assert.equal(input.stateValue, 'ALARM');
      return {
        items: [
          {
            AlarmName: 'cpu',
            AlarmArn: 'arn:aws:cloudwatch:eu-west-1:1:alarm:cpu',
            StateValue: 'ALARM',
            StateUpdatedTimestamp: '2026-01-31T12:30:00.000Z',
            Dimensions: [{ Name: 'InstanceId', Value: 'i-1' }],
          },
          {
            AlarmName: 'disk',
            AlarmArn: 'arn:aws:cloudwatch:eu-west-1:1:alarm:disk',
            StateValue: 'ALARM',
            StateUpdatedTimestamp: '2026-01-31T11:05:00.000Z',
          },
        ],
      };
    };
    const [insight] = await alarmsInAlarmSource.collect({
      read,
      account: '111122223333',
      region: 'eu-west-1',
      now: new Date(),
    });
    assert.equal(insight.title, '2 alarms in ALARM since 2026-01-31 11:05 UTC');
    assert.equal(insight.severity, 'high');
    assert.deepEqual(
      insight.resources.map((resource) => `${resource.type} ${resource.id}`),
      [
        'cloudwatch:alarm arn:aws:cloudwatch:eu-west-1:1:alarm:cpu',
        'ec2:instance i-1',
        'cloudwatch:alarm arn:aws:cloudwatch:eu-west-1:1:alarm:disk',
      ],
    );
    const none = await alarmsInAlarmSource.collect({
      read: async () => ({ items: [] }),
      account: '1',
      region: 'eu-west-1',
      now: new Date(),
    });
    assert.deepEqual(none, []);
    await assert.rejects(
      alarmsInAlarmSource.collect({
        read: async () => {
          throw new Error('AccessDenied');
        },
        account: '1',
        region: 'eu-west-1',
        now: new Date(),
      }),
      /AccessDenied/,
      'a failed read is not "no alarms"',
    );
  });
});

describe('observability: Logs Insights and following logs', () => {
  const now = Date.parse('2026-01-31T12:00:00Z');

  it('reads a query file: log groups and time from the header, the rest is the query', () => {
    const query = parseQueryFile(
      '# logGroups: /app/api, /app/web\n# since: 2h\nfields @message\n# a comment stays\n| limit 5\n',
      now,
    );
    assert.deepEqual(query, {
      logGroupNames: ['/app/api', '/app/web'],
      queryString: 'fields @message\n# a comment stays\n| limit 5',
      startTime: now - 7200_000,
      endTime: now,
    });
    assert.throws(() => parseQueryFile('fields @message', now), QueryFileError);
    assert.throws(() => parseQueryFile('# logGroups: bad name!\nfields @message', now), /not a log group name/);
    assert.throws(() => parseQueryFile('# logGroups: /a\n# since: soon\nfields @message', now), /duration/);
    assert.throws(() => parseQueryFile(`# logGroups: /a\n${'x'.repeat(70 * 1024)}`, now), /larger than 64 KB/);
  });

  it('never throws anything but a QueryFileError on arbitrary files', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        try {
          parseQueryFile(text, now);
        } catch (error) {
          assert.ok(error instanceof QueryFileError, String(error));
        }
      }),
    );
  });

  it('escapes regex characters of literal filters, and AWS text in the table', () => {
    assert.match(insightsQueryFor({ level: 'ERROR', text: 'a/b.c' }), /filter @message like \/a\\\/b\\\.c\//);
    const table = resultsTable({
      status: 'Complete',
      rows: [{ '@message': '[x](http://evil) | pipe', '@timestamp': '1769860800000' }],
    });
    assert.match(table, /^\| @timestamp \| @message \|$/m);
    assert.match(table, /2026-01-31 12:00:00\.000/);
    assert.ok(!table.includes('[x](http'), 'no link');
    assert.match(table, /\\\|/);
  });

  it('follows by polling when live tail fails, without repeating events at the edge', async () => {
    const events = [
      { timestamp: 1000, message: 'a', eventId: '1' },
      { timestamp: 2000, message: 'b', eventId: '2' },
    ];
    const calls: string[] = [];
    const read = async (operationId: string, input: Record<string, unknown>) => {
      calls.push(operationId);
      if (operationId === 'logs.liveTail.sample')
        throw Object.assign(new Error('UnknownOperationException: not here'), { name: 'UnknownOperationException' });
      return { items: events.filter((event) => event.timestamp >= (input.startTime as number)) };
    };
    const follower = new LogFollower(read, { logGroupName: '/app/api' }, { since: 0 });
    assert.deepEqual(
      (await follower.next()).map((event) => event.message),
      ['a', 'b'],
    );
    assert.equal(follower.mode, 'poll');
    assert.match(follower.note!, /^live tail: not supported by this endpoint/);
    assert.deepEqual(await follower.next(), []);
    events.push({ timestamp: 2000, message: 'c', eventId: '3' }, { timestamp: 3000, message: 'd', eventId: '4' });
    assert.deepEqual(
      (await follower.next()).map((event) => event.message),
      ['c', 'd'],
    );
    assert.deepEqual(calls, ['logs.liveTail.sample', 'logs.events.filter', 'logs.events.filter', 'logs.events.filter']);
  });
});

describe('observability: explorer decorator (sparklines in tooltips, live alarm lists)', () => {
  function fakeList(type: string, read: (operationId: string, input: Record<string, unknown>) => Promise<unknown>) {
    return {
      lister: { type, title: type },
      scope: { region: 'eu-west-1', reads: { read: (id: string, input: Record<string, unknown>) => read(id, input) } },
    };
  }
  function fakeRow(id: string, type = 'ec2:instance') {
    return { region: 'eu-west-1', resource: { type, id, name: id, details: [], tags: {} } };
  }

  it('reads the shown instance rows in one batched call, repaints them, and shows the sparkline in the tooltip', async () => {
    const repainted: unknown[] = [];
    const decorator = new ObservabilityDecorator(
      { repaint: (node) => repainted.push(node), refresh: () => undefined },
      () => true,
      () => 60,
      () => undefined,
    );
    const reads: Array<Record<string, unknown>> = [];
    const list = fakeList('ec2:instance', async (_, input) => {
      reads.push(input);
      const queries = input.queries as Array<{ id: string }>;
      return {
        results: queries.map((query, index) => ({
          id: query.id,
          timestamps: ['2026-01-31T11:55:00Z', '2026-01-31T12:00:00Z'],
          values: [index, 100],
        })),
      };
    });
    const rows = [fakeRow('i-1'), fakeRow('i-2'), fakeRow('vpc-1', 'ec2:vpc')];
    decorator.shown(list as never, {} as never, rows as never);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(reads.length, 1);
    assert.equal((reads[0].queries as unknown[]).length, 2, 'one query per instance row');
    assert.deepEqual(repainted, rows.slice(0, 2));
    assert.match(decorator.tooltip(rows[0] as never)!, /^\*\*CPUUtilization\*\* `▁█` {2}\nlatest 100 %/);
    assert.equal(decorator.tooltip(rows[2] as never), undefined);
    decorator.shown(list as never, {} as never, rows as never);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(reads.length, 1, 'cached: shown again reads nothing');
    decorator.dispose();
  });

  it('reloads shown alarm lists on the interval, only while the explorer is visible', async () => {
    const clock = (await import('sinon')).useFakeTimers();
    try {
      let visible = false;
      const refreshed: unknown[] = [];
      const decorator = new ObservabilityDecorator(
        { repaint: () => undefined, refresh: (node) => refreshed.push(node) },
        () => visible,
        () => 30,
        () => undefined,
      );
      const owner = { id: 'alarms' };
      decorator.shown(fakeList('cloudwatch:alarm', async () => ({})) as never, owner as never, []);
      clock.tick(31_000);
      assert.deepEqual(refreshed, [], 'hidden: nothing reloads');
      visible = true;
      clock.tick(30_000);
      assert.deepEqual(refreshed, [owner]);
      clock.tick(30_000);
      assert.deepEqual(refreshed, [owner], 'a list not shown again after its reload drops out');
      decorator.dispose();
    } finally {
      clock.restore();
    }
  });
});
