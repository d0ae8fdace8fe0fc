/**
 * Preflight: everything that can be checked before a plan runs, each finding saying what is wrong and
 * how to fix it. Runs as a command and before every execution (the runner refuses to start on errors).
 */
import type { LaunchConfiguration } from '@aws-sdk/client-drs';
import type { DrReads } from './aws';
import type { DrActionGateway, DrCallContext } from './gateway';
import { DRS_LIMITS, type DrsLimits, type GroupLaunchSettings, type ProtectionGroup, type RecoveryPlan } from './model';
import { buildExecutionPlan, type ExecutionPlan, type DrRunMode } from './planner';
import { resolvePlan, type PlanResolution } from './selection';
import type {
  PreflightLaunchServer,
  RecoveryFinding,
  RecoveryFindingCode,
} from '../launchTemplates/recoveryValidation';

export type FindingSeverity = 'error' | 'warning' | 'info';

export type Remediation =
  | { kind: 'terminateRecoveryInstances'; region: string; recoveryInstanceIds: string[]; label: string }
  | {
      kind: 'applyLaunchSettings';
      region: string;
      sourceServerIds: string[];
      settings: GroupLaunchSettings;
      label: string;
    };

export interface PreflightFinding {
  severity: FindingSeverity;
  code:
    | 'group-missing'
    | 'account-mismatch'
    | 'tag-selector-empty'
    | 'server-missing'
    | 'wave-empty'
    | 'server-in-several-waves'
    | 'replication-unhealthy'
    | 'server-in-active-job'
    | 'wave-split'
    | 'concurrency-limit'
    | 'active-servers-limit'
    | 'leftover-drill-instances'
    | 'launch-template-missing'
    | 'launch-template-invalid'
    | 'launch-settings-drift'
    | 'ssm-document-missing'
    | 'ssm-document-wrong-type'
    | 'recovery-point-missing'
    | 'recovery-point-unusable'
    | 'check-failed';
  /** What is wrong. */
  message: string;
  /** How to fix it. */
  fix: string;
  wave?: string;
  group?: string;
  sourceServerIds?: string[];
  /** A fix the UI can offer to run (through the gateway, so guardrails and audit apply). */
  remediation?: Remediation;
  /** The launch recovery rule behind a launch-template-invalid or check-failed finding (launchTemplates/recoveryValidation). */
  launchRule?: RecoveryFindingCode;
}

/** Launch settings the runner applies before a wave launches (group settings that differ from DRS). */
export interface LaunchSettingsDrift {
  region: string;
  sourceServerId: string;
  group: string;
  settings: GroupLaunchSettings;
  differences: string[];
}

export interface PreflightReport {
  planName: string;
  mode: DrRunMode;
  checkedAt: string;
  ok: boolean;
  findings: PreflightFinding[];
  resolution: PlanResolution;
  executionPlan: ExecutionPlan;
  /** Jobs not started by us that are PENDING or STARTED, per region: they use up DRS limits. */
  externalActiveJobs: { region: string; jobId: string; servers: number }[];
  launchSettingsDrift: LaunchSettingsDrift[];
  /**
   * Checks that could not run (each also a `check-failed` finding). A recovery is blocked by any; a drill
   * may start, but the report never says "ready" while this is not empty.
   */
  unchecked: string[];
}

/** "ready" only when nothing blocks and every check ran. */
export type PreflightVerdict = 'ready' | 'not fully checked' | 'blocked';

export function preflightVerdict(report: Pick<PreflightReport, 'ok' | 'unchecked'>): PreflightVerdict {
  if (!report.ok) return 'blocked';
  return report.unchecked?.length ? 'not fully checked' : 'ready';
}

export interface PreflightInput {
  plan: RecoveryPlan;
  groups: ProtectionGroup[];
  reads: DrReads;
  mode: DrRunMode;
  defaultRegion: string;
  limits?: DrsLimits;
  /** Parallel GetLaunchConfiguration calls. Default 8. */
  concurrency?: number;
  /**
   * The launch template recovery checks (launchTemplates/recoveryValidation); default: `reads.validateLaunches`.
   * Given the launch configurations preflight read.
   */
  launchValidation?: (servers: PreflightLaunchServer[]) => Promise<RecoveryFinding[]>;
}

