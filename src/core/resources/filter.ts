import type { ResourceSummary } from './model';

/**
 * Matches a resource against the explorer filter: a case-insensitive substring of the name or id,
 * a tag key or value, or `Key=Value` for an exact tag match.
 */
export function matchesFilter(resource: ResourceSummary, filter: string): boolean {
  const text = filter.trim().toLowerCase();
  if (!text) return true;
  const tagPair = /^([^=]+)=(.*)$/.exec(filter.trim());
  if (tagPair) {
    const [, key, value] = tagPair;
    return Object.entries(resource.tags).some(([tagKey, tagValue]) => tagKey.toLowerCase() === key.trim().toLowerCase() && tagValue.toLowerCase() === value.trim().toLowerCase());
  }
  if (resource.name.toLowerCase().includes(text) || resource.id.toLowerCase().includes(text)) return true;
  return Object.entries(resource.tags).some(([key, value]) => key.toLowerCase().includes(text) || value.toLowerCase().includes(text));
}
