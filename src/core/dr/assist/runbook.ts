/**
 * DR runbook: a Markdown document generated from a recovery plan's execution plan, its protection groups
 * and the live DRS state (replication, launch settings, recovery instances). Every value that comes from a
 * file or from AWS is escaped; a live read that failed is shown as "could not read: <code>", never left out.
 */
import type { LaunchConfiguration, RecoveryInstance, SourceServer } from '@aws-sdk/client-drs';
import { escapeMarkdown, inlineCode, plural } from '../../conversation/markdown';
import type { DrReads } from '../aws';
import type { ProtectionGroup } from '../model';
import type { ExecutionPlan, PlannedStep } from '../planner';

/** A live read's result: the value, or the error code it failed with. */
export type LiveRead<T> = { ok: true; value: T } | { ok: false; code: string };

export interface RunbookLiveState {
  /** Source servers of the plan by region (DescribeSourceServers). */
  sourceServers: Record<string, LiveRead<SourceServer[]>>;
  /** DRS launch configuration per source server ID (GetLaunchConfiguration). */
  launchConfigurations: Record<string, LiveRead<LaunchConfiguration>>;
  /** Recovery instances of the plan's servers by region (DescribeRecoveryInstances). */
  recoveryInstances: Record<string, LiveRead<RecoveryInstance[]>>;
}

/** The reads a runbook needs; the product passes OperationDrReads (registered read operations). */
export type RunbookReads = Pick<DrReads, 'listSourceServers' | 'getLaunchConfiguration' | 'describeRecoveryInstances'>;

/** At most this many servers get a GetLaunchConfiguration call; the rest are listed as not read. */
export const RUNBOOK_MAX_LAUNCH_CONFIGURATIONS = 200;

export function errorCode(error: unknown): string {
  const name = (error as { name?: unknown })?.name;
  const code = (error as { code?: unknown })?.code;
  const value =
    typeof code === 'string' && code ? code : typeof name === 'string' && name && name !== 'Error' ? name : 'Error';
  return value.slice(0, 80);
}

async function attempt<T>(read: () => Promise<T>): Promise<LiveRead<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, code: errorCode(error) };
  }
}

/** Reads the live state of every server in the plan; failures are recorded per read, never thrown. */
export async function readRunbookLiveState(plan: ExecutionPlan, reads: RunbookReads): Promise<RunbookLiveState> {
  const idsByRegion = new Map<string, string[]>();
  for (const wave of plan.waves)
    for (const server of wave.servers)
      idsByRegion.set(server.region, [...(idsByRegion.get(server.region) ?? []), server.sourceServerId]);
  const live: RunbookLiveState = { sourceServers: {}, launchConfigurations: {}, recoveryInstances: {} };
  for (const [region, ids] of idsByRegion) {
    live.sourceServers[region] = await attempt(() => reads.listSourceServers(region, ids));
    live.recoveryInstances[region] = await attempt(() =>
      reads.describeRecoveryInstances(region, { sourceServerIds: ids }),
    );
  }
  let budget = RUNBOOK_MAX_LAUNCH_CONFIGURATIONS;
  for (const [region, ids] of idsByRegion) {
    for (const id of ids) {
      if (budget-- <= 0) break;
      live.launchConfigurations[id] = await attempt(() => reads.getLaunchConfiguration(region, id));
    }
  }
  return live;
}

export interface RunbookInput {
  plan: ExecutionPlan;
  groups: ProtectionGroup[];
  live?: RunbookLiveState;
  /** Shown in the header; default: now. */
  generatedAt?: Date;
}

const text = (value: unknown, max = 120): string => escapeMarkdown(value, max) || '—';

function lagOf(server: SourceServer): string {
  const lag = server.dataReplicationInfo?.lagDuration;
  return lag ? text(lag) : '—';
}

