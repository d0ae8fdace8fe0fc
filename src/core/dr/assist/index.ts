/**
 * DR assistance for chat, commands and MCP: runbooks, troubleshooting and configuration from requirements.
 * Plain Node; live data only through the registered read operations (a DrReads such as OperationDrReads).
 */
import { z } from 'zod';
import { REGION_PATTERN } from '../model';
import { parsePlan } from '../parse';
import { buildExecutionPlan } from '../planner';
import { resolvePlan, type PlanResolution } from '../selection';
import type { DrReads } from '../aws';
import type { ProtectionGroup, RecoveryPlan } from '../model';
import { buildRunbook, errorCode, readRunbookLiveState, type RunbookReads } from './runbook';
import { explainJob, explainReplication } from './troubleshoot';
import { loadDrWorkspace, usableDocuments } from '../workspace';

export * from './runbook';
export * from './troubleshoot';
export * from './requirements';

const sourceServerId = z.string().regex(/^s-[0-9a-zA-Z]{17}$/);
const region = z.string().regex(new RegExp(REGION_PATTERN));

/** Inputs of the assistance tools, for MCP and LM tool wiring. */
export const runbookInputSchema = z.object({
  planName: z.string().min(1).max(128),
  mode: z.enum(['drill', 'recovery']).default('drill'),
});
export const explainReplicationInputSchema = z.object({ sourceServerId, region });
export const explainJobInputSchema = z.object({ jobId: z.string().regex(/^drsjob-[0-9a-zA-Z]{17}$/), region });

/** Resolves the plan's servers (live), reads their state and builds the runbook Markdown. */
export async function generateRunbook(options: {
  plan: RecoveryPlan;
  groups: ProtectionGroup[];
  reads: DrReads & RunbookReads;
  defaultRegion: string;
  mode?: 'drill' | 'recovery';
  generatedAt?: Date;
}): Promise<string> {
  let resolution: PlanResolution;
  let resolveProblem: string | undefined;
  try {
    resolution = await resolvePlan(options.plan, options.groups, options.reads, options.defaultRegion);
  } catch (error) {
    resolveProblem = errorCode(error);
    resolution = { waves: [], groups: [], inventory: {} };
  }
  const plan = buildExecutionPlan(options.plan, resolution, options.mode ?? 'drill', options.defaultRegion);
  const live = await readRunbookLiveState(plan, options.reads);
  const text = buildRunbook({
    plan,
    groups: options.groups.filter((group) =>
      options.plan.waves.some((wave) => wave.protectionGroups?.includes(group.name)),
    ),
    live,
    generatedAt: options.generatedAt,
  });
  return resolveProblem
    ? text.replace(
        /\n## Targets/,
        `\n> Servers: could not read: \`${resolveProblem}\` (the server lists below are empty for that reason).\n\n## Targets`,
      )
    : text;
}

/** Runbook from a plan file's text; throws a clear error when the file does not parse. */
export async function generateRunbookFromText(
  planText: string,
  options: {
    groups: ProtectionGroup[];
    reads: DrReads & RunbookReads;
    defaultRegion: string;
    mode?: 'drill' | 'recovery';
  },
): Promise<string> {
  const parsed = parsePlan(planText);
  if (!parsed.document)
    throw new Error(
      `The recovery plan does not parse: ${parsed.diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => d.message)
        .slice(0, 5)
        .join('; ')}`,
    );
  return generateRunbook({ plan: parsed.document, ...options });
}

/** Runbook for a plan of a workspace folder by name (what an MCP tool or chat gets: a plan name, not a file). */
export async function generateRunbookForWorkspace(
  root: string,
  input: z.input<typeof runbookInputSchema>,
  options: { reads: DrReads & RunbookReads; defaultRegion: string },
): Promise<string> {
  const { planName, mode } = runbookInputSchema.parse(input);
  const workspace = await loadDrWorkspace(root);
  const { groups, plans } = usableDocuments(workspace);
  const plan = plans.find((candidate) => candidate.name === planName);
  if (!plan) {
    const broken = workspace.plans.some((file) => !file.result.document);
    throw new Error(
      `No usable recovery plan named "${planName}" in the workspace${broken ? ' (some plan files have errors: fix them first)' : ''}. Plans: ${
        plans
          .map((p) => p.name)
          .slice(0, 20)
          .join(', ') || 'none'
      }.`,
    );
  }
  return generateRunbook({ plan, groups, reads: options.reads, defaultRegion: options.defaultRegion, mode });
}

/** Reads the source server (registered read) and explains its replication; a failed read is reported, not thrown. */
export async function explainReplicationLive(
  reads: Pick<DrReads, 'listSourceServers'>,
  input: z.input<typeof explainReplicationInputSchema>,
): Promise<string> {
  const { sourceServerId: id, region: where } = explainReplicationInputSchema.parse(input);
  let servers;
  try {
    servers = await reads.listSourceServers(where, [id]);
  } catch (error) {
    return `# Replication of ${id}\n\nCould not read: \`${errorCode(error)}\`\n`;
  }
  const server = servers.find((item) => item.sourceServerID === id);
  return server
    ? explainReplication(server, where)
    : `# Replication of ${id}\n\nThe source server ${id} was not found in ${where}.\n`;
}

/** Reads the job and its log (registered reads) and explains why it failed. */
export async function explainJobLive(
  reads: Pick<DrReads, 'describeJobs' | 'describeJobLogItems'>,
  input: z.input<typeof explainJobInputSchema>,
): Promise<string> {
  const { jobId, region: where } = explainJobInputSchema.parse(input);
  let job;
  try {
    job = (await reads.describeJobs(where, { jobIds: [jobId] })).find((item) => item.jobID === jobId);
  } catch (error) {
    return `# Job ${jobId}\n\nCould not read: \`${errorCode(error)}\`\n`;
  }
  if (!job) return `# Job ${jobId}\n\nThe job ${jobId} was not found in ${where}.\n`;
  try {
    return explainJob(job, await reads.describeJobLogItems(where, jobId), where);
  } catch (error) {
    return `${explainJob(job, [], where)}\nJob log: could not read: \`${errorCode(error)}\`\n`;
  }
}
