/** The DRS API operations the emulator answers, with the validation and errors DRS applies. */
import type { EC2InstanceState } from '@aws-sdk/client-drs';
import type { EmulatorClock } from './clock';
import type { Ec2Launcher } from './ec2Launcher';
import { conflict, DrsError, fieldError, notFound, quotaExceeded, validationError } from './errors';
import type { FaultRegistry } from './faults';
import { JOB_ID_PATTERN, parseDrsArn, RECOVERY_INSTANCE_ID_PATTERN, SOURCE_SERVER_ID_PATTERN } from './ids';
import type { JobRunner } from './jobs';
import {
  toWireJob,
  toWireJobLog,
  toWireLaunchConfiguration,
  toWireRecoveryInstance,
  toWireSourceServer,
  type SourceServerRecord,
} from './model';
import type { DrsStore, RegionState } from './state';
import {
  isObject,
  isoDateOf,
  maxResultsOf,
  objectField,
  optionalBoolean,
  optionalEnum,
  optionalString,
  optionalStringList,
  paginate,
  requiredString,
  requiredStringList,
  tagsOf,
  type JsonObject,
} from './validation';

/** Service quotas DRS enforces on recovery jobs. */
export const DRS_LIMITS = {
  serversPerStartRecovery: 200,
  concurrentJobs: 20,
  serversInActiveJobs: 500,
};

export interface OperationContext {
  region: RegionState;
  store: DrsStore;
  clock: EmulatorClock;
  faults: FaultRegistry;
  runner: JobRunner;
  launcher: Ec2Launcher;
  defaultPageSize: number;
  /** Path parameter of /tags/{resourceArn}, decoded. */
  resourceArn?: string;
  /** Query parameters (UntagResource's tagKeys). */
  query: URLSearchParams;
}

export interface OperationResult {
  status: number;
  body?: unknown;
}

export type Operation = (input: JsonObject, ctx: OperationContext) => Promise<OperationResult>;

const ok = (body?: unknown): OperationResult => ({ status: 200, body });

function requireSourceServer(ctx: OperationContext, sourceServerID: string): SourceServerRecord {
  const server = ctx.region.sourceServers.get(sourceServerID);
  if (!server) throw notFound('SOURCE_SERVER', sourceServerID, `Source server ${sourceServerID} not found`);
  return server;
}

/** Refuses work on a server that another unfinished job (or an injected fault) holds. */
function assertNotBusy(ctx: OperationContext, sourceServerID: string): void {
  const job = ctx.region.activeJobFor(sourceServerID);
  if (job || ctx.faults.takeConflict(sourceServerID)) {
    const by = job ? ` (${job.jobID})` : '';
    throw conflict(sourceServerID, `Source server ${sourceServerID} is being processed by another job${by}`);
  }
}

const describeSourceServers: Operation = async (input, ctx) => {
  const filters = objectField(input, 'filters') ?? {};
  const ids = optionalStringList(
    filters,
    'sourceServerIDs',
    { pattern: SOURCE_SERVER_ID_PATTERN, maxItems: 200 },
    'filters.sourceServerIDs',
  );
  const hardwareId = optionalString(filters, 'hardwareId', { maxLength: 256 }, 'filters.hardwareId');
  const stagingAccounts = optionalStringList(
    filters,
    'stagingAccountIDs',
    { pattern: /^[0-9]{12}$/, maxItems: 200 },
    'filters.stagingAccountIDs',
  );
  const maxResults = maxResultsOf(input);
  const nextToken = optionalString(input, 'nextToken', { maxLength: 2048 });

  const idSet = ids && ids.length > 0 ? new Set(ids) : undefined;
  const matching = [...ctx.region.sourceServers.values()].filter(
    (s) =>
      (!idSet || idSet.has(s.sourceServerID)) &&
      (hardwareId === undefined || s.hardwareId === hardwareId) &&
      (!stagingAccounts ||
        stagingAccounts.length === 0 ||
        (s.stagingAccountID !== undefined && stagingAccounts.includes(s.stagingAccountID))),
  );
  const { page, nextToken: next } = paginate(
    matching,
    'DescribeSourceServers',
    nextToken,
    maxResults,
    ctx.defaultPageSize,
  );
  const now = ctx.clock.now();
  return ok({ items: page.map((s) => toWireSourceServer(s, now)), ...(next ? { nextToken: next } : {}) });
};

