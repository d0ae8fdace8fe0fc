/**
 * Regional list prices from the AWS Price List Query API (GetProducts, service code AmazonEC2): EC2 on-demand
 * hourly prices for Linux, shared tenancy, no pre-installed software, capacity status Used; and EBS volume
 * storage per GB-month (product family Storage, by volumeApiName). A read; the client always calls us-east-1
 * (the API's home), whatever the session region. Paging is bounded.
 */
import { GetProductsCommand, type Filter } from '@aws-sdk/client-pricing';
import { z } from 'zod';
import { isPlausibleRegion } from '../aws/regions';
import { pricingService } from '../aws/services';
import {
  INSTANCE_TYPE_PATTERN,
  parsePriceListItem,
  VOLUME_TYPE_PATTERN,
  type PriceListProduct,
} from '../cost/priceList';
import { defineOperation, READ_ONLY } from './define';

export const PRICE_LIST_SOURCE = 'AWS Price List Query API';
const PAGE_SIZE = 100;
const DEFAULT_MAX_PAGES = 20;
const MAX_SKIPPED_REASONS = 5;

const LINUX_ON_DEMAND_FILTERS: ReadonlyArray<[string, string]> = [
  ['operatingSystem', 'Linux'],
  ['tenancy', 'Shared'],
  ['preInstalledSw', 'NA'],
  ['capacitystatus', 'Used'],
];

export interface Ec2PriceSheet {
  region: string;
  /** When the prices were read (ISO time). */
  fetchedAt: string;
  source: typeof PRICE_LIST_SOURCE;
  /** The newest publication date of the items read, when AWS gave one. */
  publicationDate?: string;
  /** On-demand USD per hour by instance type. */
  ec2Hourly: Record<string, number>;
  /** USD per GB-month by EBS volume type (volumeApiName). */
  ebsPerGbMonth: Record<string, number>;
  /** Requested instance types the Price List has no matching price for (not zero: no price). */
  notPriced: string[];
  /** Items that could not be read, and the first few reasons. */
  skippedItems: number;
  skippedReasons: string[];
  /** True when a query had more pages than maxPages allowed. */
  truncated: boolean;
  /** GetProducts calls made. */
  calls: number;
}

const filters = (pairs: ReadonlyArray<[string, string]>): Filter[] =>
  pairs.map(([Field, Value]) => ({ Type: 'TERM_MATCH', Field, Value }));

const regionCode = z
  .string()
  .max(32)
  .refine(isPlausibleRegion, 'Expected a region code like eu-west-1.')
  .describe('the region whose prices to read, e.g. eu-west-1');

export const getEc2Prices = defineOperation({
  id: 'pricing.ec2Prices.get',
  service: 'pricing',
  title: 'Get EC2 and EBS list prices',
  description:
    'Regional on-demand list prices from the AWS Price List Query API: EC2 Linux shared-tenancy hourly prices (all types, or the ones named) and EBS storage per GB-month.',
  ...READ_ONLY,
  input: z
    .object({
      region: regionCode,
      instanceTypes: z
        .array(z.string().regex(INSTANCE_TYPE_PATTERN, 'Expected an instance type like m5.large.'))
        .min(1)
        .max(50)
        .optional()
        .describe('only these types (one query each); every type in the region when omitted'),
      volumes: z.boolean().default(true).describe('also read EBS volume storage prices'),
      maxPages: z
        .number()
        .int()
        .min(1)
        .max(50)
        .default(DEFAULT_MAX_PAGES)
        .describe('page limit per query (100 items a page)'),
    })
    .strict(),
  async handler(ctx, input): Promise<Ec2PriceSheet> {
    const pricing = await ctx.client(pricingService);
    const sheet: Ec2PriceSheet = {
      region: input.region,
      fetchedAt: ctx.now.toISOString(),
      source: PRICE_LIST_SOURCE,
      ec2Hourly: {},
      ebsPerGbMonth: {},
      notPriced: [],
      skippedItems: 0,
      skippedReasons: [],
      truncated: false,
      calls: 0,
    };
    const query = async (pairs: ReadonlyArray<[string, string]>): Promise<PriceListProduct[]> => {
      const products: PriceListProduct[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        ctx.signal.throwIfAborted();
        const result = await pricing.send(
          new GetProductsCommand({
            ServiceCode: 'AmazonEC2',
            FormatVersion: 'aws_v1',
            Filters: filters(pairs),
            MaxResults: PAGE_SIZE,
            ...(token ? { NextToken: token } : {}),
          }),
        );
        sheet.calls++;
        pages++;
        const items = Array.isArray(result.PriceList) ? (result.PriceList as unknown[]) : [];
        for (const raw of items) {
          const parsed = parsePriceListItem(raw);
          if (parsed.ok) products.push(parsed.product);
          else {
            sheet.skippedItems++;
            if (sheet.skippedReasons.length < MAX_SKIPPED_REASONS) sheet.skippedReasons.push(parsed.reason);
          }
        }
        token = result.NextToken || undefined;
      } while (token && pages < input.maxPages);
      if (token) sheet.truncated = true;
      return products;
    };
    const notePublication = (product: PriceListProduct) => {
      if (product.publicationDate && (!sheet.publicationDate || product.publicationDate > sheet.publicationDate))
        sheet.publicationDate = product.publicationDate;
    };

    const regionFilter: [string, string] = ['regionCode', input.region];
    const instanceQueries = input.instanceTypes
      ? input.instanceTypes.map(
          (type) => [regionFilter, ...LINUX_ON_DEMAND_FILTERS, ['instanceType', type]] as Array<[string, string]>,
        )
      : [[regionFilter, ...LINUX_ON_DEMAND_FILTERS]];
    const chosen = new Map<string, PriceListProduct>();
    for (const pairs of instanceQueries)
      for (const product of await query(pairs)) {
        const type = product.attributes.instanceType;
        // The filters leave one product per type; where AWS lists more, the plain RunInstances one wins.
        if (!type || !INSTANCE_TYPE_PATTERN.test(type) || product.attributes.regionCode !== input.region) continue;
        const current = chosen.get(type);
        if (
          !current ||
          (current.attributes.operation !== 'RunInstances' && product.attributes.operation === 'RunInstances')
        )
          chosen.set(type, product);
      }
    for (const [type, product] of [...chosen].sort(([a], [b]) => a.localeCompare(b))) {
      sheet.ec2Hourly[type] = product.onDemandUsd;
      notePublication(product);
    }
    sheet.notPriced = (input.instanceTypes ?? []).filter((type) => !chosen.has(type));

    if (input.volumes)
      for (const product of await query([regionFilter, ['productFamily', 'Storage']])) {
        const volume = product.attributes.volumeApiName;
        if (!volume || !VOLUME_TYPE_PATTERN.test(volume) || product.attributes.regionCode !== input.region) continue;
        if (product.unit && product.unit !== 'GB-Mo') continue;
        sheet.ebsPerGbMonth[volume] = product.onDemandUsd;
        notePublication(product);
      }
    return sheet;
  },
});

export const pricingReadOperations = [getEc2Prices] as const;
