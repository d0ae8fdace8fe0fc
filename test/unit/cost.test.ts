// Cost core in plain Node: the Scheduler next-run calculator (fast-check against a minute-by-minute
// reference), the price table, right-sizing verdicts, the savings estimate, spend totals, and the /cost phrases.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { KNOWN_REGIONS } from '../../src/core/aws/regions';
import { parseClockTime, parseCostRequest } from '../../src/core/cost/chatIntent';
import { ec2Hourly, FAMILY_SIZES, oneSizeDown, REGION_FACTORS } from '../../src/core/cost/priceData';
import { estimateSavings, judgeInstance, RIGHTSIZING_THRESHOLDS } from '../../src/core/cost/rightsizing';
import {
  dailyCron,
  nextRun,
  parseScheduleExpression,
  ScheduleExpressionError,
  wallClockIn,
  type CronExpression,
} from '../../src/core/cost/scheduleExpression';
import { spendPeriods, topGroups } from '../../src/core/cost/spend';
import { PriceBook } from '../../src/core/cost/priceBook';

const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** Does the instant match the cron expression in the zone (the definition, checked minute by minute)? */
function matches(expression: CronExpression, zone: string, instant: number): boolean {
  const clock = wallClockIn(zone, instant);
  if (clock.second !== 0) return false;
  const weekday = new Date(Date.UTC(clock.year, clock.month - 1, clock.day)).getUTCDay();
  return (
    expression.minutes.includes(clock.minute) &&
    expression.hours.includes(clock.hour) &&
    expression.months.has(clock.month) &&
    (!expression.daysOfMonth || expression.daysOfMonth.has(clock.day)) &&
    (!expression.daysOfWeek || expression.daysOfWeek.has(weekday)) &&
    (!expression.years || expression.years.has(clock.year))
  );
}

const field = (min: number, max: number) =>
  fc.oneof(
    fc.constant('*'),
    fc.integer({ min, max }).map(String),
    fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    fc
      .tuple(fc.integer({ min, max }), fc.integer({ min: 1, max: Math.min(30, max) }))
      .map(([a, step]) => `${a}/${step}`),
    fc.uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength: 4 }).map((values) => values.join(',')),
  );

/** Expressions that fire at least once a week, so a reference scan of 8 days finds every run. */
const weeklyCron = fc
  .tuple(
    field(0, 59),
    field(0, 23),
    fc.oneof(fc.constant('?'), fc.constant('*')),
    fc.uniqueArray(fc.constantFrom(...DAYS), { minLength: 1, maxLength: 3 }).map((days) => days.join(',')),
  )
  .map(([minute, hour, any, days]) =>
    any === '?' ? `cron(${minute} ${hour} ? * ${days} *)` : `cron(${minute} ${hour} * * ? *)`,
  );

const zones = fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe');
const instants = fc
  .integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) })
  .map((ms) => Math.floor(ms / 1000) * 1000);

