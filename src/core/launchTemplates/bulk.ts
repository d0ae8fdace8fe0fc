/** Launch template and DRS launch configuration changes over many source servers. */
import type { LaunchConfiguration, SourceServer } from '@aws-sdk/client-drs';
import type { ProtectionGroup } from '../dr/model';
import { matchesTags, resolveGroup, toServerInfo, type ServerInfo } from '../dr/selection';
import type { RunOutcome } from '../operations/runner';
import { applyDelta, changedFields, type FieldChange, type LaunchTemplateData } from './delta';
import { describeOutcome, type RunContext, type RunFunction } from './editor';
import {
  gatherRecoveryFacts,
  validateRecoveryLaunch,
  type RecoveryFacts,
  type RecoveryFinding,
} from './recoveryValidation';

export interface ServerSelector {
  /** Servers carrying all these tags. */
  tags?: Record<string, string>;
  sourceServerIds?: string[];
  /** A protection group (its explicit IDs and tag selector). */
  protectionGroup?: ProtectionGroup;
}

export type BulkServer = Pick<ServerInfo, 'sourceServerId' | 'hostname' | 'tags'> & {
  /** The DescribeSourceServers item, when already read (saves a call). */
  source?: SourceServer;
};

export type LaunchConfigurationChange = {
  launchDisposition?: 'STOPPED' | 'STARTED';
  targetInstanceTypeRightSizingMethod?: 'NONE' | 'BASIC' | 'IN_AWS';
  copyPrivateIp?: boolean;
  copyTags?: boolean;
  osByol?: boolean;
};

export interface BulkChange {
  /** Launch template fields to set in a new version of each server's template (from its default version). */
  templateData?: LaunchTemplateData;
  /** DRS launch configuration settings to set. */
  launchConfiguration?: LaunchConfigurationChange;
  /** Make the new version the default (DRS launches the default). Default true. */
  makeDefault?: boolean;
  description?: string;
}

export interface BulkDryRunEntry {
  sourceServerId: string;
  hostname: string;
  launchTemplateId?: string;
  baseVersion?: number;
  templateChanges: FieldChange[];
  launchConfigurationChanges: FieldChange[];
  /** Findings for the server as it would be after the change. */
  findings: RecoveryFinding[];
  /** Set when the server could not be read. */
  error?: string;
}

export interface BulkDryRunReport {
  entries: BulkDryRunEntry[];
  apiCalls: number;
  apiCallsPerServer: number;
}

export interface BulkApplyEntry {
  sourceServerId: string;
  hostname: string;
  status: 'applied' | 'unchanged' | 'refused' | 'failed';
  launchTemplateId?: string;
  createdVersion?: number;
  message?: string;
  outcomes: RunOutcome[];
}

export interface BulkApplyReport {
  change: BulkChange;
  entries: BulkApplyEntry[];
  /** The servers to pass to retryFailed (failed or refused). */
  failed: BulkServer[];
}

const MAX_SERVERS = 1000;
const APPLY_CONCURRENCY = 8;

function runOptions(context: RunContext, mode: 'dry-run' | 'execute') {
  return {
    caller: context.caller,
    mode,
    approvalProvider: context.approvalProvider,
    region: context.region,
    signal: context.signal,
  };
}

/** Source servers by explicit IDs, tags (all must match) or a protection group; one paged DescribeSourceServers. */
export async function selectSourceServers(
  run: RunFunction,
  context: RunContext,
  selector: ServerSelector,
): Promise<BulkServer[]> {
  if (!selector.tags && !selector.sourceServerIds && !selector.protectionGroup)
    throw new Error('Select source servers by tags, IDs or a protection group.');
  const region = selector.protectionGroup?.region ?? context.region;
  const inventory: Array<ServerInfo & { source: SourceServer }> = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const outcome = await run(
      'drs.sourceServers.list',
      { maxResults: 1000, nextToken },
      runOptions({ ...context, region }, 'execute'),
    );
    if (outcome.status !== 'succeeded') throw new Error(describeOutcome(outcome));
    const page = outcome.output as { items: SourceServer[]; nextToken?: string };
    for (const item of page.items) inventory.push({ ...toServerInfo(item, region ?? ''), source: item });
    nextToken = page.nextToken;
    pages += 1;
  } while (nextToken && pages < 50);
  let selected: Array<ServerInfo & { source: SourceServer }> = inventory;
  if (selector.protectionGroup) {
    const ids = new Set(
      resolveGroup(selector.protectionGroup, inventory).servers.map((server) => server.sourceServerId),
    );
    selected = selected.filter((server) => ids.has(server.sourceServerId));
  }
  if (selector.sourceServerIds) {
    const ids = new Set(selector.sourceServerIds);
    selected = selected.filter((server) => ids.has(server.sourceServerId));
  }
  if (selector.tags) selected = selected.filter((server) => matchesTags(server, selector.tags!));
  return selected.map((server) => ({
    sourceServerId: server.sourceServerId,
    hostname: server.hostname,
    tags: server.tags,
    source: server.source,
  }));
}