const startRecovery: Operation = async (input, ctx) => {
  const list = input.sourceServers;
  if (list === undefined || list === null) throw fieldError('sourceServers', 'null', 'Member must not be null');
  if (!Array.isArray(list)) throw fieldError('sourceServers', list, 'Member must be a list');
  if (list.length < 1) throw fieldError('sourceServers', '[]', 'Member must have length greater than or equal to 1');
  if (list.length > DRS_LIMITS.serversPerStartRecovery) {
    throw fieldError(
      'sourceServers',
      `${list.length} items`,
      `Member must have length less than or equal to ${DRS_LIMITS.serversPerStartRecovery}`,
    );
  }
  const ids = list.map((entry, index) => {
    const path = `sourceServers.${index + 1}.member`;
    if (!isObject(entry)) throw fieldError(path, entry, 'Member must be a structure');
    optionalString(entry, 'recoverySnapshotID', { pattern: /^pit-[0-9a-zA-Z]{17}$/ }, `${path}.recoverySnapshotID`);
    return requiredString(entry, 'sourceServerID', { pattern: SOURCE_SERVER_ID_PATTERN }, `${path}.sourceServerID`);
  });
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate)
    throw validationError(`Source server ${duplicate} appears more than once in the request`, 'fieldValidationFailed');
  const isDrill = optionalBoolean(input, 'isDrill') ?? false;
  const tags = tagsOf(input, 'tags', false) ?? {};

  const servers = ids.map((id) => requireSourceServer(ctx, id));
  for (const id of ids) assertNotBusy(ctx, id);
  const active = ctx.region.activeJobs();
  if (active.length >= DRS_LIMITS.concurrentJobs) {
    throw quotaExceeded(`Cannot start more than ${DRS_LIMITS.concurrentJobs} concurrent jobs`, 'concurrent-jobs');
  }
  const busyServers = active.reduce((sum, job) => sum + job.participatingServers.length, 0);
  if (busyServers + ids.length > DRS_LIMITS.serversInActiveJobs) {
    throw quotaExceeded(
      `Cannot have more than ${DRS_LIMITS.serversInActiveJobs} source servers in active jobs (${busyServers} already are)`,
      'servers-in-active-jobs',
      'SOURCE_SERVER',
    );
  }
  const job = ctx.runner.startLaunchJob(ctx.region, servers, isDrill, tags);
  return { status: 202, body: { job: toWireJob(job) } };
};

const describeJobs: Operation = async (input, ctx) => {
  const filters = objectField(input, 'filters') ?? {};
  const ids = optionalStringList(filters, 'jobIDs', { pattern: JOB_ID_PATTERN, maxItems: 1000 }, 'filters.jobIDs');
  const from = isoDateOf(filters, 'fromDate', 'filters.fromDate');
  const to = isoDateOf(filters, 'toDate', 'filters.toDate');
  const maxResults = maxResultsOf(input);
  const nextToken = optionalString(input, 'nextToken', { maxLength: 2048 });
  const idSet = ids && ids.length > 0 ? new Set(ids) : undefined;
  const matching = [...ctx.region.jobs.values()].filter(
    (job) =>
      (!idSet || idSet.has(job.jobID)) &&
      (!from || job.createdAt.getTime() >= from.getTime()) &&
      (!to || job.createdAt.getTime() <= to.getTime()),
  );
  const { page, nextToken: next } = paginate(matching, 'DescribeJobs', nextToken, maxResults, ctx.defaultPageSize);
  return ok({ items: page.map(toWireJob), ...(next ? { nextToken: next } : {}) });
};

const describeJobLogItems: Operation = async (input, ctx) => {
  const jobID = requiredString(input, 'jobID', { pattern: JOB_ID_PATTERN });
  const maxResults = maxResultsOf(input);
  const nextToken = optionalString(input, 'nextToken', { maxLength: 2048 });
  const job = ctx.region.jobs.get(jobID);
  if (!job) throw notFound('JOB', jobID, `Job ${jobID} not found`);
  const { page, nextToken: next } = paginate(
    job.log,
    `DescribeJobLogItems:${jobID}`,
    nextToken,
    maxResults,
    ctx.defaultPageSize,
  );
  return ok({ items: page.map(toWireJobLog), ...(next ? { nextToken: next } : {}) });
};

