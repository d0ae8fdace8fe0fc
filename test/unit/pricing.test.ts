// Regional prices in plain Node: Price List item parsing (fast-check on malformed and huge items: bounded, never
// throws, typed rejections), the dated price cache (atomic writes, bounds, unreadable files set aside, concurrent
// stores), the price book's source labels, and the `/cost prices` phrases.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseCostRequest } from '../../src/core/cost/chatIntent';
import { PriceBook } from '../../src/core/cost/priceBook';
import {
  MAX_CACHED_REGIONS,
  MAX_CACHED_TYPES,
  mergeFetchedPrices,
  parsePriceCache,
  PriceCache,
  type FetchedPrices,
} from '../../src/core/cost/priceCache';
import { MAX_PRICE_ITEM_CHARS, parsePriceListItem } from '../../src/core/cost/priceList';
import { ebsItem, ec2Item } from '../../tools/emulators/pricing/seedPrices';

const fetched = (region: string, at: string, ec2: Record<string, number> = { 'm5.large': 0.1 }): FetchedPrices => ({
  region,
  fetchedAt: at,
  source: 'AWS Price List Query API',
  ec2Hourly: ec2,
  ebsPerGbMonth: { gp3: 0.08 },
});

describe('Price List items', () => {
  it('reads the on-demand USD price and attributes of a real-shaped item, as text or object', () => {
    const item = ec2Item('eu-west-1', 'm5.large', '0.1070000000');
    for (const raw of [JSON.stringify(item), new String(JSON.stringify(item)), item]) {
      const parsed = parsePriceListItem(raw);
      assert.ok(parsed.ok);
      assert.equal(parsed.product.onDemandUsd, 0.107);
      assert.equal(parsed.product.unit, 'Hrs');
      assert.equal(parsed.product.attributes.instanceType, 'm5.large');
      assert.equal(parsed.product.attributes.regionCode, 'eu-west-1');
      assert.equal(parsed.product.productFamily, 'Compute Instance');
    }
    const volume = parsePriceListItem(JSON.stringify(ebsItem('us-east-1', 'gp3', '0.08')));
    assert.ok(volume.ok && volume.product.unit === 'GB-Mo' && volume.product.onDemandUsd === 0.08);
  });

  it('takes the tier starting at 0 of a tiered price, and rejects prices that are not plain decimals', () => {
    const item = ec2Item('us-east-1', 't3.micro', '0.0104') as unknown as {
      terms: { OnDemand: Record<string, { priceDimensions: Record<string, Record<string, unknown>> }> };
    };
    const term = Object.values(item.terms.OnDemand)[0]!;
    term.priceDimensions.second = {
      ...Object.values(term.priceDimensions)[0],
      beginRange: '10',
      pricePerUnit: { USD: '0.001' },
    };
    assert.equal((parsePriceListItem(item) as { product: { onDemandUsd: number } }).product.onDemandUsd, 0.0104);
    for (const bad of ['-1', '1e3', 'NaN', 'Infinity', '', '0x10', '1.2.3']) {
      const copy = ec2Item('us-east-1', 't3.micro', bad);
      const parsed = parsePriceListItem(JSON.stringify(copy));
      assert.equal(parsed.ok, false, bad);
    }
  });

  it('rejects huge items unread and malformed ones with a reason', () => {
    const huge = `{"product":{"attributes":{"x":"${'a'.repeat(MAX_PRICE_ITEM_CHARS)}"}}}`;
    assert.deepEqual(parsePriceListItem(huge), {
      ok: false,
      reason: `the item is larger than ${MAX_PRICE_ITEM_CHARS} characters`,
    });
    assert.equal((parsePriceListItem('{') as { reason: string }).reason, 'the item is not valid JSON');
    assert.equal((parsePriceListItem(null) as { reason: string }).reason, 'the item is a null, not JSON text');
    assert.equal(
      (parsePriceListItem('{"product":{}}') as { reason: string }).reason,
      'product (no SKU) has no on-demand terms',
    );
  });

  it('never throws and stays bounded on arbitrary, malformed and mutated items (property)', () => {
    const base = ec2Item('eu-west-1', 'm5.large', '0.107');
    const mutated = fc
      .tuple(
        fc.constantFrom('product', 'terms', 'attributes', 'OnDemand', 'pricePerUnit', 'USD', 'priceDimensions'),
        fc.anything({ maxDepth: 4, withObjectString: true, withNullPrototype: true }),
      )
      .map(([key, value]) =>
        JSON.stringify(base).replace(`"${key}":`, `"${key}":${JSON.stringify(value) ?? 'null'},"was":`),
      );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything({ maxDepth: 5, withNullPrototype: true, withObjectString: true, withBoxedValues: true }),
          fc.json({ maxDepth: 6 }),
          fc.string({ maxLength: 2000 }),
          mutated,
        ),
        (raw) => {
          const result = parsePriceListItem(raw);
          assert.equal(typeof result.ok, 'boolean');
          if (result.ok) {
            assert.ok(Number.isFinite(result.product.onDemandUsd) && result.product.onDemandUsd >= 0);
            assert.ok(Object.keys(result.product.attributes).length <= 200);
            for (const value of Object.values(result.product.attributes)) assert.ok(value.length <= 256);
          } else assert.equal(typeof result.reason, 'string');
        },
      ),
      { numRuns: 400 },
    );
  });

  it('reads at most 200 attributes of an item with twenty thousand', () => {
    const item = ec2Item('us-east-1', 'm5.large', '0.096') as unknown as {
      product: { attributes: Record<string, string> };
    };
    for (let index = 0; index < 20_000; index++) item.product.attributes[`a${index}`] = 'x';
    const parsed = parsePriceListItem(JSON.stringify(item));
    assert.ok(parsed.ok);
    assert.equal(Object.keys(parsed.product.attributes).length, 200);
  });
});

