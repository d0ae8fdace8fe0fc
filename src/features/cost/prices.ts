import { join } from 'node:path';
import type { PriceCache } from '../../core/cost/priceCache';
import type { PilotLightContext } from '../shared/pilotLightContext';

let cache: Promise<PriceCache> | undefined;

/** The one price cache of this window (extension global storage), loaded on first use. */
export function priceCacheFor(ctx: PilotLightContext): Promise<PriceCache> {
  cache ??= import('../../core/cost/priceCache').then(
    ({ PriceCache }) => new PriceCache(join(ctx.extension.globalStorageUri.fsPath, 'pricing', 'prices.json')),
  );
  return cache;
}