describe('cost: Scheduler next-run calculator', () => {
  it('finds the first matching minute after a time: later than it, matching, and none in between (property)', () => {
    fc.assert(
      fc.property(weeklyCron, zones, instants, (text, zone, after) => {
        const expression = parseScheduleExpression(text) as CronExpression;
        const next = nextRun(expression, zone, after);
        assert.ok(next !== undefined, `${text} in ${zone} has a next run`);
        assert.ok(next > after);
        assert.ok(matches(expression, zone, next), `${new Date(next).toISOString()} matches ${text} in ${zone}`);
        for (let minute = Math.floor(after / 60_000) * 60_000 + 60_000; minute < next; minute += 60_000)
          assert.ok(
            !matches(expression, zone, minute),
            `${new Date(minute).toISOString()} would be an earlier run of ${text}`,
          );
      }),
      { numRuns: 60 },
    );
  });

  it('is consistent: the run after a run is the next one (property)', () => {
    fc.assert(
      fc.property(weeklyCron, zones, instants, (text, zone, after) => {
        const expression = parseScheduleExpression(text);
        const first = nextRun(expression, zone, after)!;
        assert.equal(nextRun(expression, zone, first - 1), first);
        const second = nextRun(expression, zone, first)!;
        assert.ok(second > first);
      }),
      { numRuns: 100 },
    );
  });

  it('answers the common cases', () => {
    const friday = Date.UTC(2026, 11, 4, 17, 30); // Fri 4 Dec 2026 17:30 UTC = 18:30 in Berlin
    const weekdays = parseScheduleExpression('cron(0 18 ? * MON-FRI *)');
    assert.equal(new Date(nextRun(weekdays, 'Europe/Berlin', friday)!).toISOString(), '2026-12-07T17:00:00.000Z');
    assert.equal(new Date(nextRun(weekdays, 'UTC', friday)!).toISOString(), '2026-12-04T18:00:00.000Z');
    const leap = parseScheduleExpression('cron(0 0 29 2 ? *)');
    assert.equal(new Date(nextRun(leap, 'UTC', friday)!).toISOString(), '2028-02-29T00:00:00.000Z');
    const rate = parseScheduleExpression('rate(6 hours)');
    assert.equal(nextRun(rate, 'UTC', friday, friday - 3_600_000), friday + 5 * 3_600_000);
    const once = parseScheduleExpression('at(2027-01-01T08:00:00)');
    assert.equal(new Date(nextRun(once, 'Europe/Berlin', friday)!).toISOString(), '2027-01-01T07:00:00.000Z');
    assert.equal(nextRun(once, 'UTC', Date.UTC(2028, 0, 1)), undefined);
    assert.equal(nextRun(parseScheduleExpression('cron(0 0 1 1 ? 2020)'), 'UTC', friday), undefined);
    assert.equal(dailyCron(18, 0, true), 'cron(0 18 ? * MON-FRI *)');
    assert.equal(dailyCron(8, 30, false), 'cron(30 8 * * ? *)');
  });

  it('skips a wall-clock time that does not exist on a DST day', () => {
    // 02:30 on 29 March 2026 does not exist in Berlin (clocks jump from 02:00 to 03:00).
    const daily = parseScheduleExpression('cron(30 2 * * ? *)');
    const next = nextRun(daily, 'Europe/Berlin', Date.UTC(2026, 2, 28, 12));
    assert.equal(new Date(next!).toISOString(), '2026-03-30T00:30:00.000Z');
  });

  it('refuses what it cannot read, with the reason', () => {
    for (const [text, reason] of [
      ['cron(0 18 * * MON *)', /exactly one of day-of-month and day-of-week/],
      ['cron(0 18 ? * MON)', /6 fields/],
      ['cron(0 25 ? * MON *)', /0 to 23/],
      ['cron(0 18 L * ? *)', /Not supported yet: the L, W and # modifiers/],
      ['cron(0 18 ? * 2#1 *)', /Not supported yet/],
      ['rate(0 minutes)', /not a rate/],
      ['every day', /not a Scheduler expression/],
      [`cron(${'1,'.repeat(200)}1 * * * ? *)`, /longer than 256/],
    ] as const)
      assert.throws(
        () => parseScheduleExpression(text),
        (error: Error) => error instanceof ScheduleExpressionError && reason.test(error.message),
        text,
      );
    // Month and day names contain L and W, and are not modifiers.
    assert.doesNotThrow(() => parseScheduleExpression('cron(0 8 ? JUL WED *)'));
  });

  it('parses any input of bounded length without throwing anything but its own error (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        try {
          parseScheduleExpression(`cron(${text})`);
        } catch (error) {
          assert.ok(error instanceof ScheduleExpressionError, String(error));
        }
      }),
    );
  });
});

