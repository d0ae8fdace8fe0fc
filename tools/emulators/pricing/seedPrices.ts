/**
 * TEST DATA for the Price List emulator, never the product's price table: a few EC2 on-demand and EBS items
 * per region in the real PriceList JSON shape. The figures are made up for tests (close to list prices so a
 * demo looks plausible, but deliberately not used by the product: src/core/cost/priceData.ts is the table).
 * Distractor items (Windows, dedicated tenancy, SQL Server, a capacity reservation, gp3 IOPS) exist so the
 * TERM_MATCH filters are exercised for real.
 */
export interface PriceListItem {
  product: { productFamily: string; sku: string; attributes: Record<string, string> };
  serviceCode: string;
  terms: {
    OnDemand: Record<
      string,
      {
        offerTermCode: string;
        sku: string;
        effectiveDate: string;
        priceDimensions: Record<
          string,
          {
            unit: string;
            description: string;
            rateCode: string;
            beginRange: string;
            endRange: string;
            appliesTo: string[];
            pricePerUnit: Record<string, string>;
          }
        >;
        termAttributes: Record<string, string>;
      }
    >;
  };
  version: string;
  publicationDate: string;
}

export const SEED_PUBLICATION_DATE = '2026-11-01T00:00:00Z';
const ON_DEMAND_TERM = 'JRTCKXETXF';
const RATE = '6YS6EN2CT7';

const LOCATIONS: Record<string, string> = {
  'us-east-1': 'US East (N. Virginia)',
  'eu-west-1': 'EU (Ireland)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
};

let skuCounter = 0;
function sku(): string {
  skuCounter++;
  return `TESTSKU${String(skuCounter).padStart(9, '0')}`;
}

function item(
  productFamily: string,
  attributes: Record<string, string>,
  price: string,
  unit: string,
  description: string,
): PriceListItem {
  const code = sku();
  return {
    product: { productFamily, sku: code, attributes: { servicecode: 'AmazonEC2', ...attributes } },
    serviceCode: 'AmazonEC2',
    terms: {
      OnDemand: {
        [`${code}.${ON_DEMAND_TERM}`]: {
          offerTermCode: ON_DEMAND_TERM,
          sku: code,
          effectiveDate: '2026-11-01T00:00:00Z',
          priceDimensions: {
            [`${code}.${ON_DEMAND_TERM}.${RATE}`]: {
              unit,
              description,
              rateCode: `${code}.${ON_DEMAND_TERM}.${RATE}`,
              beginRange: '0',
              endRange: 'Inf',
              appliesTo: [],
              pricePerUnit: { USD: price },
            },
          },
          termAttributes: {},
        },
      },
    },
    version: '20261101000000',
    publicationDate: SEED_PUBLICATION_DATE,
  };
}

export function ec2Item(
  region: string,
  instanceType: string,
  hourlyUsd: string,
  overrides: Record<string, string> = {},
): PriceListItem {
  const attributes = {
    instanceType,
    instanceFamily: 'General purpose',
    regionCode: region,
    location: LOCATIONS[region] ?? region,
    locationType: 'AWS Region',
    operatingSystem: 'Linux',
    tenancy: 'Shared',
    preInstalledSw: 'NA',
    capacitystatus: 'Used',
    licenseModel: 'No License required',
    marketoption: 'OnDemand',
    operation: 'RunInstances',
    usagetype: `BoxUsage:${instanceType}`,
    ...overrides,
  };
  return item(
    'Compute Instance',
    attributes,
    hourlyUsd,
    'Hrs',
    `$${hourlyUsd} per On Demand ${attributes.operatingSystem} ${instanceType} Instance Hour (test data)`,
  );
}

export function ebsItem(region: string, volumeApiName: string, perGbMonthUsd: string): PriceListItem {
  return item(
    'Storage',
    {
      regionCode: region,
      location: LOCATIONS[region] ?? region,
      locationType: 'AWS Region',
      volumeApiName,
      storageMedia: volumeApiName.startsWith('st') || volumeApiName.startsWith('sc') ? 'HDD-backed' : 'SSD-backed',
      usagetype: `EBS:VolumeUsage.${volumeApiName}`,
      operation: '',
    },
    perGbMonthUsd,
    'GB-Mo',
    `$${perGbMonthUsd} per GB-month of ${volumeApiName} provisioned storage (test data)`,
  );
}

/** Hourly USD per region and type (test data). */
const EC2_TEST_PRICES: Record<string, Record<string, string>> = {
  'us-east-1': {
    't3.micro': '0.0104000000',
    't3.small': '0.0208000000',
    't3.medium': '0.0416000000',
    't3.large': '0.0832000000',
    'm5.large': '0.0960000000',
    'm5.xlarge': '0.1920000000',
    'c5.large': '0.0850000000',
    'r5.large': '0.1260000000',
  },
  'eu-west-1': {
    't3.micro': '0.0114000000',
    't3.small': '0.0228000000',
    't3.medium': '0.0456000000',
    't3.large': '0.0912000000',
    'm5.large': '0.1070000000',
    'm5.xlarge': '0.2140000000',
    'c5.large': '0.0960000000',
    'r5.large': '0.1410000000',
  },
  'ap-southeast-2': {
    't3.micro': '0.0132000000',
    't3.small': '0.0264000000',
    'm5.large': '0.1200000000',
    'm5.xlarge': '0.2400000000',
  },
};

const EBS_TEST_PRICES: Record<string, Record<string, string>> = {
  'us-east-1': { gp3: '0.0800000000', gp2: '0.1000000000', io1: '0.1250000000', st1: '0.0450000000' },
  'eu-west-1': { gp3: '0.0880000000', gp2: '0.1100000000', io1: '0.1380000000', st1: '0.0500000000' },
  'ap-southeast-2': { gp3: '0.0960000000', gp2: '0.1200000000' },
};

/** Every seeded item: the priced ones and the distractors the product's filters must leave out. */
export function seedPriceListItems(): PriceListItem[] {
  skuCounter = 0;
  const items: PriceListItem[] = [];
  for (const [region, prices] of Object.entries(EC2_TEST_PRICES)) {
    for (const [type, price] of Object.entries(prices)) items.push(ec2Item(region, type, price));
    // Distractors: same type, other OS / tenancy / software / capacity status, all dearer or zero.
    items.push(
      ec2Item(region, 'm5.large', '0.1880000000', { operatingSystem: 'Windows', usagetype: 'BoxUsage:m5.large' }),
      ec2Item(region, 'm5.large', '0.1060000000', { tenancy: 'Dedicated', usagetype: 'DedicatedUsage:m5.large' }),
      ec2Item(region, 'm5.large', '0.5960000000', { preInstalledSw: 'SQL Std' }),
      ec2Item(region, 'm5.large', '0.0000000000', { capacitystatus: 'UnusedCapacityReservation' }),
    );
  }
  for (const [region, prices] of Object.entries(EBS_TEST_PRICES)) {
    for (const [volume, price] of Object.entries(prices)) items.push(ebsItem(region, volume, price));
    items.push(
      item(
        'System Operation',
        { regionCode: region, volumeApiName: 'gp3', usagetype: 'EBS:VolumeP-IOPS.gp3', group: 'EBS IOPS' },
        '0.0050000000',
        'IOPS-Mo',
        'gp3 provisioned IOPS over 3000 (test data)',
      ),
    );
  }
  return items;
}