/** Rules preflight's own launch template check already reports (existence, subnets, security groups). */
const RULES_PREFLIGHT_REPORTS = new Set<RecoveryFindingCode>([
  'launch-template-missing',
  'subnet-missing',
  'security-group-missing',
]);

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index]);
      }
    }),
  );
  return results;
}

function list(ids: string[], max = 5): string {
  return ids.length <= max ? ids.join(', ') : `${ids.slice(0, max).join(', ')} and ${ids.length - max} more`;
}

function settingsDifferences(wanted: GroupLaunchSettings, actual: LaunchConfiguration): string[] {
  const differences: string[] = [];
  const compare = (name: string, want: unknown, have: unknown): void => {
    if (want !== undefined && want !== have) differences.push(`${name}: ${String(have)} → ${String(want)}`);
  };
  compare('launchDisposition', wanted.launchDisposition, actual.launchDisposition);
  compare(
    'targetInstanceTypeRightSizingMethod',
    wanted.targetInstanceTypeRightSizingMethod,
    actual.targetInstanceTypeRightSizingMethod,
  );
  compare('copyPrivateIp', wanted.copyPrivateIp, actual.copyPrivateIp);
  compare('copyTags', wanted.copyTags, actual.copyTags);
  compare('osByol', wanted.osByol, actual.licensing?.osByol);
  compare('postLaunchEnabled', wanted.postLaunchEnabled, actual.postLaunchEnabled);
  return differences;
}

