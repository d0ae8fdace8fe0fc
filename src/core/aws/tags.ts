/** AWS tag lists (`[{ Key, Value }]`) as a record; entries without a key are dropped. */
export function tagsToRecord(
  tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined,
): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key) record[tag.Key] = tag.Value ?? '';
  return record;
}