function checkServers(servers: BulkServer[]): void {
  if (servers.length > MAX_SERVERS)
    throw new Error(
      `At most ${MAX_SERVERS} source servers per bulk change; got ${servers.length}. Narrow the selection.`,
    );
}

function launchConfigurationChanges(
  current: Partial<LaunchConfiguration> | undefined,
  change: LaunchConfigurationChange | undefined,
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [field, value] of Object.entries(change ?? {})) {
    if (value === undefined) continue;
    const old =
      field === 'osByol' ? current?.licensing?.osByol : (current as Record<string, unknown> | undefined)?.[field];
    if (old !== value) changes.push({ field, old, new: value });
  }
  return changes;
}

/**
 * What the change would do to each server: its template ID, the fields that change (old → new), the
 * launch configuration settings that change, and the recovery findings for the result. Nothing changes.
 */
export async function bulkDryRun(
  run: RunFunction,
  context: RunContext,
  servers: BulkServer[],
  change: BulkChange,
): Promise<BulkDryRunReport> {
  checkServers(servers);
  const before = new Map<string, RecoveryFacts>();
  const makeDefault = change.makeDefault !== false;
  const gathered = await gatherRecoveryFacts(run, context, servers, (fact) => {
    before.set(fact.sourceServerId, fact);
    const after: RecoveryFacts = {
      ...fact,
      launchConfiguration: {
        ...fact.launchConfiguration,
        ...pick(change.launchConfiguration, ['targetInstanceTypeRightSizingMethod', 'copyPrivateIp']),
      },
    };
    if (fact.template && change.templateData && Object.keys(change.templateData).length) {
      const data = applyDelta(fact.template.data, change.templateData);
      if (changedFields(fact.template.data, data).changes.length) {
        const created = fact.template.latestVersion + 1;
        after.template = makeDefault
          ? { ...fact.template, data, defaultVersion: created, latestVersion: created }
          : { ...fact.template, latestVersion: created };
      }
    }
    return after;
  });
  const factsById = new Map(gathered.facts.map((fact) => [fact.sourceServerId, fact]));
  const errorsById = new Map(gathered.errors.map((error) => [error.sourceServerId, error.message]));
  const entries = servers.map((server): BulkDryRunEntry => {
    const after = factsById.get(server.sourceServerId);
    const original = before.get(server.sourceServerId);
    const entry: BulkDryRunEntry = {
      sourceServerId: server.sourceServerId,
      hostname: server.hostname,
      templateChanges: [],
      launchConfigurationChanges: [],
      findings: [],
    };
    if (!after || !original) return { ...entry, error: errorsById.get(server.sourceServerId) ?? 'Not read.' };
    entry.launchTemplateId = original.template?.launchTemplateId ?? original.launchConfiguration.ec2LaunchTemplateID;
    entry.baseVersion = original.template?.defaultVersion;
    if (original.template && change.templateData)
      entry.templateChanges = changedFields(
        original.template.data,
        applyDelta(original.template.data, change.templateData),
      ).changes;
    entry.launchConfigurationChanges = launchConfigurationChanges(
      original.fullLaunchConfiguration ?? original.launchConfiguration,
      change.launchConfiguration,
    );
    entry.findings = validateRecoveryLaunch(after);
    return entry;
  });
  return {
    entries,
    apiCalls: gathered.apiCalls,
    apiCallsPerServer: servers.length ? Math.round((gathered.apiCalls / servers.length) * 1000) / 1000 : 0,
  };
}

function pick<T extends object, K extends keyof T>(value: T | undefined, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value?.[key] !== undefined) out[key] = value[key];
  return out;
}

