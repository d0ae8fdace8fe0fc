/**
 * Drift of one CloudFormation stack against a template, computed by us: the stack's parameters and
 * physical IDs (DescribeStacks, ListStackResources), one live read per resource type, intrinsic evaluation,
 * then the property comparison. CloudFormation's own DetectStackDrift is an optional second source.
 */
import type { ResourceReads } from '../../resources/model';
import { evaluateTemplate } from '../cloudformation/evaluate';
import { compareResource, type PropertyDrift } from './compare';
import { liveKey, readLive, supportOf, type LiveResource } from './live';
import { isRecord, Unresolved } from './values';

export type ResourceDriftStatus =
  'in-sync' | 'drifted' | 'deleted' | 'not-deployed' | 'not-supported' | 'read-failed' | 'inactive' | 'unknown';

export interface ResourceDrift {
  logicalId: string;
  type: string;
  status: ResourceDriftStatus;
  physicalId?: string;
  /** CloudFormation's status of the resource in the stack, e.g. CREATE_COMPLETE. */
  stackStatus?: string;
  message?: string;
  properties: PropertyDrift[];
  live?: Pick<LiveResource, 'state' | 'facts'>;
}

export interface SecondSourceResult {
  /** Whether CloudFormation answered. When not, the drift shown is our own comparison only. */
  answered: boolean;
  message: string;
  stackDriftStatus?: string;
  resources?: Record<
    string,
    { status: string; differences: Array<{ path: string; expected?: string; actual?: string }> }
  >;
}

export interface StackDriftReport {
  stackName: string;
  stackId?: string;
  stackStatus?: string;
  region: string;
  checkedAt: string;
  resources: ResourceDrift[];
  counts: Record<ResourceDriftStatus, number>;
  /** Every AWS call this check made (stack reads and live reads). */
  apiCalls: number;
  liveReadCalls: number;
  /** Resource types in the template. */
  resourceTypes: number;
  /** Who computed the drift shown: always our comparison; CloudFormation's answer is beside it when asked. */
  source: 'pilot-light';
  secondSource?: SecondSourceResult;
}

export interface StackDriftRequest {
  /** The template in long form (intrinsic tags normalised), as parsed. */
  template: unknown;
  stackName: string;
  region: string;
  reads: ResourceReads;
  /** Ask CloudFormation's DetectStackDrift too (slow on AWS; not every endpoint has it). */
  secondSource?: { pollMs?: number; timeoutMs?: number; sleep?: (ms: number) => Promise<void> };
}

interface StackSummary {
  StackName?: string;
  StackId?: string;
  StackStatus?: string;
  Parameters?: Array<{ ParameterKey?: string; ParameterValue?: string; ResolvedValue?: string }>;
  Outputs?: Array<{ OutputKey?: string; OutputValue?: string }>;
}

interface StackResourceSummary {
  LogicalResourceId?: string;
  PhysicalResourceId?: string;
  ResourceType?: string;
  ResourceStatus?: string;
}

const MAX_STACK_RESOURCE_PAGES = 50;

function isSecretPlaceholder(value: string | undefined): boolean {
  return value === undefined || value === '****' || value.startsWith('[REDACTED');
}

/** The stack's parameter values for evaluation: ResolvedValue for SSM types; hidden values are unknown. */
export function stackParameters(stack: StackSummary): Record<string, string | Unresolved> {
  const values: Record<string, string | Unresolved> = {};
  for (const parameter of stack.Parameters ?? []) {
    if (!parameter.ParameterKey) continue;
    const value = parameter.ResolvedValue ?? parameter.ParameterValue;
    Object.defineProperty(values, parameter.ParameterKey, {
      value: isSecretPlaceholder(value) ? new Unresolved(`${parameter.ParameterKey} is hidden`) : value,
      enumerable: true,
    });
  }
  return values;
}

/** `GetAtt` values that the stack's outputs reveal: an output whose value is exactly `Fn::GetAtt`. */
export function attributesFromOutputs(template: unknown, stack: StackSummary): Map<string, unknown> {
  const found = new Map<string, unknown>();
  const outputs = isRecord(template) && isRecord(template.Outputs) ? template.Outputs : {};
  for (const output of stack.Outputs ?? []) {
    const decl = output.OutputKey && Object.hasOwn(outputs, output.OutputKey) ? outputs[output.OutputKey] : undefined;
    const value = isRecord(decl) ? decl.Value : undefined;
    const getAtt = isRecord(value) ? value['Fn::GetAtt'] : undefined;
    const parts =
      typeof getAtt === 'string' ? getAtt.split('.', 2) : Array.isArray(getAtt) && getAtt.length === 2 ? getAtt : [];
    if (typeof parts[0] === 'string' && typeof parts[1] === 'string' && output.OutputValue !== undefined)
      found.set(`${parts[0]}.${parts[1]}`, output.OutputValue);
  }
  return found;
}

/** A parent's ID as a template property gives it: a Ref to a deployed resource, or a literal ID. */
function parentIdOf(value: unknown, physicalIds: Record<string, string>): string | undefined {
  if (typeof value === 'string') return value;
  const target = isRecord(value) ? value.Ref : undefined;
  return typeof target === 'string' && Object.hasOwn(physicalIds, target) ? physicalIds[target] : undefined;
}

