/**
 * Resolves protection groups and waves to DRS source servers. DescribeSourceServers has no tag
 * filter, so tag selection happens here, client-side, on one listing per region.
 */
import type { SourceServer } from '@aws-sdk/client-drs';
import type { DrReads } from './aws';
import type { ProtectionGroup, RecoveryPlan } from './model';

/** What the engine keeps about a source server (serializable). */
export interface ServerInfo {
  sourceServerId: string;
  region: string;
  hostname: string;
  tags: Record<string, string>;
  replicationState?: string;
  lastLaunchResult?: string;
  recoveryInstanceId?: string;
}

export interface GroupResolution {
  group: string;
  region: string;
  servers: ServerInfo[];
  /** Explicit IDs that DescribeSourceServers does not know. */
  missingServerIds: string[];
  /** True when the group has tags and no server carries all of them. */
  tagSelectorMatchedNothing: boolean;
}

export interface WaveResolution {
  wave: string;
  servers: ServerInfo[];
  /** Explicit wave-level IDs that do not exist. */
  missingServerIds: string[];
  /** Referenced groups that are not in the workspace. */
  missingGroups: string[];
  /** For each server, the groups (or "wave") that put it in this wave. */
  origins: Record<string, string[]>;
}

export interface PlanResolution {
  waves: WaveResolution[];
  groups: GroupResolution[];
  /** Every server DescribeSourceServers returned, per region. */
  inventory: Record<string, ServerInfo[]>;
}

export function hostnameOf(server: SourceServer): string {
  const hints = server.sourceProperties?.identificationHints;
  return hints?.hostname || hints?.fqdn || server.sourceServerID || 'unknown';
}

export function toServerInfo(server: SourceServer, region: string): ServerInfo {
  return {
    sourceServerId: server.sourceServerID ?? '',
    region,
    hostname: hostnameOf(server),
    tags: { ...(server.tags ?? {}) },
    replicationState: server.dataReplicationInfo?.dataReplicationState,
    lastLaunchResult: server.lastLaunchResult,
    recoveryInstanceId: server.recoveryInstanceId,
  };
}

export function matchesTags(server: { tags: Record<string, string> }, tags: Record<string, string>): boolean {
  return Object.entries(tags).every(([key, value]) => server.tags[key] === value);
}

/** Resolves one group against a region's inventory: servers with every tag, plus the listed IDs. */
export function resolveGroup(group: ProtectionGroup, inventory: ServerInfo[]): GroupResolution {
  const byId = new Map(inventory.map((server) => [server.sourceServerId, server]));
  const selected = new Map<string, ServerInfo>();
  const tags = group.selection.tags ?? {};
  const hasTags = Object.keys(tags).length > 0;
  let tagMatches = 0;
  if (hasTags) {
    for (const server of inventory) {
      if (matchesTags(server, tags)) {
        selected.set(server.sourceServerId, server);
        tagMatches++;
      }
    }
  }
  const missingServerIds: string[] = [];
  for (const id of group.selection.sourceServerIds ?? []) {
    const server = byId.get(id);
    if (server) selected.set(id, server);
    else missingServerIds.push(id);
  }
  return {
    group: group.name,
    region: group.region,
    servers: [...selected.values()],
    missingServerIds,
    tagSelectorMatchedNothing: hasTags && tagMatches === 0,
  };
}

/**
 * Resolves every wave of the plan. Wave-level `sourceServerIds` are looked up in `defaultRegion`
 * (or the region of the wave's groups when they agree).
 */
export async function resolvePlan(
  plan: RecoveryPlan,
  groups: ProtectionGroup[],
  reads: DrReads,
  defaultRegion: string,
): Promise<PlanResolution> {
  const groupsByName = new Map(groups.map((group) => [group.name, group]));
  const referenced = new Set(plan.waves.flatMap((wave) => wave.protectionGroups ?? []));
  const regions = new Set<string>();
  for (const name of referenced) {
    const group = groupsByName.get(name);
    if (group) regions.add(group.region);
  }
  const waveRegion = (groupNames: string[]): string => {
    const own = new Set(
      groupNames.map((name) => groupsByName.get(name)?.region).filter((r): r is string => Boolean(r)),
    );
    return own.size === 1 ? [...own][0] : defaultRegion;
  };
  for (const wave of plan.waves)
    if ((wave.sourceServerIds ?? []).length) regions.add(waveRegion(wave.protectionGroups ?? []));

  const inventory: Record<string, ServerInfo[]> = {};
  await Promise.all(
    [...regions].map(async (region) => {
      inventory[region] = (await reads.listSourceServers(region)).map((server) => toServerInfo(server, region));
    }),
  );

  const groupResolutions = new Map<string, GroupResolution>();
  for (const name of referenced) {
    const group = groupsByName.get(name);
    if (group) groupResolutions.set(name, resolveGroup(group, inventory[group.region] ?? []));
  }

  const waves = plan.waves.map((wave): WaveResolution => {
    const servers = new Map<string, ServerInfo>();
    const origins: Record<string, string[]> = {};
    const add = (server: ServerInfo, origin: string): void => {
      servers.set(server.sourceServerId, server);
      (origins[server.sourceServerId] ??= []).push(origin);
    };
    const missingGroups: string[] = [];
    for (const name of wave.protectionGroups ?? []) {
      const resolution = groupResolutions.get(name);
      if (!resolution) missingGroups.push(name);
      else for (const server of resolution.servers) add(server, name);
    }
    const region = waveRegion(wave.protectionGroups ?? []);
    const regionInventory = new Map((inventory[region] ?? []).map((server) => [server.sourceServerId, server]));
    const missingServerIds: string[] = [];
    for (const id of wave.sourceServerIds ?? []) {
      const server = regionInventory.get(id);
      if (server) add(server, `wave ${wave.name}`);
      else missingServerIds.push(id);
    }
    return { wave: wave.name, servers: [...servers.values()], missingServerIds, missingGroups, origins };
  });
  return { waves, groups: [...groupResolutions.values()], inventory };
}
