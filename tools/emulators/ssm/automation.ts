/**
 * SSM Automation emulation. moto 5.2.5 stores SSM documents but has no StartAutomationExecution,
 * GetAutomationExecution or StopAutomationExecution (its SSM backend does not implement them). This
 * self-contained handler answers those three operations (awsJson1_1, `X-Amz-Target: AmazonSSM.<Op>`)
 * and leaves every other SSM call to moto.
 *
 * What it really does: it reads the document from moto (so an unknown document, a non-Automation
 * document, missing required parameters and unknown parameters fail as in AWS), then runs the
 * document's mainSteps one after another on a scaled clock. Supported step actions: `aws:sleep`
 * (Duration, scaled by timeScale), and `aws:executeAwsApi`, `aws:assertAwsResourceProperty` and
 * `aws:waitForAwsResourceProperty` for read-only EC2 calls (Describe*), made for real against moto with the
 * SDK; `{{ Param }}` references are resolved and PropertySelector is a JSONPath of `.name`, `[n]` and `[*]`;
 * and `aws:changeInstanceState` (below). Every other action (and any other service or API) FAILS the execution with a message naming it: the
 * emulator never pretends to have run a step it cannot run. Per-step `onFailure: Continue`
 * and `timeoutSeconds` are honoured. ClientToken makes StartAutomationExecution idempotent.
 * Fault injection: `failNext` makes the next executions of a document fail.
 *
 * `aws:changeInstanceState` with DesiredState `stopped` or `running` makes the one EC2 write the emulator
 * allows: StopInstances or StartInstances on the step's InstanceIds (unless CheckStateOnly), then waits until
 * every instance is in that state (DescribeInstances, within timeoutSeconds). Any other DesiredState fails.
 *
 * Rate control (Targets + TargetParameterName, MaxConcurrency, MaxErrors): the parent execution resolves its
 * one target when it runs, as AWS does, and starts one child execution per resource with the target parameter
 * set to it. Only `tag:<key>` targets are resolved, to EC2 instances (DescribeInstances with a tag filter;
 * terminated instances left out), at most MAX_RATE_CONTROL_TARGETS; AWS accepts one tag or resource group per
 * execution ("Only one resource group or tag can be specified at a time"), and so does the emulator. Children
 * run MaxConcurrency at a time (default 10); once more than MaxErrors children failed (default 0 here) no more
 * start. The parent succeeds when every child succeeded, fails when any failed, and reports ResolvedTargets.
 * TargetMaps and TargetLocations are not supported (the request fails saying so).
 *
 * AWS-owned documents: AWS-StopEC2Instance and AWS-StartEC2Instance are served from awsOwnedDocuments.ts,
 * since moto has none; every other document is read from moto.
 *
 * Mounting: `SsmAutomationEmulator.matches(req)` tells whether a request is for this handler (check it
 * before the gateway's DRS/moto routing) and `handle(req, res)` answers it. `startSsmFront` puts it in
 * front of any endpoint without touching the gateway.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as ec2Sdk from '@aws-sdk/client-ec2';
import { GetDocumentCommand, SSMClient } from '@aws-sdk/client-ssm';
import { parse as parseYaml } from 'yaml';
import { readBody, sendJson } from '../drs/http';
import { AWS_OWNED_DOCUMENTS } from './awsOwnedDocuments';

export const SSM_AUTOMATION_OPERATIONS = [
  'StartAutomationExecution',
  'GetAutomationExecution',
  'StopAutomationExecution',
] as const;

export interface SsmAutomationEmulatorOptions {
  /** moto, where the documents live. */
  motoEndpoint: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Multiplies aws:sleep durations (0.01: a 10 s sleep takes 100 ms). Default 1. */
  timeScale?: number;
  /** Time every step takes at least, in ms, so status moves through InProgress. Default 20. */
  minStepMs?: number;
}

interface StepRecord {
  StepName: string;
  Action: string;
  StepStatus: string;
  ExecutionStartTime?: Date;
  ExecutionEndTime?: Date;
  FailureMessage?: string;
  OnFailure?: string;
  TimeoutSeconds?: number;
  Inputs?: Record<string, string>;
  Outputs?: Record<string, string[]>;
}

interface ExecutionRecord {
  id: string;
  region: string;
  documentName: string;
  documentVersion: string;
  parameters: Record<string, string[]>;
  /** Parameters declared as StringList (a whole `{{ Name }}` reference to one is a list). */
  listParameters: Set<string>;
  status: string;
  startTime: Date;
  endTime?: Date;
  steps: StepRecord[];
  outputs: Record<string, string[]>;
  failureMessage?: string;
  clientToken?: string;
  tags: { Key: string; Value: string }[];
  stopRequested: boolean;
  wake?: () => void;
  /** A rate-controlled parent: what it targets, and the children it started. */
  rateControl?: RateControl;
  /** A child of a rate-controlled execution: its parent and its one target. */
  parentId?: string;
  target?: string;
}

