/**
 * Regional prices from the Price List Query API through the real SDK and the operation runner, against the
 * Price List emulator (test price data, tools/emulators/pricing): two regions, paging, a filter matching
 * nothing ("no price", not zero), the client signing for us-east-1 whatever the session region; the dated
 * cache feeding right-sizing, savings and /unused estimates that name their source and date; and the
 * maintainers' refresh script.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateVolumeCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { AwsConnection } from '../../src/core/aws/connection';
import { answerCost } from '../../src/core/cost/chat';
import { parseCostRequest } from '../../src/core/cost/chatIntent';
import { PriceBook, priceBookFrom } from '../../src/core/cost/priceBook';
import { PriceCache } from '../../src/core/cost/priceCache';
import { refreshRegionPrices } from '../../src/core/cost/priceRefresh';
import { estimateSavings, judgeInstance } from '../../src/core/cost/rightsizing';
import type { ReadOperation } from '../../src/core/insights/reads';
import { collectUnused } from '../../src/core/insights/unused';
import type { Ec2PriceSheet } from '../../src/core/operations/pricing';
import { createRuntime, type Runtime } from '../../src/core/runtime';
import { ec2Item } from '../../tools/emulators/pricing/seedPrices';
import {
  refreshPriceTable,
  renderPriceTableModule,
  writePriceTableModule,
} from '../../tools/pricing/refreshPriceTable';
import { emulatorConnection } from '../support/connection';
import { clientConfig, emulatorStack, useEmulatorStack } from '../support/emulators';
import { approvingProvider, tempDir } from '../support/operationHarness';

useEmulatorStack();

const resolveEnvironment = (tags: Record<string, string>) => ({
  name: tags.Environment ?? 'unknown',
  protected: tags.Environment === 'production',
});

describe('regional prices from the AWS Price List (emulator, test price data)', function () {
  this.timeout(120_000);
  let connection: AwsConnection;
  let dir: ReturnType<typeof tempDir>;
  let runtime: Runtime;

  before(async () => {
    // The session region is eu-west-1: the Price List client must still sign for us-east-1.
    connection = await emulatorConnection({ region: 'eu-west-1' });
  });
  after(() => connection.dispose());
  beforeEach(async () => {
    dir = tempDir('pilot-light-pricing-it-');
    await emulatorStack().reset();
    runtime = createRuntime({
      policyFiles: [],
      auditPath: join(dir.path, 'audit.jsonl'),
      approvalProvider: approvingProvider(),
      connection: async () => connection,
    });
  });
  afterEach(() => dir.cleanup());

  function reads(region?: string): ReadOperation {
    return async (operationId, input) => {
      const runner = await runtime.runner();
      const outcome = await runner.run(operationId, input, { caller: 'command', mode: 'execute', region });
      if (outcome.status !== 'succeeded')
        throw new Error(
          `${outcome.error?.code ?? outcome.status}: ${outcome.error?.message ?? outcome.refusal?.message ?? ''}`,
        );
      return outcome.output;
    };
  }

  const prices = (region: string, extra: Record<string, unknown> = {}) =>
    reads()('pricing.ec2Prices.get', { region, ...extra }) as Promise<Ec2PriceSheet>;

  it('reads two regions through the runner: the Linux on-demand price of each type, EBS per GB-month, signed for us-east-1', async () => {
    const east = await prices('us-east-1');
    const west = await prices('eu-west-1');
    assert.equal(east.ec2Hourly['m5.large'], 0.096);
    // The Windows, dedicated, SQL Server and capacity-reservation items of m5.large are filtered out by AWS's rules.
    assert.equal(west.ec2Hourly['m5.large'], 0.107);
    assert.equal(west.ec2Hourly['t3.micro'], 0.0114);
    assert.deepEqual(Object.keys(west.ec2Hourly).sort(), [
      'c5.large',
      'm5.large',
      'm5.xlarge',
      'r5.large',
      't3.large',
      't3.medium',
      't3.micro',
      't3.small',
    ]);
    // Only Storage products count: the gp3 IOPS item (System Operation) is not a GB-month price.
    assert.deepEqual(west.ebsPerGbMonth, { gp3: 0.088, gp2: 0.11, io1: 0.138, st1: 0.05 });
    assert.equal(west.region, 'eu-west-1');
    assert.equal(west.source, 'AWS Price List Query API');
    assert.match(west.fetchedAt, /^\d{4}-\d{2}-\d{2}T/);
    assert.equal(west.publicationDate, '2026-11-01T00:00:00Z');
    assert.equal(west.truncated, false);
    assert.equal(west.skippedItems, 0);
    const signing = new Set(emulatorStack().pricing.signingRegions);
    assert.deepEqual([...signing], ['us-east-1']);
  });

  it('pages through many products, and says when the page limit cut the list', async () => {
    const pricing = emulatorStack().pricing;
    pricing.add(
      Array.from({ length: 45 }, (_, index) =>
        ec2Item('eu-west-1', `m6i.${index + 2}xlarge`, `${(0.2 + index / 100).toFixed(4)}`),
      ),
    );
    pricing.setPageSize(10);
    const all = await prices('eu-west-1', { volumes: false });
    assert.equal(Object.keys(all.ec2Hourly).length, 8 + 45);
    assert.equal(all.ec2Hourly['m6i.46xlarge'], 0.64);
    assert.equal(all.calls, 6, '53 products in pages of 10');
    assert.equal(all.truncated, false);
    const cut = await prices('eu-west-1', { volumes: false, maxPages: 2 });
    assert.equal(cut.truncated, true);
    assert.equal(Object.keys(cut.ec2Hourly).length, 20);
  });

  it('a filter that matches nothing gives "no price", never zero, and stores nothing', async () => {
    const sheet = await prices('eu-west-1', { instanceTypes: ['m5.large', 'x9.huge'], volumes: false });
    assert.deepEqual(sheet.ec2Hourly, { 'm5.large': 0.107 });
    assert.deepEqual(sheet.notPriced, ['x9.huge']);
    assert.equal(Object.hasOwn(sheet.ec2Hourly, 'x9.huge'), false);

    const cache = new PriceCache(join(dir.path, 'prices.json'));
    const empty = await refreshRegionPrices(reads(), cache, 'ap-south-2');
    assert.equal(empty.stored, undefined);
    assert.match(empty.summary, /^ap-south-2: no price\./);
    assert.deepEqual((await cache.read()).regions, {});
    const book = await priceBookFrom(cache, 'ap-south-2');
    assert.match(book.ec2Hourly('m5.large')!.source, /^bundled table, approximation/);
  });

  it('right-sizing, savings and /unused estimates use the fetched regional price and name its source and date', async () => {
    const cache = new PriceCache(join(dir.path, 'prices.json'));
    const refreshed = await refreshRegionPrices(reads(), cache, 'eu-west-1');
    assert.ok(refreshed.stored);
    const fetchedDay = refreshed.sheet.fetchedAt.slice(0, 10);
    assert.match(
      refreshed.summary,
      new RegExp(
        `^eu-west-1: 8 EC2 instance type price\\(s\\) and 4 EBS volume type price\\(s\\) from the AWS Price List Query API, fetched ${fetchedDay}`,
      ),
    );

    // A fresh cache object reads the file the refresh wrote.
    const book = await priceBookFrom(new PriceCache(join(dir.path, 'prices.json')), 'eu-west-1');
    const finding = judgeInstance(
      { instanceId: 'i-0123456789abcdef0', instanceType: 'm5.xlarge', tags: {} },
      { instanceId: 'i-0123456789abcdef0', days: 14, cpuMax: 12, cpuAverage: 3 } as never,
      'eu-west-1',
      book,
    );
    assert.equal(finding.verdict, 'downsize');
    assert.equal(finding.suggestedType, 'm5.large');
    // (0.214 - 0.107) × 730 from the fetched eu-west-1 prices; the bundled approximation would give 0.096 × 1.115 × 730.
    assert.equal(finding.monthlySaving, 78.11);
    assert.equal(finding.priceSource, `AWS Price List, fetched ${fetchedDay}`);

    const savings = estimateSavings(
      [{ instanceId: 'i-1', instanceType: 'c5.large', tags: {}, launchTime: '2020-01-01T00:00:00.000Z' }],
      'eu-west-1',
      new Date(),
      book,
    );
    assert.equal(savings.onDemandMonthly, 70.08);
    assert.match(savings.note, new RegExp(`AWS Price List, fetched ${fetchedDay} for m5.xlarge, m5.large, c5.large`));

    // /unused in eu-west-1: an unattached 100 GiB gp3 volume in moto, priced from the fetched eu-west-1 gp3 price.
    const ec2 = new EC2Client({ ...clientConfig(), region: 'eu-west-1' });
    try {
      const { VolumeId } = await ec2.send(
        new CreateVolumeCommand({ AvailabilityZone: 'eu-west-1a', Size: 100, VolumeType: 'gp3' }),
      );
      const unusedBook = await priceBookFrom(cache, 'eu-west-1');
      const report = await collectUnused(reads('eu-west-1'), {
        region: 'eu-west-1',
        resolveEnvironment,
        prices: unusedBook,
      });
      const volume = report.findings.find((entry) => entry.resource.id === VolumeId);
      assert.ok(volume, 'the unattached volume is found');
      assert.equal(volume.monthlyUsd, 8.8);
      assert.equal(report.priceTable.region, 'eu-west-1');
      // The oldest date among the prices used: other findings (moto's snapshots) are priced from the bundled table.
      assert.equal(report.priceTable.asOf, /bundled table/.test(report.priceTable.note) ? '2025-01-01' : fetchedDay);
      assert.match(
        report.priceTable.note,
        new RegExp(`^Prices in eu-west-1: AWS Price List, fetched ${fetchedDay} for gp3`),
      );
      // Without fetched prices the same volume is priced from the bundled approximation, labelled as such.
      const bundled = await collectUnused(reads('eu-west-1'), { region: 'eu-west-1', resolveEnvironment });
      assert.equal(bundled.findings.find((entry) => entry.resource.id === VolumeId)?.monthlyUsd, 8.92);
      assert.match(bundled.priceTable.note, /bundled table, approximation/);
    } finally {
      ec2.destroy();
    }
  });

  it('/cost prices refreshes a region through the runner and shows its source and date', async () => {
    const cache = new PriceCache(join(dir.path, 'prices.json'));
    const request = parseCostRequest('refresh prices eu-west-1');
    assert.deepEqual(request, { kind: 'prices', region: 'eu-west-1', refresh: true });
    const answer = await answerCost(
      { read: reads(), dryRun: async () => ({ status: 'failed', text: 'no' }), region: 'us-east-1', priceCache: cache },
      request,
    );
    assert.match(answer.markdown, /AWS Price List Query API, fetched \d{4}-\d{2}-\d{2}/);
    assert.match(answer.markdown, /\| m5\.large \| \$0\.1070 \|/);
    const shown = await answerCost(
      { read: reads(), dryRun: async () => ({ status: 'failed', text: 'no' }), region: 'eu-west-1', priceCache: cache },
      parseCostRequest('prices'),
    );
    assert.match(shown.markdown, /^\*\*Prices for `eu-west-1`\*\* from the AWS Price List Query API, fetched \d{4}-/);
    const none = await answerCost(
      { read: reads(), dryRun: async () => ({ status: 'failed', text: 'no' }), region: 'eu-west-1', priceCache: cache },
      parseCostRequest('refresh prices ap-south-2'),
    );
    assert.match(none.markdown, /ap-south-2: no price\./);
  });

  it("the maintainers' refresh script regenerates the regional table from the Price List", async () => {
    const { table, report } = await refreshPriceTable(reads(), ['us-east-1', 'eu-west-1', 'ap-south-2']);
    assert.deepEqual(Object.keys(table.regions).sort(), ['eu-west-1', 'us-east-1']);
    assert.equal(table.regions['eu-west-1']!.ec2Hourly['m5.large'], 0.107);
    assert.equal(table.regions['eu-west-1']!.ebsPerGbMonth.gp3, 0.088);
    assert.match(
      report.find((line) => line.startsWith('ap-south-2'))!,
      /no price; left out/,
    );
    const out = join(dir.path, 'priceTableRegional.ts');
    await writePriceTableModule(out, table);
    const text = readFileSync(out, 'utf8');
    assert.equal(text, renderPriceTableModule(table));
    assert.match(text, /^export const REGIONAL_PRICE_TABLE: RegionalPriceTable = \{/m);
    assert.match(text, /"m5\.large": 0\.107/);

    // The script itself, as a maintainer runs it, pointed at the emulator instead of AWS (asynchronously:
    // the emulator answers from this process).
    const scriptOut = join(dir.path, 'fromScript.ts');
    const { stdout: output } = await promisify(execFile)(
      process.execPath,
      [
        join(__dirname, '..', '..', 'tools', 'pricing', 'refreshPriceTable.js'),
        '--endpoint',
        emulatorStack().endpoint,
        '--regions',
        'eu-west-1,ap-south-2',
        '--out',
        scriptOut,
      ],
      { encoding: 'utf8', env: process.env, timeout: 60_000 },
    );
    assert.match(output, /^eu-west-1: 8 instance types, 4 volume types\.$/m);
    assert.match(output, /^ap-south-2: no price; left out/m);
    const written = readFileSync(scriptOut, 'utf8');
    assert.match(written, /"eu-west-1": \{/);
    assert.doesNotMatch(written, /ap-south-2/);
  });

  it('without a cache, a price book for a region labels bundled figures as what they are', () => {
    assert.match(
      new PriceBook('us-east-1').ec2Hourly('m5.large')!.source,
      /^bundled table \(us-east-1 list prices as of 2025-01-01\)$/,
    );
    assert.match(new PriceBook('eu-west-1').ec2Hourly('m5.large')!.source, /^bundled table, approximation/);
  });
});
