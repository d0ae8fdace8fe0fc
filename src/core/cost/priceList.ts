/**
 * Reading AWS Price List items (GetProducts answers): each item is one JSON document with `product.attributes`
 * and `terms.OnDemand.<term>.priceDimensions.<rate>.pricePerUnit.USD`. Parsing is bounded (item size, attribute
 * count and length, terms and dimensions read) and never throws: a malformed item becomes a typed rejection.
 */

/** Larger items are refused unread (real EC2 items with every reserved term are ~20 KB). */
export const MAX_PRICE_ITEM_CHARS = 512 * 1024;
const MAX_ATTRIBUTES = 200;
const MAX_ATTRIBUTE_CHARS = 256;
const MAX_TERMS = 20;
const MAX_DIMENSIONS = 20;
const PRICE_PATTERN = /^\d{1,9}(\.\d{1,12})?$/;

export interface PriceListProduct {
  sku: string;
  productFamily: string;
  /** String attributes only, each at most 256 characters, at most 200 of them. */
  attributes: Record<string, string>;
  /** The on-demand USD price of the first price dimension (the one starting at 0 when tiered). */
  onDemandUsd: number;
  unit: string;
  effectiveDate?: string;
  publicationDate?: string;
}

export type PriceItemResult = { ok: true; product: PriceListProduct } | { ok: false; reason: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const shortString = (value: unknown, max = MAX_ATTRIBUTE_CHARS): string | undefined =>
  typeof value === 'string' && value.length <= max ? value : undefined;

function firstEntries(record: Record<string, unknown>, max: number): unknown[] {
  const values: unknown[] = [];
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    values.push(record[key]);
    if (values.length >= max) break;
  }
  return values;
}

/** The item as the SDK hands it over: a JSON string, a string-like wrapper, or (from some callers) an object. */
function itemDocument(raw: unknown): { ok: true; value: unknown } | { ok: false; reason: string } {
  let text: string | undefined;
  if (typeof raw === 'string') text = raw;
  else if (raw instanceof String) text = raw.valueOf();
  else if (isRecord(raw) && 'product' in raw) return { ok: true, value: raw };
  else if (isRecord(raw) && typeof raw.toString === 'function' && raw.toString !== Object.prototype.toString) {
    try {
      const converted: unknown = raw.toString();
      if (typeof converted === 'string') text = converted;
    } catch {
      return { ok: false, reason: 'the item could not be read as text' };
    }
  }
  if (text === undefined)
    return { ok: false, reason: `the item is a ${raw === null ? 'null' : typeof raw}, not JSON text` };
  if (text.length > MAX_PRICE_ITEM_CHARS)
    return { ok: false, reason: `the item is larger than ${MAX_PRICE_ITEM_CHARS} characters` };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: 'the item is not valid JSON' };
  }
}

/** One price list item → its product and on-demand USD price, or why it cannot be used. */
export function parsePriceListItem(raw: unknown): PriceItemResult {
  try {
    const document = itemDocument(raw);
    if (!document.ok) return document;
    const item = document.value;
    if (!isRecord(item) || !isRecord(item.product)) return { ok: false, reason: 'the item has no product' };
    const product = item.product;
    const sku = shortString(product.sku, 64) ?? '';
    const productFamily = shortString(product.productFamily) ?? '';
    const attributes: Record<string, string> = {};
    if (isRecord(product.attributes)) {
      let count = 0;
      for (const key in product.attributes) {
        if (!Object.hasOwn(product.attributes, key)) continue;
        if (++count > MAX_ATTRIBUTES) break;
        const value = shortString(product.attributes[key]);
        if (value !== undefined && key.length <= 64 && key !== '__proto__') attributes[key] = value;
      }
    }
    const onDemand = isRecord(item.terms) && isRecord(item.terms.OnDemand) ? item.terms.OnDemand : undefined;
    if (!onDemand) return { ok: false, reason: `product ${sku || '(no SKU)'} has no on-demand terms` };
    let chosen: { usd: number; unit: string; begin: number; effectiveDate?: string } | undefined;
    for (const term of firstEntries(onDemand, MAX_TERMS)) {
      if (!isRecord(term) || !isRecord(term.priceDimensions)) continue;
      for (const dimension of firstEntries(term.priceDimensions, MAX_DIMENSIONS)) {
        if (!isRecord(dimension) || !isRecord(dimension.pricePerUnit)) continue;
        const usd = shortString(dimension.pricePerUnit.USD, 32);
        if (usd === undefined || !PRICE_PATTERN.test(usd)) continue;
        const begin = Number(shortString(dimension.beginRange, 32) ?? '0');
        if (!chosen || (Number.isFinite(begin) && begin < chosen.begin))
          chosen = {
            usd: Number(usd),
            unit: shortString(dimension.unit, 32) ?? '',
            begin: Number.isFinite(begin) ? begin : Number.MAX_VALUE,
            effectiveDate: shortString(term.effectiveDate, 40),
          };
      }
    }
    if (!chosen) return { ok: false, reason: `product ${sku || '(no SKU)'} has no USD on-demand price` };
    return {
      ok: true,
      product: {
        sku,
        productFamily,
        attributes,
        onDemandUsd: chosen.usd,
        unit: chosen.unit,
        ...(chosen.effectiveDate ? { effectiveDate: chosen.effectiveDate } : {}),
        ...(shortString(item.publicationDate, 40) ? { publicationDate: item.publicationDate as string } : {}),
      },
    };
  } catch (error) {
    // Defensive: getters or proxies on hand-built objects; JSON-parsed input cannot throw above.
    return { ok: false, reason: `the item could not be read (${error instanceof Error ? error.name : 'error'})` };
  }
}

export const INSTANCE_TYPE_PATTERN = /^[a-z][a-z0-9-]{0,15}\.[a-z0-9-]{1,24}$/;
export const VOLUME_TYPE_PATTERN = /^[a-z][a-z0-9-]{0,23}$/;
