/**
 * The AWS Price List Query API, which moto 5.2.5 does not have: GetProducts and DescribeServices (awsJson1_1,
 * `X-Amz-Target: AWSPriceListService.*`), mounted in the gateway like the SSM Automation front. It serves
 * price list items in the real PriceList JSON shape (each item a JSON string) from TEST DATA (seedPrices.ts)
 * or items a test adds (`add`).
 *
 * Filters: TERM_MATCH and EQUALS keep items whose product attribute `Field` equals `Value` (field names and
 * values compared case-insensitively; `ServiceCode`, `productFamily` and `sku` match the item's own fields); an unknown filter type
 * is refused with a message naming it. Paging: `MaxResults` 1–100 (default 100), further capped by
 * `pageSize`, with an opaque NextToken bound to the request's filters (another request's token is refused).
 * Anything else answers 400 `InvalidParameterException` naming what is not emulated.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson, sigV4Scope } from '../drs/http';
import { seedPriceListItems, type PriceListItem } from './seedPrices';

export const PRICE_LIST_OPERATIONS = ['GetProducts', 'DescribeServices'] as const;
const TARGET_PREFIX = 'AWSPriceListService.';
const MAX_RESULTS = 100;

class PriceListError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface PriceListEmulatorOptions {
  /** At most this many items per page whatever MaxResults asks (AWS may return fewer too). Default 100. */
  pageSize?: number;
  /** Start with the test seed (default true). */
  seed?: boolean;
}

interface Filter {
  Type?: string;
  Field?: string;
  Value?: string;
}

export class PriceListEmulator {
  private items: PriceListItem[];
  private pageSize: number;
  readonly calls: Record<string, number> = {};
  /** The SigV4 signing region of every request since the last reset (the API lives in us-east-1). */
  readonly signingRegions: string[] = [];

  constructor(private readonly options: PriceListEmulatorOptions = {}) {
    this.pageSize = options.pageSize ?? MAX_RESULTS;
    this.items = options.seed === false ? [] : seedPriceListItems();
  }

  static matches(req: IncomingMessage): boolean {
    const target = String(req.headers['x-amz-target'] ?? '');
    return req.method === 'POST' && target.startsWith(TARGET_PREFIX);
  }

  /** Test hook: back to the seed (or empty), default page size. */
  reset(): void {
    this.items = this.options.seed === false ? [] : seedPriceListItems();
    this.pageSize = this.options.pageSize ?? MAX_RESULTS;
    for (const key of Object.keys(this.calls)) delete this.calls[key];
    this.signingRegions.length = 0;
  }

  /** Test hook: more items (e.g. many instance types to page through). */
  add(items: PriceListItem[]): void {
    this.items.push(...items);
  }

  /** Test hook: the page size cap. */
  setPageSize(size: number): void {
    this.pageSize = Math.max(1, Math.min(MAX_RESULTS, Math.floor(size)));
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const operation = String(req.headers['x-amz-target'] ?? '').slice(TARGET_PREFIX.length);
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
    if (this.signingRegions.length < 1000) this.signingRegions.push(sigV4Scope(req)?.region ?? '(unsigned)');
    const headers = { 'content-type': 'application/x-amz-json-1.1' };
    readBody(req, 256 * 1024)
      .then((body) => {
        const input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
        switch (operation) {
          case 'GetProducts':
            return this.getProducts(input);
          case 'DescribeServices':
            return this.describeServices(input);
          default:
            throw new PriceListError(
              'InvalidParameterException',
              `${operation} is not emulated (the Price List emulator answers ${PRICE_LIST_OPERATIONS.join(', ')})`,
            );
        }
      })
      .then(
        (output) => sendJson(res, 200, output, headers),
        (error: unknown) =>
          sendJson(
            res,
            400,
            {
              __type: error instanceof PriceListError ? error.code : 'InvalidParameterException',
              message: error instanceof Error ? error.message : String(error),
            },
            headers,
          ),
      );
  }

  private serviceCodes(): string[] {
    return [...new Set(this.items.map((entry) => entry.serviceCode))].sort();
  }