function stepLine(step: PlannedStep): string {
  switch (step.kind) {
    case 'pause':
      return `Pause: the run holds until someone resumes it (${text(step.label)}).`;
    case 'launch': {
      const servers = step.jobs.reduce((sum, job) => sum + job.sourceServerIds.length, 0);
      return `Launch: ${plural(servers, 'server')} in ${plural(step.jobs.length, 'DRS job')}; wait up to ${step.maxWaitSeconds}s for every server to be LAUNCHED or FAILED.`;
    }
    case 'action': {
      const phase = step.phase === 'pre' ? 'Pre-action' : 'Post-action';
      const action = step.action;
      if (action.type === 'ssmAutomation') {
        const params = Object.entries(action.parameters)
          .map(([key, values]) => `${inlineCode(key, 60)}=${inlineCode(values.join(','), 60)}`)
          .join(', ');
        return `${phase} SSM Automation ${inlineCode(action.documentName)}${action.documentVersion ? ` version ${inlineCode(action.documentVersion, 20)}` : ''}${params ? ` with ${params}` : ''} (timeout ${action.timeoutSeconds}s, ${plural(action.retries, 'retry', 'retries')}) in ${inlineCode(step.region, 30)}.`;
      }
      if (action.type === 'wait') return `${phase} wait ${action.seconds}s.`;
      if (action.type === 'backupRestore')
        return `${phase} AWS Backup restore of ${inlineCode(action.recoveryPointArn, 200)} from vault ${inlineCode(action.backupVaultName, 60)} into a new resource (timeout ${action.timeoutSeconds}s) in ${inlineCode(step.region, 30)}.`;
      return `${phase} approval: “${text(action.message, 200)}”${action.timeoutSeconds ? ` (fails after ${action.timeoutSeconds}s without an answer)` : ' (no time limit)'}.`;
    }
  }
}