describe('cost: price table and estimates', () => {
  it('prices every family size in every commercial region, larger sizes costing more', () => {
    for (const { code } of KNOWN_REGIONS) {
      assert.ok(REGION_FACTORS[code], code);
      for (const [family, sizes] of Object.entries(FAMILY_SIZES)) {
        const prices = sizes.map((size) => ec2Hourly(`${family}.${size}`, code));
        assert.ok(
          prices.every((price) => price !== undefined && price > 0),
          `${family} in ${code}`,
        );
        for (let index = 1; index < prices.length; index++)
          assert.ok(prices[index]! > prices[index - 1]!, `${family} sizes in ${code}`);
      }
    }
    assert.equal(ec2Hourly('m5.large', 'us-east-1'), 0.096);
    assert.equal(ec2Hourly('t3.micro', 'us-east-1'), 0.0104);
    assert.equal(ec2Hourly('x9.large', 'us-east-1'), undefined);
    assert.equal(oneSizeDown('m5.xlarge'), 'm5.large');
    assert.equal(oneSizeDown('m5.large'), undefined);
  });

  it('suggests one size down only under the documented thresholds, with a positive saving (property)', () => {
    const types = Object.entries(FAMILY_SIZES).flatMap(([family, sizes]) => sizes.map((size) => `${family}.${size}`));
    fc.assert(
      fc.property(
        fc.constantFrom(...types),
        fc.float({ min: 0, max: 100, noNaN: true }),
        fc.float({ min: 0, max: 100, noNaN: true }),
        fc.integer({ min: 0, max: 14 }),
        fc.constantFrom(...KNOWN_REGIONS.map((region) => region.code)),
        (instanceType, cpuMax, cpuAverage, days, region) => {
          const finding = judgeInstance(
            { instanceId: 'i-0123456789abcdef0', instanceType, tags: {} },
            { instanceId: 'i-0123456789abcdef0', cpuMax, cpuAverage: Math.min(cpuAverage, cpuMax), days },
            region,
          );
          const t = RIGHTSIZING_THRESHOLDS;
          const quiet = cpuMax < t.cpuMaxPercent && Math.min(cpuAverage, cpuMax) < t.cpuAveragePercent;
          if (days < t.minDays) assert.equal(finding.verdict, 'not-enough-data');
          else if (!quiet || !oneSizeDown(instanceType)) assert.equal(finding.verdict, 'keep');
          else {
            assert.equal(finding.verdict, 'downsize');
            assert.equal(finding.suggestedType, oneSizeDown(instanceType));
            assert.ok(finding.monthlySaving! > 0);
          }
        },
      ),
    );
  });

  it('estimates Savings Plan savings from steady instances only, and says it is an estimate', () => {
    const now = new Date(Date.UTC(2026, 11, 6));
    const old = new Date(Date.UTC(2026, 9, 1)).toISOString();
    const estimate = estimateSavings(
      [
        { instanceId: 'i-1', instanceType: 'm5.large', launchTime: old, tags: {} },
        {
          instanceId: 'i-2',
          instanceType: 'm5.large',
          launchTime: new Date(Date.UTC(2026, 11, 1)).toISOString(),
          tags: {},
        },
        { instanceId: 'i-3', instanceType: 'z1d.large', launchTime: old, tags: {} },
      ],
      'us-east-1',
      now,
    );
    assert.equal(estimate.steadyInstances, 2);
    assert.equal(estimate.onDemandMonthly, 70.08);
    assert.equal(estimate.monthlySaving, 17.52);
    assert.deepEqual(estimate.unpriced, ['z1d.large']);
    assert.match(estimate.note, /^Estimate: /);
  });

  it('keeps exact sums when folding groups into the top N and "Other" (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.string({ maxLength: 8 }), amount: fc.integer({ min: 0, max: 1_000_000 }) }), {
          maxLength: 40,
        }),
        fc.integer({ min: 1, max: 10 }),
        (groups, count) => {
          const folded = topGroups(
            groups.map((group) => ({ ...group, unit: 'USD' })),
            count,
          );
          const sum = (list: Array<{ amount: number }>) => list.reduce((total, group) => total + group.amount, 0);
          assert.equal(sum(folded), sum(groups));
          assert.ok(folded.length <= count + 1);
        },
      ),
    );
  });

  it('asks for this month to date, last month and the rest of the month, end exclusive', () => {
    assert.deepEqual(spendPeriods(new Date(Date.UTC(2026, 0, 1, 9))), {
      thisMonth: { start: '2026-01-01', end: '2026-01-02' },
      lastMonth: { start: '2025-12-01', end: '2026-01-01' },
      forecast: { start: '2026-01-01', end: '2026-02-01' },
    });
  });
});