function emptyCounts(): Record<ResourceDriftStatus, number> {
  return {
    'in-sync': 0,
    drifted: 0,
    deleted: 0,
    'not-deployed': 0,
    'not-supported': 0,
    'read-failed': 0,
    inactive: 0,
    unknown: 0,
  };
}

export async function checkStackDrift(request: StackDriftRequest): Promise<StackDriftReport> {
  const { reads, region, stackName, template } = request;
  let stackCalls = 1;
  const stacks = await reads.read<{ items: StackSummary[] }>('cloudformation.stacks.list', { stackName }, region);
  const stack = stacks.items[0];
  if (!stack) throw new Error(`Stack ${stackName} was not found in ${region}.`);

  const summaries: StackResourceSummary[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    stackCalls++;
    const page = await reads.read<{ items: StackResourceSummary[]; nextToken?: string }>(
      'cloudformation.stacks.resources',
      { stackName, ...(nextToken ? { nextToken } : {}) },
      region,
    );
    summaries.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken && ++pages < MAX_STACK_RESOURCE_PAGES);
  const inStack = new Map<string, StackResourceSummary>();
  for (const summary of summaries) if (summary.LogicalResourceId) inStack.set(summary.LogicalResourceId, summary);

  const templateResources = isRecord(template) && isRecord(template.Resources) ? template.Resources : {};
  const types = new Set<string>();
  const idsByReadKey = new Map<string, string[]>();
  const physicalIds: Record<string, string> = {};
  const typeOf = (decl: unknown) => (isRecord(decl) && typeof decl.Type === 'string' ? decl.Type : '');
  for (const [logicalId, decl] of Object.entries(templateResources)) {
    types.add(typeOf(decl));
    const physicalId = inStack.get(logicalId)?.PhysicalResourceId;
    if (physicalId) Object.defineProperty(physicalIds, logicalId, { value: physicalId, enumerable: true });
  }
  // A child (a route, an association) is read through its parent: the ID its template property names.
  const parentIds = new Map<string, string>();
  for (const [logicalId, decl] of Object.entries(templateResources)) {
    const support = supportOf(typeOf(decl));
    const physicalId = Object.hasOwn(physicalIds, logicalId) ? physicalIds[logicalId] : undefined;
    if (!support || !physicalId) continue;
    let readId: string | undefined = physicalId;
    if (support.child) {
      const properties = isRecord(decl) && isRecord(decl.Properties) ? decl.Properties : {};
      readId = parentIdOf(properties[support.child.parentProperty], physicalIds);
      if (!readId) continue;
      parentIds.set(logicalId, readId);
    }
    const ids = idsByReadKey.get(support.readKey) ?? [];
    if (!ids.includes(readId)) ids.push(readId);
    idsByReadKey.set(support.readKey, ids);
  }

  const live = await readLive(reads, idsByReadKey, region);
  const liveOf = (logicalId: string): LiveResource | undefined => {
    const decl = templateResources[logicalId];
    const support = supportOf(isRecord(decl) && typeof decl.Type === 'string' ? decl.Type : '');
    const physicalId = physicalIds[logicalId];
    return support && !support.child && physicalId
      ? live.resources.get(liveKey(support.readKey, physicalId))
      : undefined;
  };
  const fromOutputs = attributesFromOutputs(template, stack);
  const stackArn = stack.StackId;
  const evaluated = evaluateTemplate(template, {
    parameters: stackParameters(stack),
    pseudo: {
      region,
      stackName: stack.StackName ?? stackName,
      stackId: stackArn,
      accountId: stackArn?.split(':')[4],
      partition: stackArn?.split(':')[1],
    },
    physicalIds,
    attribute: (logicalId, attribute) =>
      liveOf(logicalId)?.attributes[attribute] ?? fromOutputs.get(`${logicalId}.${attribute}`),
  });

  const resources: ResourceDrift[] = evaluated.resources.map((resource): ResourceDrift => {
    const { logicalId, type } = resource;
    const summary = inStack.get(logicalId);
    const base = { logicalId, type, physicalId: summary?.PhysicalResourceId, stackStatus: summary?.ResourceStatus };
    if (resource.active === false)
      return { ...base, status: 'inactive', properties: [], message: 'its condition is false' };
    if (!summary?.PhysicalResourceId)
      return { ...base, status: 'not-deployed', properties: [], message: 'not in the stack yet: deploy to create it' };
    const support = supportOf(type);
    if (!support) return { ...base, status: 'not-supported', properties: [], message: `not supported yet: ${type}` };
    const failure = live.failures.get(support.readKey);
    if (failure) return { ...base, status: 'read-failed', properties: [], message: `live read failed: ${failure}` };
    let current = liveOf(logicalId);
    if (support.child) {
      const parentId = parentIds.get(logicalId);
      const parentProperty = support.child.parentProperty;
      if (!parentId) {
        const written =
          isRecord(templateResources[logicalId]) && isRecord(templateResources[logicalId].Properties)
            ? Object.hasOwn(templateResources[logicalId].Properties as object, parentProperty)
            : false;
        return written
          ? {
              ...base,
              status: 'unknown',
              properties: [],
              message: `its ${parentProperty} is not a Ref or a literal ID`,
            }
          : {
              ...base,
              status: 'not-supported',
              properties: [],
              message: `not supported yet: ${type} without ${parentProperty}`,
            };
      }
      const parent = live.resources.get(liveKey(support.readKey, parentId))?.record;
      const found = parent ? support.child.find(parent, summary.PhysicalResourceId, resource.properties) : undefined;
      if (found === 'unresolved')
        return {
          ...base,
          status: 'unknown',
          properties: [],
          message: 'the template does not tell which live entry it is',
        };
      current = found;
    }
    if (!current || current.gone)
      return {
        ...base,
        status: 'deleted',
        properties: [],
        message: current?.gone ? `deleted out of band (${current.state})` : 'deleted out of band: AWS no longer has it',
        live: current ? { state: current.state, facts: current.facts } : undefined,
      };
    const expected = support.normalizeExpected ? support.normalizeExpected(resource.properties) : resource.properties;
    const properties = compareResource({ expected, live: current.properties, rules: support.rules });
    const drifted = properties.some((property) => property.status === 'drifted');
    return {
      ...base,
      status: drifted ? 'drifted' : resource.active === 'unknown' ? 'unknown' : 'in-sync',
      properties,
      live: { state: current.state, facts: current.facts },
    };
  });

  const counts = emptyCounts();
  for (const resource of resources) counts[resource.status]++;
  const report: StackDriftReport = {
    stackName: stack.StackName ?? stackName,
    stackId: stack.StackId,
    stackStatus: stack.StackStatus,
    region,
    checkedAt: new Date().toISOString(),
    resources,
    counts,
    apiCalls: stackCalls + live.apiCalls,
    liveReadCalls: live.apiCalls,
    resourceTypes: types.size,
    source: 'pilot-light',
  };
  if (request.secondSource) report.secondSource = await detectWithCloudFormation(request, report);
  return report;
}