/** The runbook as Markdown. Pure: all live data comes in through `live`. */
export function buildRunbook(input: RunbookInput): string {
  const { plan, groups, live } = input;
  const lines: string[] = [];
  const allServers = plan.waves.flatMap((wave) => wave.servers);
  const liveServers = new Map<string, SourceServer>();
  for (const result of Object.values(live?.sourceServers ?? {}))
    if (result.ok)
      for (const server of result.value) if (server.sourceServerID) liveServers.set(server.sourceServerID, server);

  lines.push(`# DR runbook: ${text(plan.planName)}`, '');
  lines.push(
    `Generated ${(input.generatedAt ?? new Date()).toISOString()} by Pilot Light from the recovery plan${live ? ' and the live DRS state' : ' (no live state read)'}. Mode: ${plan.mode}. Failure policy: ${plan.failurePolicy === 'stop' ? 'stop (no further wave starts after a failure)' : 'continue (every wave still runs)'}.`,
    '',
  );

  lines.push('## Targets', '');
  lines.push(`- RTO: ${plan.rtoMinutes !== undefined ? `${plan.rtoMinutes} minutes` : 'not set'}`);
  lines.push(`- RPO: ${plan.rpoMinutes !== undefined ? `${plan.rpoMinutes} minutes` : 'not set'}`);
  lines.push(
    `- ${plural(plan.waves.length, 'wave')}, ${plural(plan.serverCount, 'server')}, ${plural(plan.jobCount, 'DRS job')} (at most ${plan.peakParallelJobs} at once)`,
    '',
  );

  lines.push('## Protection groups', '');
  const usedGroups = groups.length ? groups : [];
  if (!usedGroups.length) lines.push('No protection groups given.');
  for (const group of usedGroups) {
    const tags = Object.entries(group.selection.tags ?? {})
      .map(([key, value]) => `${inlineCode(key, 60)}=${inlineCode(value, 60)}`)
      .join(', ');
    const ids = group.selection.sourceServerIds?.length
      ? `${plural(group.selection.sourceServerIds.length, 'server ID')}`
      : '';
    const settings = Object.entries(group.launchSettings ?? {})
      .map(([key, value]) => `${escapeMarkdown(key)}=${escapeMarkdown(value)}`)
      .join(', ');
    lines.push(
      `- **${text(group.name)}** in ${inlineCode(group.region, 30)}: ${[tags && `tags ${tags}`, ids].filter(Boolean).join(' and ') || 'no selection'}${settings ? `; wanted launch settings: ${settings}` : ''}`,
    );
  }
  lines.push('');

  lines.push('## Servers and replication', '');
  for (const [region, result] of Object.entries(live?.sourceServers ?? {}))
    if (!result.ok)
      lines.push(`- Source servers in ${inlineCode(region, 30)}: could not read: ${inlineCode(result.code, 80)}`);
  if (!allServers.length) lines.push('No servers resolved for this plan.');
  else {
    lines.push('| Wave | Server | Hostname | Replication | Lag | Error |', '| --- | --- | --- | --- | --- | --- |');
    for (const wave of plan.waves) {
      for (const server of wave.servers) {
        const found = liveServers.get(server.sourceServerId);
        const regionRead = live?.sourceServers[server.region];
        const state =
          found?.dataReplicationInfo?.dataReplicationState ??
          (regionRead && !regionRead.ok
            ? `could not read: ${regionRead.code}`
            : live
              ? 'not found'
              : (server.replicationState ?? '—'));
        const error = found?.dataReplicationInfo?.dataReplicationError?.error;
        lines.push(
          `| ${text(wave.name, 60)} | ${text(server.sourceServerId, 40)} | ${text(server.hostname, 60)} | ${text(state, 80)} | ${found ? lagOf(found) : '—'} | ${error ? text(error, 60) : '—'} |`,
        );
      }
    }
    const stalled = [...liveServers.values()].filter(
      (server) =>
        server.dataReplicationInfo?.dataReplicationError?.error ||
        server.dataReplicationInfo?.dataReplicationState === 'STALLED',
    );
    if (stalled.length)
      lines.push(
        '',
        `**${plural(stalled.length, 'server')} with a replication problem**: fix before a recovery (use *Explain Replication Problem* on the server).`,
      );
  }
  lines.push('');

  lines.push('## Launch settings (DRS)', '');
  if (!allServers.length) lines.push('No servers.');
  for (const server of allServers) {
    const result = live?.launchConfigurations[server.sourceServerId];
    if (!live) lines.push(`- ${text(server.sourceServerId)}: not read`);
    else if (!result)
      lines.push(`- ${text(server.sourceServerId)}: not read (more than ${RUNBOOK_MAX_LAUNCH_CONFIGURATIONS} servers)`);
    else if (!result.ok) lines.push(`- ${text(server.sourceServerId)}: could not read: ${inlineCode(result.code, 80)}`);
    else {
      const config = result.value;
      lines.push(
        `- ${text(server.sourceServerId)}: disposition ${text(config.launchDisposition)}, right-sizing ${text(config.targetInstanceTypeRightSizingMethod)}, copy private IP ${text(config.copyPrivateIp)}, copy tags ${text(config.copyTags)}, BYOL ${text(config.licensing?.osByol)}, launch template ${config.ec2LaunchTemplateID ? inlineCode(config.ec2LaunchTemplateID, 60) : '—'}`,
      );
    }
  }
  lines.push('');

  const approvals = plan.waves.flatMap((wave) =>
    wave.steps
      .filter((step) => step.kind === 'pause' || (step.kind === 'action' && step.action.type === 'approval'))
      .map((step) => ({ wave: wave.name, step })),
  );
  lines.push('## Approvals and pauses', '');
  if (!approvals.length)
    lines.push('None: the plan runs without human gates (protected environments may still ask for approval).');
  for (const { wave, step } of approvals) lines.push(`- Wave ${text(wave)}: ${stepLine(step)}`);
  lines.push('');

  lines.push('## Steps, wave by wave', '');
  lines.push('Waves are listed in dependency order; waves at the same level run in parallel.', '');
  plan.waves.forEach((wave, index) => {
    lines.push(`### ${index + 1}. Wave ${text(wave.name)} (level ${wave.level})`, '');
    lines.push(
      `Depends on: ${wave.dependsOn.length ? wave.dependsOn.map((name) => text(name)).join(', ') : 'nothing (starts first)'}.`,
      '',
    );
    wave.steps.forEach((step, stepIndex) => lines.push(`${stepIndex + 1}. ${stepLine(step)}`));
    lines.push('');
  });

  lines.push('## Roll back', '');
  const instances: Array<{ region: string; instance: RecoveryInstance }> = [];
  for (const [region, result] of Object.entries(live?.recoveryInstances ?? {})) {
    if (!result.ok)
      lines.push(`- Recovery instances in ${inlineCode(region, 30)}: could not read: ${inlineCode(result.code, 80)}`);
    else for (const instance of result.value) instances.push({ region, instance });
  }
  lines.push('1. Stop the run (Pilot Light: *Cancel Recovery Run…*) so that no further wave starts.');
  lines.push(
    `2. Terminate the recovery instances (Pilot Light: *Clean Up Drill Instances…*, or DRS TerminateRecoveryInstances). ${live ? `Currently ${plural(instances.length, 'recovery instance')}:` : 'Live state not read.'}`,
  );
  for (const { region, instance } of instances.slice(0, 200)) {
    lines.push(
      `   - ${text(instance.recoveryInstanceID, 40)} (EC2 ${text(instance.ec2InstanceID, 40)}, ${text(instance.ec2InstanceState, 30)}, drill ${text(instance.isDrill)}) in ${inlineCode(region, 30)}`,
    );
  }
  if (instances.length > 200) lines.push(`   - … and ${instances.length - 200} more`);
  lines.push('3. Source servers keep replicating during a drill; nothing else to undo.');
  lines.push(
    '4. After a real recovery: fail back by reversing replication from the recovery instances (DRS "Start reversed replication"), launch for failback once the source site is healthy, then terminate the recovery instances.',
  );
  lines.push('');
  return lines.join('\n');
}