  private describeServices(input: Record<string, unknown>) {
    const code = typeof input.ServiceCode === 'string' ? input.ServiceCode : undefined;
    const codes = code ? this.serviceCodes().filter((entry) => entry === code) : this.serviceCodes();
    if (code && !codes.length) throw new PriceListError('NotFoundException', `Service ${code} was not found.`);
    return {
      FormatVersion: 'aws_v1',
      Services: codes.map((serviceCode) => ({
        ServiceCode: serviceCode,
        AttributeNames: [
          ...new Set(
            this.items
              .filter((entry) => entry.serviceCode === serviceCode)
              .flatMap((entry) => Object.keys(entry.product.attributes)),
          ),
        ].sort(),
      })),
    };
  }

  private getProducts(input: Record<string, unknown>) {
    const serviceCode = input.ServiceCode;
    if (typeof serviceCode !== 'string' || !serviceCode)
      throw new PriceListError('InvalidParameterException', 'ServiceCode is required.');
    if (!this.serviceCodes().includes(serviceCode))
      throw new PriceListError('NotFoundException', `Service ${serviceCode} was not found.`);
    if (input.FormatVersion !== undefined && input.FormatVersion !== 'aws_v1')
      throw new PriceListError(
        'InvalidParameterException',
        `FormatVersion ${String(input.FormatVersion)} is not valid.`,
      );
    const maxResults = input.MaxResults === undefined ? MAX_RESULTS : Number(input.MaxResults);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS)
      throw new PriceListError('InvalidParameterException', `MaxResults must be between 1 and ${MAX_RESULTS}.`);
    const filters = (Array.isArray(input.Filters) ? input.Filters : []) as Filter[];
    for (const filter of filters) {
      if (filter.Type !== 'TERM_MATCH' && filter.Type !== 'EQUALS')
        throw new PriceListError(
          'InvalidParameterException',
          `Filter type ${String(filter.Type)} is not emulated (TERM_MATCH and EQUALS are).`,
        );
      if (typeof filter.Field !== 'string' || typeof filter.Value !== 'string')
        throw new PriceListError('InvalidParameterException', 'Every filter needs a Field and a Value.');
    }
    const requestKey = createHash('sha256')
      .update(JSON.stringify([serviceCode, filters.map((f) => [f.Type, f.Field, f.Value])]))
      .digest('hex')
      .slice(0, 16);
    let offset = 0;
    if (input.NextToken !== undefined) {
      const decoded = decodeToken(String(input.NextToken));
      if (!decoded || decoded.key !== requestKey)
        throw new PriceListError('InvalidNextTokenException', 'The NextToken is not valid for this request.');
      offset = decoded.offset;
    }
    const matching = this.items.filter(
      (entry) => entry.serviceCode === serviceCode && filters.every((filter) => termMatches(entry, filter)),
    );
    const size = Math.min(maxResults, this.pageSize);
    const page = matching.slice(offset, offset + size);
    const next = offset + size < matching.length ? encodeToken({ key: requestKey, offset: offset + size }) : undefined;
    return {
      FormatVersion: 'aws_v1',
      PriceList: page.map((entry) => JSON.stringify(entry)),
      ...(next ? { NextToken: next } : {}),
    };
  }
}

function termMatches(entry: PriceListItem, filter: Filter): boolean {
  const field = filter.Field!.toLowerCase();
  const wanted = filter.Value!.toLowerCase();
  if (field === 'servicecode') return entry.serviceCode.toLowerCase() === wanted;
  if (field === 'productfamily') return entry.product.productFamily.toLowerCase() === wanted;
  if (field === 'sku') return entry.product.sku.toLowerCase() === wanted;
  for (const [name, value] of Object.entries(entry.product.attributes))
    if (name.toLowerCase() === field) return value.toLowerCase() === wanted;
  return false;
}

function encodeToken(token: { key: string; offset: number }): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeToken(text: string): { key: string; offset: number } | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { key?: unknown; offset?: unknown };
    return typeof parsed.key === 'string' && Number.isInteger(parsed.offset) && (parsed.offset as number) >= 0
      ? { key: parsed.key, offset: parsed.offset as number }
      : undefined;
  } catch {
    return undefined;
  }
}