const describeRecoveryInstances: Operation = async (input, ctx) => {
  const filters = objectField(input, 'filters') ?? {};
  const ids = optionalStringList(
    filters,
    'recoveryInstanceIDs',
    { pattern: RECOVERY_INSTANCE_ID_PATTERN, maxItems: 200 },
    'filters.recoveryInstanceIDs',
  );
  const serverIds = optionalStringList(
    filters,
    'sourceServerIDs',
    { pattern: SOURCE_SERVER_ID_PATTERN, maxItems: 200 },
    'filters.sourceServerIDs',
  );
  const maxResults = maxResultsOf(input);
  const nextToken = optionalString(input, 'nextToken', { maxLength: 2048 });
  const idSet = ids && ids.length > 0 ? new Set(ids) : undefined;
  const serverSet = serverIds && serverIds.length > 0 ? new Set(serverIds) : undefined;
  const matching = [...ctx.region.recoveryInstances.values()].filter(
    (ri) => (!idSet || idSet.has(ri.recoveryInstanceID)) && (!serverSet || serverSet.has(ri.sourceServerID)),
  );
  const { page, nextToken: next } = paginate(
    matching,
    'DescribeRecoveryInstances',
    nextToken,
    maxResults,
    ctx.defaultPageSize,
  );
  let states: Map<string, EC2InstanceState>;
  try {
    states = await ctx.launcher.describeStates(
      ctx.region.region,
      page.map((ri) => ri.ec2InstanceID),
      ctx.region.accountId,
    );
  } catch (error) {
    throw new DrsError('InternalServerException', `Could not read recovery instance state from EC2: ${String(error)}`);
  }
  return ok({
    items: page.map((ri) => toWireRecoveryInstance(ri, states.get(ri.ec2InstanceID) ?? 'NOT_FOUND')),
    ...(next ? { nextToken: next } : {}),
  });
};

const terminateRecoveryInstances: Operation = async (input, ctx) => {
  const ids = requiredStringList(input, 'recoveryInstanceIDs', {
    pattern: RECOVERY_INSTANCE_ID_PATTERN,
    minItems: 1,
    maxItems: 200,
  });
  const unique = [...new Set(ids)];
  const instances = unique.map((id) => {
    const instance = ctx.region.recoveryInstances.get(id);
    if (!instance) throw notFound('RECOVERY_INSTANCE', id, `Recovery instance ${id} not found`);
    return instance;
  });
  for (const instance of instances) assertNotBusy(ctx, instance.sourceServerID);
  const job = ctx.runner.startTerminateJob(ctx.region, instances);
  return ok({ job: toWireJob(job) });
};

const getLaunchConfiguration: Operation = async (input, ctx) => {
  const id = requiredString(input, 'sourceServerID', { pattern: SOURCE_SERVER_ID_PATTERN });
  return ok(toWireLaunchConfiguration(requireSourceServer(ctx, id)));
};

const updateLaunchConfiguration: Operation = async (input, ctx) => {
  const id = requiredString(input, 'sourceServerID', { pattern: SOURCE_SERVER_ID_PATTERN });
  const name = optionalString(input, 'name', { minLength: 0, maxLength: 256 });
  const launchDisposition = optionalEnum(input, 'launchDisposition', ['STOPPED', 'STARTED'] as const);
  const rightSizing = optionalEnum(input, 'targetInstanceTypeRightSizingMethod', ['NONE', 'BASIC', 'IN_AWS'] as const);
  const copyPrivateIp = optionalBoolean(input, 'copyPrivateIp');
  const copyTags = optionalBoolean(input, 'copyTags');
  const postLaunchEnabled = optionalBoolean(input, 'postLaunchEnabled');
  const licensing = objectField(input, 'licensing');
  const osByol = licensing ? optionalBoolean(licensing, 'osByol') : undefined;
  const launchInto = objectField(input, 'launchIntoInstanceProperties');
  const launchIntoId = launchInto
    ? optionalString(
        launchInto,
        'launchIntoEC2InstanceID',
        { pattern: RECOVERY_INSTANCE_ID_PATTERN },
        'launchIntoInstanceProperties.launchIntoEC2InstanceID',
      )
    : undefined;

  const server = requireSourceServer(ctx, id);
  // DRS refuses to change launch settings of a server another job holds (ConflictException).
  assertNotBusy(ctx, id);
  const settings = server.launchSettings;
  if (name !== undefined) settings.name = name;
  if (launchDisposition) settings.launchDisposition = launchDisposition;
  if (rightSizing) settings.targetInstanceTypeRightSizingMethod = rightSizing;
  if (copyPrivateIp !== undefined) settings.copyPrivateIp = copyPrivateIp;
  if (copyTags !== undefined) settings.copyTags = copyTags;
  if (postLaunchEnabled !== undefined) settings.postLaunchEnabled = postLaunchEnabled;
  if (osByol !== undefined) settings.licensing.osByol = osByol;
  if (launchInto) settings.launchIntoEC2InstanceID = launchIntoId;
  return ok(toWireLaunchConfiguration(server));
};

