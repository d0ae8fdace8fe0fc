/**
 * The protection-group view: the servers a group resolves to right now, with replication state, lag and
 * the last recovery instance, and the parts of its selection that match nothing.
 */
import type { SourceServer } from '@aws-sdk/client-drs';
import type { ProtectionGroup } from '../model';
import { hostnameOf, matchesTags, resolveGroup, toServerInfo } from '../selection';

export interface GroupServerRow {
  sourceServerId: string;
  hostname: string;
  replicationState: string;
  /** ISO 8601 duration as DRS reports it (e.g. PT5S), or undefined. */
  lag?: string;
  lastLaunchResult?: string;
  recoveryInstanceId?: string;
  /** Why the server is in the group: "tags", "id" or both. */
  via: string[];
}

export interface GroupReport {
  group: string;
  region: string;
  servers: GroupServerRow[];
  /** Listed IDs that DRS does not know. */
  unknownIds: string[];
  /** Each tag pair of the selection that no server carries (when the whole tag selector matched nothing). */
  unmatchedTags: string[];
  tagSelectorMatchedNothing: boolean;
  checkedAt: string;
}

export function groupReport(group: ProtectionGroup, inventory: SourceServer[], now = new Date()): GroupReport {
  const infos = inventory.map((server) => toServerInfo(server, group.region));
  const resolution = resolveGroup(group, infos);
  const byId = new Map(inventory.map((server) => [server.sourceServerID ?? '', server]));
  const tags = group.selection.tags ?? {};
  const ids = new Set(group.selection.sourceServerIds ?? []);
  const servers = resolution.servers.map((info): GroupServerRow => {
    const server = byId.get(info.sourceServerId);
    const via = [
      ...(Object.keys(tags).length && matchesTags(info, tags) ? ['tags'] : []),
      ...(ids.has(info.sourceServerId) ? ['id'] : []),
    ];
    return {
      sourceServerId: info.sourceServerId,
      hostname: server ? hostnameOf(server) : info.hostname,
      replicationState: server?.dataReplicationInfo?.dataReplicationState ?? 'unknown',
      lag: server?.dataReplicationInfo?.lagDuration || undefined,
      lastLaunchResult: server?.lastLaunchResult,
      recoveryInstanceId: server?.recoveryInstanceId,
      via,
    };
  });
  const unmatchedTags = resolution.tagSelectorMatchedNothing
    ? Object.entries(tags)
        .filter(([key, value]) => !infos.some((info) => info.tags[key] === value))
        .map(([key, value]) => `${key}=${value}`)
    : [];
  return {
    group: group.name,
    region: group.region,
    servers,
    unknownIds: resolution.missingServerIds,
    unmatchedTags,
    tagSelectorMatchedNothing: resolution.tagSelectorMatchedNothing,
    checkedAt: now.toISOString(),
  };
}

/** Text from files or AWS, safe in a Markdown table cell (no HTML, no table breaks, no code spans). */
export function markdownCell(text: string): string {
  return text
    .replace(/[\\`*_[\]<>|#]/g, (char) => `\\${char}`)
    .replace(/[\r\n]+/g, ' ')
    .slice(0, 256);
}

const HEALTHY = new Set(['CONTINUOUS', 'INITIAL_SYNC', 'RESCAN']);

export function renderGroupReport(report: GroupReport): string {
  const lines = [
    `# Protection group ${markdownCell(report.group)}`,
    '',
    `Region ${markdownCell(report.region)} · ${report.servers.length} server(s) · checked ${report.checkedAt} (refreshes while open)`,
    '',
  ];
  if (report.tagSelectorMatchedNothing)
    lines.push(
      `> ⚠ The tag selector matches no source server.${report.unmatchedTags.length ? ` No server carries ${report.unmatchedTags.map(markdownCell).join(', ')}.` : ' No server carries all of its tags together.'}`,
      '',
    );
  if (report.unknownIds.length)
    lines.push(`> ⚠ Unknown source server ID(s): ${report.unknownIds.map(markdownCell).join(', ')}.`, '');
  if (report.servers.length === 0) {
    lines.push('No server is in this group.');
    return lines.join('\n') + '\n';
  }
  lines.push(
    '| Server | Source server | Replication | Lag | Last launch | Last recovery instance | Selected by |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const row of report.servers)
    lines.push(
      `| ${markdownCell(row.hostname)} | ${markdownCell(row.sourceServerId)} | ${HEALTHY.has(row.replicationState) ? '' : '⚠ '}${markdownCell(row.replicationState)} | ${markdownCell(row.lag ?? '—')} | ${markdownCell(row.lastLaunchResult ?? '—')} | ${markdownCell(row.recoveryInstanceId ?? '—')} | ${row.via.join(' + ')} |`,
    );
  return lines.join('\n') + '\n';
}