async function applyToServer(
  run: RunFunction,
  context: RunContext,
  server: BulkServer,
  change: BulkChange,
): Promise<BulkApplyEntry> {
  const entry: BulkApplyEntry = {
    sourceServerId: server.sourceServerId,
    hostname: server.hostname,
    status: 'unchanged',
    outcomes: [],
  };
  const stop = (outcome: RunOutcome, prefix = ''): BulkApplyEntry => ({
    ...entry,
    status: outcome.status === 'refused' ? 'refused' : 'failed',
    message: `${prefix}${describeOutcome(outcome)}`,
  });
  const execute = runOptions(context, 'execute');
  const configured = await run('drs.launchConfiguration.get', { sourceServerId: server.sourceServerId }, execute);
  entry.outcomes.push(configured);
  if (configured.status !== 'succeeded') return stop(configured);
  const configuration = configured.output as LaunchConfiguration;
  if (change.templateData && Object.keys(change.templateData).length) {
    const templateId = configuration.ec2LaunchTemplateID;
    if (!templateId)
      return {
        ...entry,
        status: 'failed',
        message: 'The server has no EC2 launch template in its DRS launch configuration.',
      };
    entry.launchTemplateId = templateId;
    const versions = await run(
      'ec2.launchTemplates.versions',
      { launchTemplateId: templateId, versions: ['$Default', '$Latest'] },
      execute,
    );
    entry.outcomes.push(versions);
    if (versions.status !== 'succeeded') return stop(versions);
    const items = (
      versions.output as {
        items: Array<{ VersionNumber?: number; DefaultVersion?: boolean; LaunchTemplateData?: LaunchTemplateData }>;
      }
    ).items;
    const base = items.find((item) => item.DefaultVersion) ?? items[0];
    const latest = items.reduce(
      (best, item) => ((item.VersionNumber ?? 0) > (best.VersionNumber ?? 0) ? item : best),
      base,
    );
    const target = applyDelta(base.LaunchTemplateData, change.templateData);
    const delta = changedFields(base.LaunchTemplateData, target);
    if (delta.changes.length) {
      let version: number;
      // A version an earlier attempt created (and did not make default) is reused, so a retry creates no second one.
      if (
        latest !== base &&
        changedFields(latest.LaunchTemplateData, target).changes.length === 0 &&
        !latest.DefaultVersion
      )
        version = latest.VersionNumber!;
      else {
        const created = await run(
          'ec2.launchTemplates.createVersion',
          {
            launchTemplateId: templateId,
            sourceVersion: base.VersionNumber,
            launchTemplateData: delta.data,
            versionDescription: change.description,
            sourceServerId: server.sourceServerId,
          },
          execute,
        );
        entry.outcomes.push(created);
        if (created.status !== 'succeeded') return stop(created);
        version = (created.output as { versionNumber: number }).versionNumber;
        entry.createdVersion = version;
      }
      if (change.makeDefault !== false) {
        const defaulted = await run(
          'ec2.launchTemplates.setDefaultVersion',
          { launchTemplateId: templateId, version, sourceServerId: server.sourceServerId },
          execute,
        );
        entry.outcomes.push(defaulted);
        if (defaulted.status !== 'succeeded')
          return stop(defaulted, `Version ${version} was created but not made the default: `);
      }
      entry.status = 'applied';
    }
  }
  const settings = launchConfigurationChanges(configuration, change.launchConfiguration);
  if (settings.length) {
    const updated = await run(
      'drs.launchConfiguration.update',
      {
        sourceServerId: server.sourceServerId,
        ...Object.fromEntries(settings.map((setting) => [setting.field, setting.new])),
      },
      execute,
    );
    entry.outcomes.push(updated);
    if (updated.status !== 'succeeded')
      return stop(
        updated,
        entry.status === 'applied' ? 'The template was changed, the launch configuration was not: ' : '',
      );
    entry.status = 'applied';
  }
  return entry;
}

/** Applies the change server by server; every server gets a result, failures are kept for retryFailed. */
export async function bulkApply(
  run: RunFunction,
  context: RunContext,
  servers: BulkServer[],
  change: BulkChange,
): Promise<BulkApplyReport> {
  checkServers(servers);
  const entries = new Array<BulkApplyEntry>(servers.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(APPLY_CONCURRENCY, servers.length) }, async () => {
      while (next < servers.length) {
        const index = next++;
        try {
          entries[index] = await applyToServer(run, context, servers[index], change);
        } catch (error) {
          entries[index] = {
            sourceServerId: servers[index].sourceServerId,
            hostname: servers[index].hostname,
            status: 'failed',
            message: (error as Error).message,
            outcomes: [],
          };
        }
      }
    }),
  );
  const failedIds = new Set(
    entries
      .filter((entry) => entry.status === 'failed' || entry.status === 'refused')
      .map((entry) => entry.sourceServerId),
  );
  return { change, entries, failed: servers.filter((server) => failedIds.has(server.sourceServerId)) };
}

/** Applies the report's change again to the servers that failed or were refused; keeps the others' results. */
export async function retryFailed(
  run: RunFunction,
  context: RunContext,
  report: BulkApplyReport,
): Promise<BulkApplyReport> {
  if (!report.failed.length) return report;
  const retried = await bulkApply(run, context, report.failed, report.change);
  const byId = new Map(retried.entries.map((entry) => [entry.sourceServerId, entry]));
  return {
    change: report.change,
    entries: report.entries.map((entry) => byId.get(entry.sourceServerId) ?? entry),
    failed: retried.failed,
  };
}