interface DriftRecord {
  LogicalResourceId?: string;
  StackResourceDriftStatus?: string;
  PropertyDifferences?: Array<{ PropertyPath?: string; ExpectedValue?: string; ActualValue?: string }>;
}

/** CloudFormation's DetectStackDrift, when the endpoint has it; its absence is said, never hidden. */
export async function detectWithCloudFormation(
  request: Pick<StackDriftRequest, 'reads' | 'region' | 'stackName' | 'secondSource'>,
  report: { apiCalls: number } = { apiCalls: 0 },
): Promise<SecondSourceResult> {
  const { reads, region, stackName } = request;
  const options = request.secondSource ?? {};
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  try {
    report.apiCalls++;
    const { detectionId } = await reads.read<{ detectionId: string }>(
      'cloudformation.stacks.detectDrift',
      { stackName },
      region,
    );
    let status: { detectionStatus?: string; stackDriftStatus?: string; reason?: string };
    for (;;) {
      report.apiCalls++;
      status = await reads.read('cloudformation.stacks.driftStatus', { detectionId }, region);
      if (status.detectionStatus !== 'DETECTION_IN_PROGRESS') break;
      if (Date.now() > deadline)
        return { answered: false, message: 'CloudFormation drift detection did not finish in time.' };
      await sleep(options.pollMs ?? 2_000);
    }
    if (status.detectionStatus === 'DETECTION_FAILED' && !status.stackDriftStatus)
      return {
        answered: false,
        message: `CloudFormation drift detection failed: ${status.reason ?? 'no reason given'}`,
      };
    const records: DriftRecord[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      report.apiCalls++;
      const page = await reads.read<{ items: DriftRecord[]; nextToken?: string }>(
        'cloudformation.stacks.resourceDrifts',
        { stackName, ...(nextToken ? { nextToken } : {}) },
        region,
      );
      records.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken && ++pages < MAX_STACK_RESOURCE_PAGES);
    const resources: NonNullable<SecondSourceResult['resources']> = {};
    for (const record of records) {
      if (!record.LogicalResourceId) continue;
      Object.defineProperty(resources, record.LogicalResourceId, {
        enumerable: true,
        value: {
          status: record.StackResourceDriftStatus ?? 'UNKNOWN',
          differences: (record.PropertyDifferences ?? []).map((difference) => ({
            path: difference.PropertyPath ?? '',
            expected: difference.ExpectedValue,
            actual: difference.ActualValue,
          })),
        },
      });
    }
    return {
      answered: true,
      message: `CloudFormation DetectStackDrift answered too: ${status.stackDriftStatus ?? 'UNKNOWN'}.`,
      stackDriftStatus: status.stackDriftStatus,
      resources,
    };
  } catch (error) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return {
      answered: false,
      message: `CloudFormation DetectStackDrift is not available here (${detail.slice(0, 200)}); the drift shown is Pilot Light's own comparison.`,
    };
  }
}