export async function runPreflight(input: PreflightInput): Promise<PreflightReport> {
  const { plan, groups, reads, mode, defaultRegion } = input;
  const limits = input.limits ?? DRS_LIMITS;
  const findings: PreflightFinding[] = [];
  const unchecked: string[] = [];
  // A check that did not run: blocking for a recovery (nothing may be assumed), a warning for a drill.
  const checkFailed = (
    check: string,
    finding: Omit<PreflightFinding, 'severity' | 'code'>,
    severity: FindingSeverity = mode === 'recovery' ? 'error' : 'warning',
  ): void => {
    if (!unchecked.includes(check)) unchecked.push(check);
    findings.push({ ...finding, severity, code: 'check-failed' });
  };
  const groupsByName = new Map(groups.map((group) => [group.name, group]));

  // Groups: existence and account.
  let accountError: Error | undefined;
  const account = await reads.account().catch((error: Error) => ((accountError = error), undefined));
  for (const wave of plan.waves) {
    for (const name of wave.protectionGroups ?? []) {
      if (!groupsByName.has(name)) {
        findings.push({
          severity: 'error',
          code: 'group-missing',
          wave: wave.name,
          group: name,
          message: `Wave "${wave.name}" uses protection group "${name}", which is not in the workspace.`,
          fix: `Create the protection group "${name}" (a *.protection-group.yaml file) or remove it from the wave.`,
        });
      }
    }
  }
  const usedGroups = [...new Set(plan.waves.flatMap((wave) => wave.protectionGroups ?? []))]
    .map((name) => groupsByName.get(name))
    .filter((g): g is ProtectionGroup => Boolean(g));
  const pinned = usedGroups.filter((group) => group.account);
  if (pinned.length && !account) {
    checkFailed('account', {
      message: `The account of the current credentials could not be read${accountError ? `: ${accountError.message}` : ''}, so protection group${pinned.length === 1 ? '' : 's'} ${pinned.map((group) => `"${group.name}"`).join(', ')} could not be checked against account ${[...new Set(pinned.map((group) => group.account))].join(', ')}.`,
      fix: 'Check the credentials and the sts:GetCallerIdentity call (network, endpoint), then run preflight again.',
    });
  }
  for (const group of usedGroups) {
    if (group.account && account && group.account !== account) {
      findings.push({
        severity: 'error',
        code: 'account-mismatch',
        group: group.name,
        message: `Protection group "${group.name}" is for account ${group.account}, but the current credentials are for account ${account}.`,
        fix: `Run the plan with credentials of account ${group.account}: switch to a profile for it, or set the organization's member role (pilotLight.organizations.memberRoleName, user settings) so Pilot Light assumes it there; or correct "account" in the group file.`,
      });
    }
  }

  // Selection.
  const resolution = await resolvePlan(plan, groups, reads, defaultRegion);
  for (const group of resolution.groups) {
    const definition = groupsByName.get(group.group)!;
    if (group.tagSelectorMatchedNothing) {
      const tags = Object.entries(definition.selection.tags ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
      findings.push({
        severity: 'warning',
        code: 'tag-selector-empty',
        group: group.group,
        message: `The tags of protection group "${group.group}" (${tags}) match no source server in ${group.region}.`,
        fix: 'Check the tag keys and values (they are case-sensitive and all must match), or the region of the group.',
      });
    }
    if (group.missingServerIds.length) {
      findings.push({
        severity: 'error',
        code: 'server-missing',
        group: group.group,
        sourceServerIds: group.missingServerIds,
        message: `Protection group "${group.group}" lists source servers that DRS does not know in ${group.region}: ${list(group.missingServerIds)}.`,
        fix: 'Remove these IDs from the group, or check the region and account.',
      });
    }
  }
  const waveOfServer = new Map<string, string[]>();
  for (const wave of resolution.waves) {
    if (wave.missingServerIds.length) {
      findings.push({
        severity: 'error',
        code: 'server-missing',
        wave: wave.wave,
        sourceServerIds: wave.missingServerIds,
        message: `Wave "${wave.wave}" lists source servers that DRS does not know: ${list(wave.missingServerIds)}.`,
        fix: 'Remove these IDs from the wave, or check the region and account.',
      });
    }
    if (wave.servers.length === 0 && wave.missingGroups.length === 0) {
      findings.push({
        severity: 'error',
        code: 'wave-empty',
        wave: wave.wave,
        message: `Wave "${wave.wave}" resolves to no source server.`,
        fix: 'Fix the selection of its protection groups or add sourceServerIds to the wave.',
      });
    }
    for (const server of wave.servers)
      waveOfServer.set(server.sourceServerId, [...(waveOfServer.get(server.sourceServerId) ?? []), wave.wave]);
  }
  for (const [id, waves] of waveOfServer) {
    if (waves.length > 1) {
      findings.push({
        severity: 'error',
        code: 'server-in-several-waves',
        sourceServerIds: [id],
        message: `Source server ${id} is in several waves (${waves.join(', ')}); it would be launched more than once.`,
        fix: "Keep the server in one wave: adjust the groups' tags or the explicit IDs.",
      });
    }
  }
  const allServers = [
    ...new Map(
      resolution.waves.flatMap((wave) => wave.servers).map((server) => [server.sourceServerId, server]),
    ).values(),
  ];

  // Replication health.
  const unhealthy = allServers.filter((server) => server.replicationState !== 'CONTINUOUS');
  const byState = new Map<string, string[]>();
  for (const server of unhealthy)
    byState.set(server.replicationState ?? 'UNKNOWN', [
      ...(byState.get(server.replicationState ?? 'UNKNOWN') ?? []),
      `${server.hostname} (${server.sourceServerId})`,
    ]);
  for (const [state, names] of byState) {
    findings.push({
      severity: 'error',
      code: 'replication-unhealthy',
      sourceServerIds: unhealthy
        .filter((s) => (s.replicationState ?? 'UNKNOWN') === state)
        .map((s) => s.sourceServerId),
      message: `Replication is ${state}, not CONTINUOUS, for ${list(names)}.`,
      fix:
        state === 'STALLED' || state === 'DISCONNECTED'
          ? 'Fix the replication agent or network (see the server in the DRS console), then wait for CONTINUOUS.'
          : 'Wait until replication reaches CONTINUOUS, or remove the server from the plan.',
    });
  }

  // Active jobs, limits.
  const regions = [...new Set([...allServers.map((s) => s.region), defaultRegion])];
  const externalActiveJobs: PreflightReport['externalActiveJobs'] = [];
  const planServerIds = new Set(allServers.map((s) => s.sourceServerId));
  for (const region of regions) {
    let jobs;
    try {
      // DRS jobs end within hours; two days back covers every job that can still be active.
      jobs = await reads.describeJobs(region, { fromDate: new Date(Date.now() - 2 * 86_400_000).toISOString() });
    } catch (error) {
      checkFailed(`active DRS jobs in ${region}`, {
        message: `Active DRS jobs in ${region} could not be listed: ${(error as Error).message}. Servers already in a job and the DRS job limits were not checked.`,
        fix: 'Check the DescribeJobs permission, then run preflight again.',
      });
      continue;
    }
    for (const job of jobs) {
      if (job.status === 'COMPLETED' || !job.jobID) continue;
      const servers = (job.participatingServers ?? [])
        .map((p) => p.sourceServerID)
        .filter((id): id is string => Boolean(id));
      externalActiveJobs.push({ region, jobId: job.jobID, servers: servers.length });
      const overlap = servers.filter((id) => planServerIds.has(id));
      if (overlap.length) {
        findings.push({
          severity: 'error',
          code: 'server-in-active-job',
          sourceServerIds: overlap,
          message: `DRS job ${job.jobID} (${job.type ?? 'job'}, ${job.status}) is still working on ${list(overlap)}.`,
          fix: `Wait for job ${job.jobID} to complete, then run preflight again.`,
        });
      }
    }
  }

  const executionPlan = buildExecutionPlan(plan, resolution, mode, defaultRegion, limits);
  for (const wave of executionPlan.waves) {
    const launch = wave.steps.find((step) => step.kind === 'launch');
    if (launch && launch.kind === 'launch' && launch.jobs.length > 1) {
      findings.push({
        severity: 'info',
        code: 'wave-split',
        wave: wave.name,
        message: `Wave "${wave.name}" has ${wave.servers.length} servers, more than ${limits.maxServersPerJob} per DRS job: it runs as ${launch.jobs.length} jobs (${launch.jobs.map((j) => j.sourceServerIds.length).join(' + ')}).`,
        fix: 'Nothing to do; split the wave yourself if you want a different grouping.',
      });
    }
  }
  const externalJobs = externalActiveJobs.length;
  const externalServers = externalActiveJobs.reduce((sum, job) => sum + job.servers, 0);
  if (executionPlan.peakParallelJobs + externalJobs > limits.maxConcurrentJobs) {
    findings.push({
      severity: 'warning',
      code: 'concurrency-limit',
      message: `Parallel waves would need ${executionPlan.peakParallelJobs} DRS jobs at once${externalJobs ? ` while ${externalJobs} other jobs are active` : ''}; DRS allows ${limits.maxConcurrentJobs}.`,
      fix: 'The runner queues jobs beyond the limit, which lengthens the recovery; add dependsOn between waves or wait for other jobs to finish.',
    });
  }
  if (
    externalServers + Math.min(executionPlan.serverCount, limits.maxServersInActiveJobs) >
      limits.maxServersInActiveJobs &&
    externalServers > 0
  ) {
    findings.push({
      severity: 'warning',
      code: 'active-servers-limit',
      message: `${externalServers} servers are already in active DRS jobs; DRS allows ${limits.maxServersInActiveJobs} across active jobs, so some jobs will wait.`,
      fix: 'Wait for the other jobs to finish for the fastest recovery.',
    });
  }

  // Leftover drill instances.
  for (const region of [...new Set(allServers.map((s) => s.region))]) {
    const ids = allServers.filter((s) => s.region === region).map((s) => s.sourceServerId);
    try {
      const instances = ids.length ? await reads.describeRecoveryInstances(region, { sourceServerIds: ids }) : [];
      const drills = instances.filter((instance) => instance.isDrill && instance.recoveryInstanceID);
      if (drills.length) {
        const recoveryInstanceIds = drills.map((instance) => instance.recoveryInstanceID!);
        findings.push({
          severity: 'warning',
          code: 'leftover-drill-instances',
          sourceServerIds: drills.map((instance) => instance.sourceServerID ?? ''),
          message: `${drills.length} recovery instance${drills.length === 1 ? '' : 's'} from earlier drills still run in ${region} (${list(recoveryInstanceIds)}); they cost money, and a new launch replaces them.`,
          fix: 'Terminate them (offered below) unless you still need them.',
          remediation: {
            kind: 'terminateRecoveryInstances',
            region,
            recoveryInstanceIds,
            label: `Terminate ${drills.length} drill instance${drills.length === 1 ? '' : 's'}`,
          },
        });
      }
    } catch (error) {
      checkFailed(`recovery instances in ${region}`, {
        message: `Recovery instances in ${region} could not be listed: ${(error as Error).message}. Leftover drill instances were not checked.`,
        fix: 'Check the DescribeRecoveryInstances permission, then run preflight again.',
      });
    }
  }

  // Launch configuration: template, settings drift.
  const groupOf = new Map<string, ProtectionGroup>();
  for (const wave of resolution.waves)
    for (const [id, origins] of Object.entries(wave.origins))
      for (const origin of origins)
        if (groupsByName.has(origin) && !groupOf.has(id)) groupOf.set(id, groupsByName.get(origin)!);
  const configurations = await mapLimit(allServers, input.concurrency ?? 8, async (server) => {
    try {
      return { server, configuration: await reads.getLaunchConfiguration(server.region, server.sourceServerId) };
    } catch (error) {
      return { server, error: error as Error };
    }
  });
  const templatesByRegion = new Map<string, Map<string, string[]>>();
  const launchSettingsDrift: LaunchSettingsDrift[] = [];
  for (const { server, configuration, error } of configurations) {
    const label = `${server.hostname} (${server.sourceServerId})`;
    if (error || !configuration) {
      checkFailed(
        `launch configuration of ${server.sourceServerId}`,
        {
          sourceServerIds: [server.sourceServerId],
          message: `The launch configuration of ${label} could not be read: ${error?.message ?? 'empty answer'}.`,
          fix: 'Check the drs:GetLaunchConfiguration permission and the server, then run preflight again.',
        },
        'error',
      );
      continue;
    }
    const templateId = configuration.ec2LaunchTemplateID;
    if (!templateId) {
      findings.push({
        severity: 'error',
        code: 'launch-template-missing',
        sourceServerIds: [server.sourceServerId],
        message: `${label} has no EC2 launch template in its DRS launch configuration.`,
        fix: 'Open the server in the DRS console and save its launch settings, which creates the template.',
      });
    } else {
      const perRegion = templatesByRegion.get(server.region) ?? new Map<string, string[]>();
      perRegion.set(templateId, [...(perRegion.get(templateId) ?? []), server.sourceServerId]);
      templatesByRegion.set(server.region, perRegion);
    }
    const group = groupOf.get(server.sourceServerId);
    if (group?.launchSettings) {
      const differences = settingsDifferences(group.launchSettings, configuration);
      if (differences.length)
        launchSettingsDrift.push({
          region: server.region,
          sourceServerId: server.sourceServerId,
          group: group.name,
          settings: group.launchSettings,
          differences,
        });
    }
  }
  for (const [region, templates] of templatesByRegion) {
    let checks;
    try {
      checks = await reads.checkLaunchTemplates(region, [...templates.keys()]);
    } catch (error) {
      checkFailed(`launch templates in ${region}`, {
        sourceServerIds: [...templates.values()].flat(),
        message: `Launch templates in ${region} could not be checked: ${(error as Error).message}. Whether they exist and reference existing subnets and security groups is unknown.`,
        fix: 'Check the ec2:DescribeLaunchTemplates permission, then run preflight again.',
      });
      continue;
    }
    for (const check of checks) {
      const servers = templates.get(check.launchTemplateId) ?? [];
      if (!check.exists) {
        findings.push({
          severity: 'error',
          code: 'launch-template-missing',
          sourceServerIds: servers,
          message: `Launch template ${check.launchTemplateId}, used by ${list(servers)}, does not exist in ${region}.`,
          fix: 'Recreate the launch settings of these servers in DRS (which creates a new template), or point their launch configuration at an existing template.',
        });
      } else if (check.problems.length) {
        findings.push({
          severity: 'error',
          code: 'launch-template-invalid',
          sourceServerIds: servers,
          message: check.problems.join(' '),
          fix: `Edit launch template ${check.launchTemplateId} (a new default version) so it only references existing subnets and security groups.`,
        });
      }
    }
  }
  const driftByGroup = new Map<string, LaunchSettingsDrift[]>();
  for (const drift of launchSettingsDrift)
    driftByGroup.set(drift.group, [...(driftByGroup.get(drift.group) ?? []), drift]);
  for (const [group, drifts] of driftByGroup) {
    findings.push({
      severity: 'info',
      code: 'launch-settings-drift',
      group,
      sourceServerIds: drifts.map((d) => d.sourceServerId),
      message: `${drifts.length} server${drifts.length === 1 ? '' : 's'} of group "${group}" have DRS launch settings that differ from the group (${[...new Set(drifts.flatMap((d) => d.differences))].join('; ')}).`,
      fix: "The runner applies the group's launch settings before the wave launches; apply them now to check the result first.",
      remediation: {
        kind: 'applyLaunchSettings',
        region: drifts[0].region,
        sourceServerIds: drifts.map((d) => d.sourceServerId),
        settings: drifts[0].settings,
        label: 'Apply launch settings now',
      },
    });
  }

  // Launch recovery rules (the editor's and the bulk change's checks), on the configurations read above.
  const launchValidation =
    input.launchValidation ??
    (reads.validateLaunches ? (servers: PreflightLaunchServer[]) => reads.validateLaunches!(servers) : undefined);
  const validated = configurations.filter((entry) => entry.configuration?.ec2LaunchTemplateID);
  if (!launchValidation) {
    if (validated.length)
      checkFailed('launch recovery rules', {
        sourceServerIds: validated.map((entry) => entry.server.sourceServerId),
        message:
          'The launch recovery rules (default version, instance type offered in the AZ, private IP, device names…) are not available with these reads, so they did not run.',
        fix: 'Run preflight from Pilot Light (command, MCP dr_preflight or the runner), which reads through the operation runner.',
      });
  } else if (validated.length) {
    try {
      const results = await launchValidation(
        validated.map(({ server, configuration }) => ({
          sourceServerId: server.sourceServerId,
          region: server.region,
          hostname: server.hostname,
          launchConfiguration: configuration,
        })),
      );
      for (const finding of results) {
        if (RULES_PREFLIGHT_REPORTS.has(finding.code)) continue;
        const base = {
          sourceServerIds: [finding.sourceServerId],
          message: finding.message,
          fix: finding.fix,
          launchRule: finding.code,
        };
        if (finding.code === 'check-not-run') checkFailed(`launch recovery rules of ${finding.sourceServerId}`, base);
        else findings.push({ ...base, severity: finding.severity, code: 'launch-template-invalid' });
      }
    } catch (error) {
      checkFailed('launch recovery rules', {
        sourceServerIds: validated.map((entry) => entry.server.sourceServerId),
        message: `Launch templates could not be validated for recovery: ${(error as Error).message}`,
        fix: 'Check the EC2 and DRS read permissions, then run preflight again.',
        launchRule: 'check-not-run',
      });
    }
  }

  // SSM documents.
  const documents = new Map<string, { region: string; version?: string; waves: string[] }>();
  for (const wave of executionPlan.waves) {
    for (const step of wave.steps) {
      if (step.kind !== 'action' || step.action.type !== 'ssmAutomation') continue;
      const key = `${step.region}|${step.action.documentName}|${step.action.documentVersion ?? ''}`;
      const entry = documents.get(key) ?? { region: step.region, version: step.action.documentVersion, waves: [] };
      entry.waves.push(wave.name);
      documents.set(key, entry);
    }
  }
  for (const [key, entry] of documents) {
    const name = key.split('|')[1];
    try {
      const document = await reads.describeDocument(entry.region, name, entry.version);
      if (!document) {
        findings.push({
          severity: 'error',
          code: 'ssm-document-missing',
          wave: entry.waves[0],
          message: `SSM document "${name}"${entry.version ? ` version ${entry.version}` : ''}, used by wave ${[...new Set(entry.waves)].join(', ')}, does not exist in ${entry.region}.`,
          fix: 'Create the Automation document (or share it with this account), or correct documentName in the plan.',
        });
      } else if (document.DocumentType && document.DocumentType !== 'Automation') {
        findings.push({
          severity: 'error',
          code: 'ssm-document-wrong-type',
          wave: entry.waves[0],
          message: `SSM document "${name}" is a ${document.DocumentType} document, not an Automation runbook.`,
          fix: 'Use an Automation document for wave actions (Command documents run through an Automation step such as aws:runCommand).',
        });
      }
    } catch (error) {
      checkFailed(`SSM document ${name} in ${entry.region}`, {
        wave: entry.waves[0],
        message: `SSM document "${name}" could not be checked: ${(error as Error).message}`,
        fix: 'Check the ssm:DescribeDocument permission, then run preflight again.',
      });
    }
  }

  // AWS Backup recovery points of backupRestore actions.
  for (const wave of executionPlan.waves) {
    for (const step of wave.steps) {
      if (step.kind !== 'action' || step.action.type !== 'backupRestore') continue;
      const { backupVaultName, recoveryPointArn } = step.action;
      const check = `recovery point ${recoveryPointArn} in ${step.region}`;
      if (!reads.describeRecoveryPoint) {
        checkFailed(check, {
          wave: wave.name,
          message: `Recovery point ${recoveryPointArn} was not checked: this preflight cannot read AWS Backup.`,
          fix: 'Run preflight from the extension, the CLI or MCP (they read through the operation runner).',
        });
        continue;
      }
      try {
        const point = await reads.describeRecoveryPoint(step.region, backupVaultName, recoveryPointArn);
        if (!point) {
          findings.push({
            severity: 'error',
            code: 'recovery-point-missing',
            wave: wave.name,
            message: `Recovery point ${recoveryPointArn} (action ${step.label} of wave ${wave.name}) does not exist in backup vault ${backupVaultName} in ${step.region}.`,
            fix: 'Pick an existing recovery point of the vault (AWS Backup view in the explorer), or correct backupVaultName.',
          });
        } else if (point.status && point.status !== 'COMPLETED') {
          findings.push({
            severity: 'error',
            code: 'recovery-point-unusable',
            wave: wave.name,
            message: `Recovery point ${recoveryPointArn} (action ${step.label} of wave ${wave.name}) is ${point.status}, not COMPLETED.`,
            fix: 'Use a completed recovery point.',
          });
        }
      } catch (error) {
        checkFailed(check, {
          wave: wave.name,
          message: `Recovery point ${recoveryPointArn} could not be checked: ${(error as Error).message}`,
          fix: 'Check the backup:DescribeRecoveryPoint permission, then run preflight again.',
        });
      }
    }
  }

  const order: Record<FindingSeverity, number> = { error: 0, warning: 1, info: 2 };
  findings.sort((a, b) => order[a.severity] - order[b.severity]);
  return {
    planName: plan.name,
    mode,
    checkedAt: new Date().toISOString(),
    ok: !findings.some((finding) => finding.severity === 'error'),
    findings,
    resolution,
    executionPlan,
    externalActiveJobs,
    launchSettingsDrift,
    unchecked,
  };
}

export function formatFindings(report: PreflightReport): string {
  if (report.findings.length === 0) return `Preflight of "${report.planName}": no findings.`;
  return [
    `Preflight of "${report.planName}" (${report.mode}): ${preflightVerdict(report)}${report.unchecked?.length ? ` (${report.unchecked.length} check(s) did not run)` : ''}`,
    ...report.findings.map((f) => `- [${f.severity}] ${f.message} Fix: ${f.fix}`),
  ].join('\n');
}

/**
 * Carries out a finding's remediation through the gateway (so guardrails and the audit trail apply).
 * Terminating recovery instances returns the TERMINATE job IDs; follow them with DescribeJobs.
 */
export async function runRemediation(
  remediation: Remediation,
  gateway: DrActionGateway,
  context: Omit<DrCallContext, 'reason'> & { reason?: string },
): Promise<{ jobIds: string[]; updated: string[] }> {
  if (remediation.kind === 'terminateRecoveryInstances') {
    const jobIds: string[] = [];
    const batch = gateway.terminateBatchSize ?? 100;
    for (let i = 0; i < remediation.recoveryInstanceIds.length; i += batch) {
      const { job } = await gateway.terminateRecoveryInstances(
        { region: remediation.region, recoveryInstanceIds: remediation.recoveryInstanceIds.slice(i, i + batch) },
        {
          ...context,
          reason:
            context.reason ??
            `Preflight: terminate ${remediation.recoveryInstanceIds.length} leftover drill instance(s)`,
        },
      );
      if (job.jobID) jobIds.push(job.jobID);
    }
    return { jobIds, updated: [] };
  }
  const updated: string[] = [];
  for (const sourceServerId of remediation.sourceServerIds) {
    await gateway.updateLaunchConfiguration(
      { region: remediation.region, sourceServerId, settings: remediation.settings },
      { ...context, reason: context.reason ?? "Preflight: apply the protection group's launch settings" },
    );
    updated.push(sourceServerId);
  }
  return { jobIds: [], updated };
}

/** A Markdown report of a preflight: verdict, the execution plan, and every finding with its fix. */
export function renderPreflightMarkdown(report: PreflightReport): string {
  const icon: Record<FindingSeverity, string> = { error: '⛔', warning: '⚠️', info: 'ℹ️' };
  const count = (severity: FindingSeverity) => report.findings.filter((f) => f.severity === severity).length;
  const plan = report.executionPlan;
  const lines = [
    `# Preflight: ${report.planName} (${report.mode})`,
    '',
    preflightVerdict(report) === 'ready'
      ? `**Ready.** ${count('warning')} warning(s), ${count('info')} note(s). Checked ${report.checkedAt}.`
      : report.ok
        ? `**Not fully checked:** ${report.unchecked.length} check(s) could not run (${list(report.unchecked, 3)}); the drill may start, but this preflight is not clean. ${count('warning')} warning(s). Checked ${report.checkedAt}.`
        : `**Blocked:** ${count('error')} problem(s) must be fixed before the plan can run; ${count('warning')} warning(s). Checked ${report.checkedAt}.`,
    '',
    `${plan.waves.length} wave(s), ${plan.serverCount} server(s), ${plan.jobCount} DRS job(s)${plan.rtoMinutes !== undefined ? `, RTO target ${plan.rtoMinutes} min` : ''}.`,
    '',
    '| Wave | Depends on | Servers | Jobs |',
    '| --- | --- | --- | --- |',
    ...plan.waves.map((wave) => {
      const jobs = wave.steps.reduce((sum, step) => sum + (step.kind === 'launch' ? step.jobs.length : 0), 0);
      const servers = wave.servers.map((s) => s.hostname || s.sourceServerId);
      return `| ${wave.name} | ${wave.dependsOn.join(', ') || '—'} | ${servers.length}${servers.length ? ` (${list(servers, 4)})` : ''} | ${jobs} |`;
    }),
    '',
  ];
  if (report.findings.length === 0) {
    lines.push('No findings.', '');
    return lines.join('\n');
  }
  lines.push('## Findings', '');
  report.findings.forEach((finding, index) => {
    const where = [finding.wave && `wave ${finding.wave}`, finding.group && `group ${finding.group}`]
      .filter(Boolean)
      .join(', ');
    lines.push(
      `### ${index + 1}. ${icon[finding.severity]} ${finding.severity}: ${finding.code}${finding.launchRule ? ` · ${finding.launchRule}` : ''}${where ? ` (${where})` : ''}`,
      '',
    );
    lines.push(`**What is wrong:** ${finding.message}`, '');
    lines.push(`**How to fix:** ${finding.fix}`, '');
    if (finding.sourceServerIds?.length)
      lines.push(`Source servers: ${finding.sourceServerIds.map((id) => `\`${id}\``).join(', ')}`, '');
    if (finding.remediation)
      lines.push(`**Offered fix:** ${finding.remediation.label} (asks for confirmation first).`, '');
  });
  return lines.join('\n');
}