/** Finds the tags map of the resource an ARN names. */
function taggable(ctx: OperationContext): Record<string, string> & object {
  const arn = ctx.resourceArn ?? '';
  if (arn.length < 20 || arn.length > 2048)
    throw fieldError('resourceArn', arn, 'Member must have length between 20 and 2048');
  const parsed = parseDrsArn(arn);
  if (!parsed)
    throw validationError(`Invalid resource ARN: ${arn}`, 'fieldValidationFailed', [
      { name: 'resourceArn', message: 'Invalid ARN' },
    ]);
  const region = ctx.store.region(parsed.region);
  const resource =
    parsed.kind === 'source-server'
      ? region.sourceServers.get(parsed.id)
      : parsed.kind === 'job'
        ? region.jobs.get(parsed.id)
        : region.recoveryInstances.get(parsed.id);
  if (!resource || resource.arn !== arn)
    throw notFound(parsed.kind.toUpperCase().replace('-', '_'), arn, `Resource ${arn} not found`);
  return resource.tags;
}

const listTagsForResource: Operation = async (_input, ctx) => ok({ tags: { ...taggable(ctx) } });

const tagResource: Operation = async (input, ctx) => {
  const tags = tagsOf(input, 'tags', true)!;
  const target = taggable(ctx);
  if (Object.keys({ ...target, ...tags }).length > 50)
    throw validationError('A resource can have at most 50 tags', 'fieldValidationFailed');
  Object.assign(target, tags);
  return ok();
};

const untagResource: Operation = async (_input, ctx) => {
  const keys = ctx.query.getAll('tagKeys');
  if (keys.length === 0) throw fieldError('tagKeys', 'null', 'Member must not be null');
  const target = taggable(ctx);
  for (const key of keys) delete target[key];
  return ok();
};

export const OPERATIONS = {
  DescribeSourceServers: describeSourceServers,
  StartRecovery: startRecovery,
  DescribeJobs: describeJobs,
  DescribeJobLogItems: describeJobLogItems,
  DescribeRecoveryInstances: describeRecoveryInstances,
  TerminateRecoveryInstances: terminateRecoveryInstances,
  GetLaunchConfiguration: getLaunchConfiguration,
  UpdateLaunchConfiguration: updateLaunchConfiguration,
  ListTagsForResource: listTagsForResource,
  TagResource: tagResource,
  UntagResource: untagResource,
} satisfies Record<string, Operation>;

export type OperationName = keyof typeof OPERATIONS;

/** Maps an HTTP method and path to the operation restJson1 binds there. */
export function resolveOperation(
  method: string,
  path: string,
): { name: OperationName; resourceArn?: string } | undefined {
  const tagsMatch = /^\/tags\/([^/]+)$/.exec(path);
  if (tagsMatch) {
    let resourceArn: string;
    try {
      resourceArn = decodeURIComponent(tagsMatch[1]);
    } catch {
      return undefined;
    }
    if (method === 'GET') return { name: 'ListTagsForResource', resourceArn };
    if (method === 'POST') return { name: 'TagResource', resourceArn };
    if (method === 'DELETE') return { name: 'UntagResource', resourceArn };
    return undefined;
  }
  if (method !== 'POST') return undefined;
  const name = path.slice(1);
  return name in OPERATIONS && name !== 'ListTagsForResource' && name !== 'TagResource' && name !== 'UntagResource'
    ? { name: name as OperationName }
    : undefined;
}