interface RateControl {
  targetParameterName: string;
  targets: { Key: string; Values: string[] }[];
  maxConcurrency: string;
  maxErrors: string;
  /** Resolved when the parent runs. */
  resolved?: string[];
  childIds: string[];
}

class SsmError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** How many resources one rate-controlled execution may resolve to in the emulator. */
export const MAX_RATE_CONTROL_TARGETS = 200;
const MAX_CONCURRENCY_PATTERN = /^(?:[1-9][0-9]{0,5}|[1-9][0-9]?%|100%)$/;
const MAX_ERRORS_PATTERN = /^(?:0|[1-9][0-9]{0,5}|[0-9][0-9]?%|100%)$/;

/** A MaxConcurrency / MaxErrors value as a count of `total` targets (a percentage rounds up, at least 1 for concurrency). */
export function rateLimit(value: string, total: number, minimum: number): number {
  const count = value.endsWith('%') ? Math.ceil((Number(value.slice(0, -1)) * total) / 100) : Number(value);
  return Math.max(minimum, count);
}

/** The one `tag:<key>` target of a rate-controlled request, validated as AWS and the emulator require. */
export function tagTargetOf(targets: unknown): { key: string; values: string[] } {
  if (!Array.isArray(targets) || !targets.length)
    throw new SsmError('InvalidAutomationExecutionParametersException', 'Targets must list one target.');
  if (targets.length > 1)
    throw new SsmError(
      'InvalidAutomationExecutionParametersException',
      'Only one resource group or tag can be specified at a time',
    );
  const target = targets[0] as { Key?: unknown; Values?: unknown };
  const key = typeof target.Key === 'string' ? target.Key : '';
  if (!/^tag:.{1,128}$/s.test(key))
    throw new SsmError(
      'InvalidAutomationExecutionParametersException',
      `Target key ${JSON.stringify(target.Key)} is not supported by the SSM Automation emulator (it resolves tag:<key> targets to EC2 instances).`,
    );
  const values = Array.isArray(target.Values) ? target.Values.filter((v): v is string => typeof v === 'string') : [];
  if (!values.length || values.length > 50 || values.length !== (target.Values as unknown[]).length)
    throw new SsmError('InvalidAutomationExecutionParametersException', `Target ${key} needs 1-50 string values.`);
  return { key: key.slice(4), values };
}

interface DocumentContent {
  parameters?: Record<string, { type?: string; default?: unknown; description?: string }>;
  mainSteps?: {
    name: string;
    action: string;
    inputs?: Record<string, unknown>;
    onFailure?: string;
    timeoutSeconds?: number;
    /** aws:executeAwsApi: values picked from the response. */
    outputs?: { Name?: string; Selector?: string; Type?: string }[];
  }[];
  outputs?: string[];
}

/** ISO 8601 duration (PT1H2M3.5S) in ms. */
export function parseIsoDuration(value: string): number | undefined {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value);
  if (!match || value === 'P' || value === 'PT') return undefined;
  const [, d, h, m, s] = match;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(m ?? 0)) * 60_000 + Number(s ?? 0) * 1000;
}

const AWS_API_ACTIONS = new Set([
  'aws:executeAwsApi',
  'aws:assertAwsResourceProperty',
  'aws:waitForAwsResourceProperty',
]);

/**
 * Replaces `{{ Name }}` references with parameter values: a string that is only a reference to a StringList
 * parameter becomes the list (spliced into an enclosing list), any other reference the values joined by commas.
 */
export function resolveParameters(
  value: unknown,
  parameters: Record<string, string[]>,
  listParameters: ReadonlySet<string> = new Set(),
): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([A-Za-z0-9_.]+)\s*\}\}$/.exec(value);
    if (whole && listParameters.has(whole[1]) && parameters[whole[1]]) return [...parameters[whole[1]]];
    return value.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (ref, name: string) =>
      parameters[name] ? parameters[name].join(',') : ref,
    );
  }
  if (Array.isArray(value))
    return value.flatMap((item) => {
      const resolved = resolveParameters(item, parameters, listParameters);
      return typeof item === 'string' && Array.isArray(resolved) ? resolved : [resolved];
    });
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, resolveParameters(v, parameters, listParameters)]),
    );
  return value;
}

/** `$.A.B[0].C`, with `[*]` fanning out; undefined for a path outside that subset. */
export function selectJsonPath(root: unknown, path: string): unknown[] | undefined {
  if (!path.startsWith('$') || path.length > 500) return undefined;
  const tokens = path.slice(1).match(/\.[A-Za-z0-9_]+|\[(?:\d+|\*)\]/g) ?? [];
  if (tokens.join('') !== path.slice(1)) return undefined;
  let current: unknown[] = [root];
  for (const token of tokens) {
    const next: unknown[] = [];
    for (const item of current) {
      if (item === null || typeof item !== 'object') continue;
      if (token === '[*]') {
        if (Array.isArray(item)) next.push(...item);
      } else if (token.startsWith('[')) {
        const element = Array.isArray(item) ? item[Number(token.slice(1, -1))] : undefined;
        if (element !== undefined) next.push(element);
      } else {
        const member = (item as Record<string, unknown>)[token.slice(1)];
        if (member !== undefined) next.push(member);
      }
    }
    current = next;
  }
  return current;
}

