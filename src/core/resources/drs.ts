import { DescribeSourceServersCommand, type SourceServer } from '@aws-sdk/client-drs';
import { drsService } from '../aws/services';
import type { ResourceLister, ResourceSummary, StateTone } from './model';

const REPLICATION_TONES: Record<string, StateTone> = {
  CONTINUOUS: 'ok',
  INITIATING: 'transitional',
  INITIAL_SYNC: 'transitional',
  BACKLOG: 'transitional',
  CREATING_SNAPSHOT: 'transitional',
  RESCAN: 'transitional',
  STOPPED: 'stopped',
  PAUSED: 'stopped',
  STALLED: 'error',
  DISCONNECTED: 'error',
};

export function sourceServerHostname(server: SourceServer): string {
  const hints = server.sourceProperties?.identificationHints;
  return hints?.hostname || hints?.fqdn || server.sourceServerID || 'unknown';
}

export function summarizeSourceServer(server: SourceServer): ResourceSummary {
  const state = server.dataReplicationInfo?.dataReplicationState;
  const lag = server.dataReplicationInfo?.lagDuration;
  const lastLaunch = server.lastLaunchResult;
  return {
    type: 'drs:source-server',
    id: server.sourceServerID ?? 'unknown',
    name: sourceServerHostname(server),
    arn: server.arn,
    state,
    stateTone: (state && REPLICATION_TONES[state]) || 'unknown',
    details: [
      state ?? 'replication unknown',
      lag ? `lag ${lag}` : undefined,
      lastLaunch && lastLaunch !== 'NOT_STARTED' ? `last launch ${lastLaunch}` : undefined,
    ].filter((part): part is string => Boolean(part)),
    tags: { ...(server.tags ?? {}) },
    raw: server,
  };
}

export const drsSourceServerLister: ResourceLister = {
  type: 'drs:source-server',
  title: 'Source servers',
  async list(connection, { region, nextToken, pageSize }) {
    const client = await connection.client(drsService, region);
    const response = await client.send(new DescribeSourceServersCommand({ filters: {}, maxResults: Math.min(pageSize, 1000), nextToken }));
    return { items: (response.items ?? []).map(summarizeSourceServer), nextToken: response.nextToken || undefined };
  },
};