describe('price cache', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pilot-light-price-cache-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores a region with its fetch date, merges later fetches, and a fresh reader sees it', async () => {
    const path = join(dir, 'sub', 'prices.json');
    const cache = new PriceCache(path);
    assert.deepEqual(await cache.read(), { regions: {} });
    await cache.store(fetched('eu-west-1', '2026-12-01T10:00:00.000Z', { 'm5.large': 0.107, 't3.micro': 0.0114 }));
    await cache.store(fetched('eu-west-1', '2026-12-06T10:00:00.000Z', { 'm5.large': 0.108 }));
    const region = await new PriceCache(path).region('eu-west-1');
    assert.deepEqual(region?.ec2Hourly, {
      'm5.large': { usd: 0.108, fetchedAt: '2026-12-06T10:00:00.000Z' },
      't3.micro': { usd: 0.0114, fetchedAt: '2026-12-01T10:00:00.000Z' },
    });
    assert.equal(region?.fetchedAt, '2026-12-06T10:00:00.000Z');
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['prices.json'], 'no temporary file left behind');
  });

  it('concurrent stores all land (one write at a time), and the file is always whole JSON', async () => {
    const path = join(dir, 'prices.json');
    const cache = new PriceCache(path);
    const regions = ['us-east-1', 'eu-west-1', 'eu-central-1', 'ap-south-1', 'sa-east-1', 'us-west-2'];
    await Promise.all(
      regions.map((region, index) => cache.store(fetched(region, `2026-12-0${index + 1}T00:00:00.000Z`))),
    );
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { regions: Record<string, unknown> };
    assert.deepEqual(Object.keys(parsed.regions).sort(), [...regions].sort());
  });

  it('keeps the most recently fetched regions and instance types within the bounds', () => {
    const name = (index: number) =>
      `eu-t${String.fromCharCode(97 + (index % 26))}${String.fromCharCode(97 + Math.floor(index / 26))}-1`;
    let regions = {};
    for (let index = 0; index < MAX_CACHED_REGIONS + 5; index++)
      regions = mergeFetchedPrices(
        regions,
        fetched(name(index), new Date(Date.UTC(2026, 0, 1, 0, index)).toISOString()),
      );
    assert.equal(Object.keys(regions).length, MAX_CACHED_REGIONS);
    assert.ok(!(name(0) in regions) && !(name(4) in regions) && name(5) in regions && name(44) in regions);
    const many = Object.fromEntries(
      Array.from({ length: MAX_CACHED_TYPES + 10 }, (_, index) => [`m9.${index}xlarge`, 1]),
    );
    const big = mergeFetchedPrices({}, fetched('eu-west-1', '2026-12-06T00:00:00.000Z', many));
    assert.equal(Object.keys(big['eu-west-1']!.ec2Hourly).length, MAX_CACHED_TYPES);
  });

  it('refuses bad input and drops malformed entries on read', () => {
    assert.throws(
      () => mergeFetchedPrices({}, fetched('not a region', '2026-12-06T00:00:00.000Z')),
      /not a region code/,
    );
    assert.throws(() => mergeFetchedPrices({}, fetched('eu-west-1', 'yesterday')), /not an ISO time/);
    const cleaned = mergeFetchedPrices(
      {},
      fetched('eu-west-1', '2026-12-06T00:00:00.000Z', {
        __proto__: 1,
        'M5.LARGE': 1,
        'm5.large': -1,
        't3.micro': 0.01,
      }),
    );
    assert.deepEqual(Object.keys(cleaned['eu-west-1']!.ec2Hourly), ['t3.micro']);
    const parsed = parsePriceCache(
      JSON.stringify({
        format: 1,
        regions: {
          'eu-west-1': {
            region: 'eu-west-1',
            fetchedAt: '2026-12-06T00:00:00.000Z',
            ec2Hourly: { 'm5.large': { usd: 'cheap', fetchedAt: '2026-12-06T00:00:00.000Z' } },
          },
          'us-east-1': { region: 'eu-west-1', fetchedAt: '2026-12-06T00:00:00.000Z' },
        },
      }),
    );
    assert.deepEqual(parsed.regions['eu-west-1']?.ec2Hourly, {});
    assert.equal(parsed.problem, '1 region entry was not usable');
    assert.equal(parsePriceCache('{"format":2,"regions":{}}').problem, 'the price cache is not format 1');
  });

  it('sets an unreadable cache file aside instead of writing over it', async () => {
    const path = join(dir, 'prices.json');
    writeFileSync(path, '{ not json');
    const cache = new PriceCache(path);
    assert.deepEqual(await cache.read(), { regions: {}, problem: 'the price cache is not valid JSON' });
    await cache.store(fetched('eu-west-1', '2026-12-06T00:00:00.000Z'));
    assert.equal(readFileSync(`${path}.unreadable`, 'utf8'), '{ not json');
    assert.ok((await cache.region('eu-west-1'))?.ec2Hourly['m5.large']);
  });

  it('is bounded on arbitrary file contents (property): never throws, never more than the bounds', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 500 }),
          fc.json({ maxDepth: 6 }),
          fc.anything().map((value) => JSON.stringify({ format: 1, regions: value }) ?? ''),
        ),
        (text) => {
          const parsed = parsePriceCache(text);
          assert.ok(Object.keys(parsed.regions).length <= MAX_CACHED_REGIONS);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('price book', () => {
  const cached = mergeFetchedPrices({}, fetched('eu-west-1', '2026-12-06T09:00:00.000Z', { 'm5.large': 0.107 }))[
    'eu-west-1'
  ];

  it('prices from the Price List where cached, else the labelled bundled table, and its note names both', () => {
    const book = new PriceBook('eu-west-1', cached);
    assert.deepEqual(book.ec2Hourly('m5.large'), {
      usd: 0.107,
      kind: 'price-list',
      asOf: '2026-12-06',
      source: 'AWS Price List, fetched 2026-12-06',
    });
    assert.equal(book.ec2Hourly('m5.xlarge')?.kind, 'bundled-approximation');
    assert.equal(book.ec2Hourly('x9.large'), undefined, 'no price, not zero');
    assert.equal(
      book.note(),
      'Prices in eu-west-1: AWS Price List, fetched 2026-12-06 for m5.large; bundled table, approximation (us-east-1 list prices as of 2025-01-01 × a eu-west-1 factor of 1.115) for m5.xlarge. Estimates only, never a bill.',
    );
    assert.equal(book.asOf(), '2025-01-01');
  });

  it('labels us-east-1 bundled prices exact and an unknown region as us-east-1 prices', () => {
    assert.equal(new PriceBook('us-east-1').ec2Hourly('m5.large')?.kind, 'bundled');
    assert.match(new PriceBook('xx-test-9').ebsPerGbMonth('gp3').source, /xx-test-9 is not in it/);
  });
});

describe('/cost prices phrases', () => {
  it('parses showing and refreshing prices, with or without a region', () => {
    assert.deepEqual(parseCostRequest('prices'), { kind: 'prices', refresh: false });
    assert.deepEqual(parseCostRequest('prices for eu-west-1'), { kind: 'prices', region: 'eu-west-1', refresh: false });
    assert.deepEqual(parseCostRequest('Refresh prices ap-southeast-2'), {
      kind: 'prices',
      region: 'ap-southeast-2',
      refresh: true,
    });
    assert.deepEqual(parseCostRequest('update the price list'), { kind: 'prices', refresh: true });
    assert.equal(parseCostRequest('prices for my cat')?.kind, undefined);
  });
});