function regionOf(req: IncomingMessage): string {
  const credential = /Credential=([^,\s]+)/.exec(String(req.headers.authorization ?? ''))?.[1];
  const parts = credential?.split('/') ?? [];
  return parts.length >= 5 ? parts[parts.length - 3] : 'us-east-1';
}

const epoch = (date?: Date): number | undefined => (date ? date.getTime() / 1000 : undefined);

export class SsmAutomationEmulator {
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly tokens = new Map<string, string>();
  private readonly failures = new Map<string, { remaining: number; message: string }>();
  private readonly clients = new Map<string, SSMClient>();
  private readonly ec2Clients = new Map<string, ec2Sdk.EC2Client>();
  private readonly controller = new AbortController();
  private timeScale: number;
  /** Calls per operation, for tests. */
  readonly calls: Record<string, number> = {};

  constructor(private readonly options: SsmAutomationEmulatorOptions) {
    this.timeScale = options.timeScale ?? 1;
  }

  /** Whether the request is one of the SSM Automation operations this module answers. */
  static matches(req: IncomingMessage): boolean {
    const target = String(req.headers['x-amz-target'] ?? '');
    return req.method === 'POST' && SSM_AUTOMATION_OPERATIONS.some((op) => target === `AmazonSSM.${op}`);
  }

  setTimeScale(timeScale: number): void {
    if (!(timeScale > 0)) throw new RangeError('timeScale must be positive');
    this.timeScale = timeScale;
  }

  /** The next `count` executions of the document fail in their first step with `message`. */
  failNext(documentName: string, count = 1, message = 'Step failed: injected by the SSM Automation emulator'): void {
    this.failures.set(documentName, { remaining: count, message });
  }

  /** Forgets every execution and fault (call with the stack's reset). */
  reset(): void {
    for (const execution of this.executions.values()) {
      execution.stopRequested = true;
      execution.wake?.();
    }
    this.executions.clear();
    this.tokens.clear();
    this.failures.clear();
  }

  stop(): void {
    this.reset();
    this.controller.abort();
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
    for (const client of this.ec2Clients.values()) client.destroy();
    this.ec2Clients.clear();
  }