describe('cost: /cost phrases', () => {
  it('understands spend, grouping, budgets, right-sizing, savings and schedules', () => {
    assert.deepEqual(parseCostRequest(''), { kind: 'overview' });
    assert.deepEqual(parseCostRequest('what did we spend last month?'), {
      kind: 'grouped',
      period: 'last-month',
      grouping: { dimension: 'SERVICE' },
    });
    assert.deepEqual(parseCostRequest('cost by tag team last month'), {
      kind: 'grouped',
      period: 'last-month',
      grouping: { tagKey: 'team' },
    });
    assert.deepEqual(parseCostRequest('by account'), {
      kind: 'grouped',
      period: 'this-month',
      grouping: { dimension: 'LINKED_ACCOUNT' },
    });
    assert.deepEqual(parseCostRequest('budgets'), { kind: 'budgets' });
    assert.deepEqual(parseCostRequest('create a budget of 500 for team-web alert 90% to oncall@example.com'), {
      kind: 'create-budget',
      name: 'team-web',
      limitUsd: 500,
      alertThresholdPercent: 90,
      email: 'oncall@example.com',
    });
    assert.deepEqual(parseCostRequest('right-sizing'), { kind: 'rightsizing' });
    assert.deepEqual(parseCostRequest('savings plans'), { kind: 'savings' });
    assert.deepEqual(parseCostRequest('stop dev instances at 6 PM, start at 8 AM on weekdays in Europe/Berlin'), {
      kind: 'schedule-instances',
      tagKey: 'Environment',
      tagValue: 'dev',
      timeZone: 'Europe/Berlin',
      weekdaysOnly: true,
      actions: [
        { action: 'stop', hour: 18, minute: 0 },
        { action: 'start', hour: 8, minute: 0 },
      ],
    });
    assert.deepEqual(parseCostRequest('stop instances tagged team=web at 19:30'), {
      kind: 'schedule-instances',
      tagKey: 'team',
      tagValue: 'web',
      timeZone: 'UTC',
      weekdaysOnly: false,
      actions: [{ action: 'stop', hour: 19, minute: 30 }],
    });
    assert.deepEqual(parseCostRequest('remove schedule stop-dev-1800'), {
      kind: 'remove-schedule',
      name: 'stop-dev-1800',
    });
    assert.equal(parseCostRequest('hello there'), undefined);
  });

  it('reads clock times', () => {
    assert.deepEqual(parseClockTime('6 PM'), { hour: 18, minute: 0 });
    assert.deepEqual(parseClockTime('12 am'), { hour: 0, minute: 0 });
    assert.deepEqual(parseClockTime('8:15'), { hour: 8, minute: 15 });
    assert.equal(parseClockTime('13 pm'), undefined);
    assert.equal(parseClockTime('24:00'), undefined);
  });
});

describe('prices for previews by region', () => {
  it('NAT gateway hours: us-east-1 list price there, the region factor elsewhere, labelled', () => {
    const east = new PriceBook('us-east-1');
    const ireland = new PriceBook('eu-west-1');
    assert.equal(east.natGatewayHourly().usd, 0.045);
    assert.ok(ireland.natGatewayHourly().usd > 0.045);
    assert.match(east.note(), /us-east-1 list prices as of .* for NAT gateway hours/);
    assert.match(ireland.note(), /approximation .*eu-west-1 factor.* for NAT gateway hours/);
  });
});