  listExecutions(): {
    id: string;
    documentName: string;
    status: string;
    parameters: Record<string, string[]>;
    /** Set on a child of a rate-controlled execution. */
    parentId?: string;
    target?: string;
    /** Set on a rate-controlled parent once it resolved its target. */
    resolvedTargets?: string[];
    failureMessage?: string;
  }[] {
    return [...this.executions.values()].map((e) => ({
      id: e.id,
      documentName: e.documentName,
      status: e.status,
      parameters: e.parameters,
      ...(e.parentId ? { parentId: e.parentId, target: e.target } : {}),
      ...(e.rateControl?.resolved ? { resolvedTargets: e.rateControl.resolved } : {}),
      ...(e.failureMessage ? { failureMessage: e.failureMessage } : {}),
    }));
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSSM\./, '');
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
    readBody(req)
      .then(async (body) => {
        const input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
        const region = regionOf(req);
        switch (operation) {
          case 'StartAutomationExecution':
            return this.start(region, input);
          case 'GetAutomationExecution':
            return this.get(input);
          case 'StopAutomationExecution':
            return this.stopExecution(input);
          default:
            throw new SsmError('InvalidAction', `${operation} is not handled by the SSM Automation emulator`);
        }
      })
      .then(
        (result) =>
          sendJson(res, 200, result, {
            'content-type': 'application/x-amz-json-1.1',
            'x-amzn-requestid': randomUUID(),
          }),
        (error: unknown) => {
          const e =
            error instanceof SsmError
              ? error
              : new SsmError('InternalServerError', (error as Error).message ?? String(error), 500);
          sendJson(
            res,
            e.status,
            { __type: e.type, message: e.message },
            {
              'content-type': 'application/x-amz-json-1.1',
              'x-amzn-errortype': e.type,
              'x-amzn-requestid': randomUUID(),
            },
          );
        },
      );
  }

  private client(region: string): SSMClient {
    let client = this.clients.get(region);
    if (!client) {
      client = new SSMClient({
        region,
        endpoint: this.options.motoEndpoint,
        credentials: this.options.credentials ?? { accessKeyId: 'testing', secretAccessKey: 'testing' },
        maxAttempts: 2,
      });
      this.clients.set(region, client);
    }
    return client;
  }

  private ec2(region: string): ec2Sdk.EC2Client {
    let client = this.ec2Clients.get(region);
    if (!client) {
      client = new ec2Sdk.EC2Client({
        region,
        endpoint: this.options.motoEndpoint,
        credentials: this.options.credentials ?? { accessKeyId: 'testing', secretAccessKey: 'testing' },
        maxAttempts: 2,
      });
      this.ec2Clients.set(region, client);
    }
    return client;
  }

  /** One read-only EC2 call of an aws:*AwsApi / aws:*AwsResourceProperty step; throws a step failure message. */
  private async callAwsApi(execution: ExecutionRecord, inputs: Record<string, unknown>): Promise<unknown> {
    const { Service, Api, PropertySelector: _selector, DesiredValues: _desired, ...request } = inputs;
    if (String(Service).toLowerCase() !== 'ec2')
      throw new Error(
        `service ${JSON.stringify(Service)}, which the SSM Automation emulator does not call (it calls ec2 only)`,
      );
    const api = String(Api);
    const Command = /^Describe[A-Za-z]{1,80}$/.test(api)
      ? (ec2Sdk as unknown as Record<string, new (input: unknown) => ec2Sdk.DescribeInstancesCommand>)[`${api}Command`]
      : undefined;
    if (!Command)
      throw new Error(
        `ec2 API ${JSON.stringify(Api)}: the SSM Automation emulator calls read-only EC2 Describe* APIs only`,
      );
    try {
      return await this.ec2(execution.region).send(
        new Command(resolveParameters(request, execution.parameters, execution.listParameters)),
      );
    } catch (error) {
      throw new Error(`ec2 ${api} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Runs one AWS API step; resolves to a failure message or undefined. */
  private async runAwsApiStep(
    execution: ExecutionRecord,
    step: StepRecord,
    inputs: Record<string, unknown>,
    declaredOutputs: { Name?: string; Selector?: string }[],
    minStep: number,
  ): Promise<string | undefined> {
    const desired = Array.isArray(inputs.DesiredValues)
      ? (resolveParameters(inputs.DesiredValues, execution.parameters, execution.listParameters) as unknown[]).map(
          String,
        )
      : undefined;
    const selector = typeof inputs.PropertySelector === 'string' ? inputs.PropertySelector : undefined;
    const check = (response: unknown): string | undefined => {
      if (!selector || !desired?.length) return 'inputs.PropertySelector and inputs.DesiredValues are required';
      const values = selectJsonPath(response, selector);
      if (values === undefined)
        return `PropertySelector ${selector} is not a JSONPath the emulator supports ($.a.b[0].c, [*])`;
      if (!values.length) return `PropertySelector ${selector} selected nothing`;
      const wrong = values.map(String).filter((v) => !desired.includes(v));
      return wrong.length
        ? `${selector} is ${JSON.stringify(values.map(String))}, expected ${JSON.stringify(desired)}`
        : undefined;
    };
    const deadline = Date.now() + (step.TimeoutSeconds ?? 3600) * 1000 * this.timeScale;
    try {
      for (;;) {
        const response = await this.callAwsApi(execution, inputs);
        if (step.Action === 'aws:executeAwsApi') {
          step.Outputs = {};
          for (const output of declaredOutputs) {
            const values = output.Selector ? selectJsonPath(response, output.Selector) : undefined;
            if (output.Name && values)
              step.Outputs[output.Name] = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
          }
          await this.sleep(execution, minStep);
          return undefined;
        }
        const mismatch = check(response);
        if (!mismatch) {
          await this.sleep(execution, minStep);
          return undefined;
        }
        if (step.Action === 'aws:assertAwsResourceProperty' || !selector || !desired?.length) return mismatch;
        if (Date.now() >= deadline) return `timed out waiting: ${mismatch}`;
        await this.sleep(execution, Math.max(minStep, Math.min(5000 * this.timeScale, deadline - Date.now())));
        if (execution.stopRequested) return undefined;
      }
    } catch (error) {
      return (error as Error).message;
    }
  }

  /**
   * aws:changeInstanceState: StopInstances or StartInstances (the one EC2 write the emulator makes), then waits
   * until every instance is in the DesiredState. Resolves to a failure message or undefined.
   */
  private async runChangeInstanceState(
    execution: ExecutionRecord,
    step: StepRecord,
    inputs: Record<string, unknown>,
    minStep: number,
  ): Promise<string | undefined> {
    const resolved = resolveParameters(inputs, execution.parameters, execution.listParameters) as Record<
      string,
      unknown
    >;
    const raw = resolved.InstanceIds;
    const ids = (Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [])
      .map((id) => String(id).trim())
      .filter(Boolean);
    if (!ids.length) return 'inputs.InstanceIds is required';
    if (ids.length > MAX_RATE_CONTROL_TARGETS) return `more than ${MAX_RATE_CONTROL_TARGETS} instances in one step`;
    const malformed = ids.filter((id) => !/^i-[0-9a-f]{8,17}$/.test(id));
    if (malformed.length) return `not instance IDs: ${malformed.slice(0, 5).join(', ')}`;
    const desired = resolved.DesiredState;
    if (desired !== 'stopped' && desired !== 'running')
      return `DesiredState ${JSON.stringify(desired)}: the SSM Automation emulator changes instances to "stopped" or "running" only`;
    const flag = (value: unknown) => value === true || value === 'true';
    const ec2 = this.ec2(execution.region);
    const api = desired === 'stopped' ? 'StopInstances' : 'StartInstances';
    try {
      if (!flag(resolved.CheckStateOnly))
        await ec2.send(
          desired === 'stopped'
            ? new ec2Sdk.StopInstancesCommand({ InstanceIds: ids, Force: flag(resolved.Force) })
            : new ec2Sdk.StartInstancesCommand({ InstanceIds: ids }),
        );
    } catch (error) {
      return `ec2 ${api} failed: ${(error as Error).message}`;
    }
    const deadline = Date.now() + (step.TimeoutSeconds ?? 3600) * 1000 * this.timeScale;
    for (;;) {
      let pending: string[];
      try {
        const result = await ec2.send(new ec2Sdk.DescribeInstancesCommand({ InstanceIds: ids }));
        const states = new Map<string, string | undefined>();
        for (const reservation of result.Reservations ?? [])
          for (const instance of reservation.Instances ?? [])
            states.set(instance.InstanceId ?? '', instance.State?.Name);
        pending = ids.filter((id) => states.get(id) !== desired);
      } catch (error) {
        return `ec2 DescribeInstances failed: ${(error as Error).message}`;
      }
      if (!pending.length) {
        await this.sleep(execution, minStep);
        return undefined;
      }
      if (Date.now() >= deadline) return `timed out waiting for ${pending.join(', ')} to be ${desired}`;
      await this.sleep(execution, Math.max(minStep, Math.min(5000 * this.timeScale, deadline - Date.now())));
      if (execution.stopRequested) return undefined;
    }
  }

  /** The document's content: a built-in AWS-owned document, else moto's (which must be an Automation document). */
  private async documentContent(region: string, name: string, version: string | undefined): Promise<DocumentContent> {
    const owned = AWS_OWNED_DOCUMENTS.get(name);
    if (owned) return structuredClone(owned.content) as DocumentContent;
    let document;
    try {
      ({ Content: document } = await this.client(region)
        .send(
          new GetDocumentCommand({
            Name: name,
            DocumentVersion: version && /^\d+$/.test(version) ? version : undefined,
          }),
        )
        .then((r) => {
          if (r.DocumentType && r.DocumentType !== 'Automation')
            throw new SsmError(
              'InvalidDocument',
              `Document ${name} is a ${r.DocumentType} document, not an Automation document.`,
            );
          return r;
        }));
    } catch (error) {
      if (error instanceof SsmError) throw error;
      const errorName = (error as { name?: string }).name ?? '';
      if (errorName === 'InvalidDocument' || /not found|does not exist/i.test((error as Error).message))
        throw new SsmError('InvalidDocument', `Document with name ${name} does not exist.`);
      throw error;
    }
    try {
      return (parseYaml(document ?? '{}') ?? {}) as DocumentContent;
    } catch (error) {
      throw new SsmError(
        'InvalidDocumentContent',
        `Document ${name} is not valid JSON or YAML: ${(error as Error).message}`,
      );
    }
  }

  /** Rate-control fields of a request, validated; undefined for a plain execution. */
  private rateControlOf(input: Record<string, unknown>, declared: Record<string, unknown>): RateControl | undefined {
    for (const field of ['TargetMaps', 'TargetLocations', 'TargetLocationsURL'])
      if (input[field] !== undefined)
        throw new SsmError(
          'InvalidAutomationExecutionParametersException',
          `${field} is not supported by the SSM Automation emulator (it supports Targets with one tag).`,
        );
    if (input.Targets === undefined && input.TargetParameterName === undefined) return undefined;
    const parameterName = input.TargetParameterName;
    if (typeof parameterName !== 'string' || !parameterName)
      throw new SsmError(
        'InvalidAutomationExecutionParametersException',
        'TargetParameterName is required when Targets are given.',
      );
    if (!(parameterName in declared))
      throw new SsmError(
        'InvalidAutomationExecutionParametersException',
        `TargetParameterName ${parameterName} is not a parameter of the document.`,
      );
    const { key, values } = tagTargetOf(input.Targets);
    const maxConcurrency = input.MaxConcurrency === undefined ? '10' : String(input.MaxConcurrency);
    const maxErrors = input.MaxErrors === undefined ? '0' : String(input.MaxErrors);
    if (!MAX_CONCURRENCY_PATTERN.test(maxConcurrency))
      throw new SsmError('ValidationException', `MaxConcurrency ${JSON.stringify(maxConcurrency)} is not valid.`);
    if (!MAX_ERRORS_PATTERN.test(maxErrors))
      throw new SsmError('ValidationException', `MaxErrors ${JSON.stringify(maxErrors)} is not valid.`);
    return {
      targetParameterName: parameterName,
      targets: [{ Key: `tag:${key}`, Values: values }],
      maxConcurrency,
      maxErrors,
      childIds: [],
    };
  }

  private async start(region: string, input: Record<string, unknown>): Promise<{ AutomationExecutionId: string }> {
    const name = input.DocumentName;
    if (typeof name !== 'string' || !name) throw new SsmError('ValidationException', 'DocumentName is required');
    const clientToken = typeof input.ClientToken === 'string' ? input.ClientToken : undefined;
    if (clientToken) {
      const existing = this.tokens.get(`${region}|${clientToken}`);
      if (existing) {
        const execution = this.executions.get(existing)!;
        if (execution.documentName !== name)
          throw new SsmError(
            'IdempotentParameterMismatch',
            `ClientToken ${clientToken} was used with document ${execution.documentName}`,
          );
        return { AutomationExecutionId: existing };
      }
    }
    const version = typeof input.DocumentVersion === 'string' ? input.DocumentVersion : undefined;
    const content = await this.documentContent(region, name, version);
    const parameters = (input.Parameters ?? {}) as Record<string, string[]>;
    const declared = content.parameters ?? {};
    const rateControl = this.rateControlOf(input, declared);
    const unknown = Object.keys(parameters).filter((key) => !(key in declared));
    if (unknown.length)
      throw new SsmError(
        'InvalidAutomationExecutionParametersException',
        `Parameter${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not defined in document ${name}.`,
      );
    const missing = Object.entries(declared)
      .filter(
        ([key, spec]) => spec.default === undefined && !(key in parameters) && key !== rateControl?.targetParameterName,
      )
      .map(([key]) => key);
    if (missing.length)
      throw new SsmError(
        'InvalidAutomationExecutionParametersException',
        `Required parameter${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing.`,
      );
    const resolved: Record<string, string[]> = {};
    for (const [key, spec] of Object.entries(declared)) {
      if (key === rateControl?.targetParameterName && !(key in parameters)) continue;
      resolved[key] =
        parameters[key] ?? (Array.isArray(spec.default) ? spec.default.map(String) : [String(spec.default)]);
    }
    const execution = this.newExecution(region, name, version ?? '1', content, resolved, {
      clientToken,
      tags: Array.isArray(input.Tags) ? (input.Tags as { Key: string; Value: string }[]) : [],
      rateControl,
    });
    if (clientToken) this.tokens.set(`${region}|${clientToken}`, execution.id);
    void (rateControl ? this.runRateControl(execution, content) : this.run(execution, content));
    return { AutomationExecutionId: execution.id };
  }

  private newExecution(
    region: string,
    documentName: string,
    documentVersion: string,
    content: DocumentContent,
    parameters: Record<string, string[]>,
    extra: Partial<Pick<ExecutionRecord, 'clientToken' | 'tags' | 'rateControl' | 'parentId' | 'target'>>,
  ): ExecutionRecord {
    const declared = content.parameters ?? {};
    const execution: ExecutionRecord = {
      id: randomUUID(),
      region,
      documentName,
      documentVersion,
      parameters,
      listParameters: new Set(
        Object.entries(declared)
          .filter(([, spec]) => spec.type === 'StringList')
          .map(([key]) => key),
      ),
      status: 'Pending',
      startTime: new Date(),
      // A rate-controlled parent runs no steps itself; its children do.
      steps: extra.rateControl
        ? []
        : (content.mainSteps ?? []).map((step) => ({
            StepName: step.name,
            Action: step.action,
            StepStatus: 'Pending',
            OnFailure: step.onFailure ?? 'Abort',
            TimeoutSeconds: step.timeoutSeconds,
            Inputs: Object.fromEntries(Object.entries(step.inputs ?? {}).map(([k, v]) => [k, JSON.stringify(v)])),
          })),
      outputs: {},
      tags: [],
      stopRequested: false,
      ...extra,
    };
    this.executions.set(execution.id, execution);
    return execution;
  }

  /** EC2 instances (not terminated) carrying `tag:key` with one of `values`, at most MAX_RATE_CONTROL_TARGETS + 1. */
  private async instancesTagged(region: string, key: string, values: string[]): Promise<string[]> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.ec2(region).send(
        new ec2Sdk.DescribeInstancesCommand({
          Filters: [
            { Name: `tag:${key}`, Values: values },
            { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'] },
          ],
          ...(token ? { NextToken: token } : {}),
        }),
      );
      for (const reservation of page.Reservations ?? [])
        for (const instance of reservation.Instances ?? []) if (instance.InstanceId) ids.push(instance.InstanceId);
      token = page.NextToken;
    } while (token && ids.length <= MAX_RATE_CONTROL_TARGETS);
    return ids;
  }

  /** A rate-controlled parent: resolve the tag now, then one child per instance under MaxConcurrency / MaxErrors. */
  private async runRateControl(parent: ExecutionRecord, content: DocumentContent): Promise<void> {
    const control = parent.rateControl!;
    await this.sleep(parent, this.options.minStepMs ?? 20);
    if (parent.stopRequested) return this.finish(parent, 'Cancelled');
    parent.status = 'InProgress';
    const target = control.targets[0];
    let ids: string[];
    try {
      ids = await this.instancesTagged(parent.region, target.Key.slice(4), target.Values);
    } catch (error) {
      return this.finish(parent, 'Failed', `Resolving target ${target.Key} failed: ${(error as Error).message}`);
    }
    if (ids.length > MAX_RATE_CONTROL_TARGETS)
      return this.finish(
        parent,
        'Failed',
        `Target ${target.Key} resolves to more than ${MAX_RATE_CONTROL_TARGETS} resources, the SSM Automation emulator's limit.`,
      );
    control.resolved = ids;
    const concurrency = rateLimit(control.maxConcurrency, ids.length, 1);
    const allowedErrors = rateLimit(control.maxErrors, ids.length, 0);
    let next = 0;
    let failed = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length && failed <= allowedErrors && !parent.stopRequested) {
        const id = ids[next++];
        const child = this.newExecution(
          parent.region,
          parent.documentName,
          parent.documentVersion,
          content,
          { ...parent.parameters, [control.targetParameterName]: [id] },
          { parentId: parent.id, target: id, tags: parent.tags },
        );
        control.childIds.push(child.id);
        await this.run(child, content);
        if (child.status !== 'Success') failed += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(ids.length, 1)) }, worker));
    if (parent.stopRequested) return this.finish(parent, 'Cancelled');
    const skipped = ids.length - control.childIds.length;
    if (failed)
      return this.finish(
        parent,
        'Failed',
        `${failed} of ${control.childIds.length} child executions failed${skipped ? `; ${skipped} target${skipped === 1 ? ' was' : 's were'} not run (MaxErrors ${control.maxErrors})` : ''}.`,
      );
    this.finish(parent, 'Success');
  }

  private sleep(execution: ExecutionRecord, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        execution.wake = undefined;
        resolve();
      }
      execution.wake = done;
    });
  }

  private async run(execution: ExecutionRecord, content: DocumentContent): Promise<void> {
    const minStep = this.options.minStepMs ?? 20;
    await this.sleep(execution, minStep);
    if (execution.stopRequested) return this.finish(execution, 'Cancelled');
    execution.status = 'InProgress';
    const fault = this.failures.get(execution.documentName);
    const injected = fault && fault.remaining > 0 ? fault.message : undefined;
    if (fault && injected) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.failures.delete(execution.documentName);
    }
    const stepsSpec = content.mainSteps ?? [];
    for (let i = 0; i < execution.steps.length; i++) {
      const step = execution.steps[i];
      const spec = stepsSpec[i];
      if (execution.stopRequested) {
        step.StepStatus = 'Cancelled';
        continue;
      }
      step.StepStatus = 'InProgress';
      step.ExecutionStartTime = new Date();
      let failure: string | undefined;
      if (injected && i === 0) {
        await this.sleep(execution, minStep);
        failure = injected;
      } else if (step.Action === 'aws:sleep') {
        const duration = typeof spec.inputs?.Duration === 'string' ? parseIsoDuration(spec.inputs.Duration) : undefined;
        if (duration === undefined) {
          failure = `aws:sleep needs inputs.Duration as an ISO 8601 duration (e.g. PT5S); got ${JSON.stringify(spec.inputs?.Duration)}.`;
        } else {
          const scaled = Math.max(minStep, duration * this.timeScale);
          const limit = step.TimeoutSeconds !== undefined ? step.TimeoutSeconds * 1000 * this.timeScale : Infinity;
          await this.sleep(execution, Math.min(scaled, limit));
          if (scaled > limit) {
            step.StepStatus = 'TimedOut';
            step.ExecutionEndTime = new Date();
            step.FailureMessage = `Step timed out after ${step.TimeoutSeconds} seconds.`;
            if (step.OnFailure !== 'Continue') return this.finish(execution, 'TimedOut', step.FailureMessage);
            continue;
          }
        }
      } else if (AWS_API_ACTIONS.has(step.Action)) {
        failure = await this.runAwsApiStep(
          execution,
          step,
          spec.inputs ?? {},
          Array.isArray(spec.outputs) ? spec.outputs : [],
          minStep,
        );
        if (failure) failure = `Step ${step.StepName} (${step.Action}): ${failure}`;
      } else if (step.Action === 'aws:changeInstanceState') {
        failure = await this.runChangeInstanceState(execution, step, spec.inputs ?? {}, minStep);
        if (failure) failure = `Step ${step.StepName} (${step.Action}): ${failure}`;
      } else {
        await this.sleep(execution, minStep);
        failure = `Step ${step.StepName} uses action ${step.Action}, which the SSM Automation emulator does not run (it runs aws:sleep, aws:changeInstanceState to stopped or running, and read-only EC2 aws:executeAwsApi, aws:assertAwsResourceProperty, aws:waitForAwsResourceProperty).`;
      }
      step.ExecutionEndTime = new Date();
      if (execution.stopRequested) {
        step.StepStatus = 'Cancelled';
        continue;
      }
      if (failure) {
        step.StepStatus = 'Failed';
        step.FailureMessage = failure;
        if (step.OnFailure !== 'Continue') return this.finish(execution, 'Failed', `Step fails when it is ${failure}`);
      } else {
        step.StepStatus = 'Success';
      }
    }
    if (execution.stopRequested) return this.finish(execution, 'Cancelled');
    // Outputs of aws:sleep steps are empty; declared outputs of the form <step>.<field> resolve to the step's
    // status and times, which is all the emulator can honestly report.
    for (const output of content.outputs ?? []) {
      const [stepName, field] = output.split('.');
      const step = execution.steps.find((s) => s.StepName === stepName);
      if (!step) continue;
      const value =
        field === 'StepStatus'
          ? step.StepStatus
          : field === 'StartTime'
            ? step.ExecutionStartTime?.toISOString()
            : field === 'EndTime'
              ? step.ExecutionEndTime?.toISOString()
              : undefined;
      if (value !== undefined) execution.outputs[output] = [value];
      else if (step.Outputs?.[field]) execution.outputs[output] = step.Outputs[field];
    }
    const anyFailed = execution.steps.some((s) => s.StepStatus === 'Failed' || s.StepStatus === 'TimedOut');
    this.finish(execution, anyFailed ? 'CompletedWithFailure' : 'Success');
  }

  private finish(execution: ExecutionRecord, status: string, failureMessage?: string): void {
    execution.status = status;
    execution.endTime = new Date();
    if (failureMessage) execution.failureMessage = failureMessage;
    for (const step of execution.steps)
      if (step.StepStatus === 'Pending') step.StepStatus = status === 'Cancelled' ? 'Cancelled' : 'Pending';
  }

  private find(input: Record<string, unknown>): ExecutionRecord {
    const id = input.AutomationExecutionId;
    const execution = typeof id === 'string' ? this.executions.get(id) : undefined;
    if (!execution)
      throw new SsmError('AutomationExecutionNotFoundException', `Automation execution ${String(id)} was not found.`);
    return execution;
  }

  private get(input: Record<string, unknown>): unknown {
    const e = this.find(input);
    return {
      AutomationExecution: {
        AutomationExecutionId: e.id,
        DocumentName: e.documentName,
        DocumentVersion: e.documentVersion,
        ExecutionStartTime: epoch(e.startTime),
        ExecutionEndTime: epoch(e.endTime),
        AutomationExecutionStatus: e.status,
        Parameters: e.parameters,
        Outputs: e.outputs,
        ...(e.failureMessage ? { FailureMessage: e.failureMessage } : {}),
        Mode: 'Auto',
        ...(e.parentId ? { ParentAutomationExecutionId: e.parentId, Target: e.target } : {}),
        ...(e.rateControl
          ? {
              TargetParameterName: e.rateControl.targetParameterName,
              Targets: e.rateControl.targets,
              MaxConcurrency: e.rateControl.maxConcurrency,
              MaxErrors: e.rateControl.maxErrors,
              ...(e.rateControl.resolved
                ? { ResolvedTargets: { ParameterValues: e.rateControl.resolved, Truncated: false } }
                : {}),
            }
          : {}),
        ExecutedBy: 'arn:aws:sts::123456789012:assumed-role/emulator/pilot-light',
        CurrentStepName: e.steps.find((s) => s.StepStatus === 'InProgress')?.StepName,
        StepExecutions: e.steps.map((s) => ({
          StepName: s.StepName,
          Action: s.Action,
          StepStatus: s.StepStatus,
          OnFailure: s.OnFailure,
          ...(s.TimeoutSeconds !== undefined ? { TimeoutSeconds: s.TimeoutSeconds } : {}),
          ExecutionStartTime: epoch(s.ExecutionStartTime),
          ExecutionEndTime: epoch(s.ExecutionEndTime),
          ...(s.FailureMessage ? { FailureMessage: s.FailureMessage } : {}),
          Inputs: s.Inputs,
          ...(s.Outputs ? { Outputs: s.Outputs } : {}),
        })),
        StepExecutionsTruncated: false,
      },
    };
  }

  private stopExecution(input: Record<string, unknown>): unknown {
    const e = this.find(input);
    for (const execution of [e, ...(e.rateControl?.childIds ?? []).map((id) => this.executions.get(id))])
      if (execution && ['Pending', 'InProgress', 'Waiting'].includes(execution.status)) {
        execution.stopRequested = true;
        execution.status = 'Cancelling';
        execution.wake?.();
      }
    return {};
  }
}
