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
 * SDK; `{{ Param }}` references are resolved and PropertySelector is a JSONPath of `.name`, `[n]` and `[*]`.
 * Every other action (and any other service or API) FAILS the execution with a message naming it: the
 * emulator never pretends to have run a step it cannot run. Per-step `onFailure: Continue`
 * and `timeoutSeconds` are honoured. ClientToken makes StartAutomationExecution idempotent.
 * Fault injection: `failNext` makes the next executions of a document fail.
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

  listExecutions(): { id: string; documentName: string; status: string; parameters: Record<string, string[]> }[] {
    return [...this.executions.values()].map((e) => ({
      id: e.id,
      documentName: e.documentName,
      status: e.status,
      parameters: e.parameters,
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
    let content: DocumentContent;
    try {
      content = (parseYaml(document ?? '{}') ?? {}) as DocumentContent;
    } catch (error) {
      throw new SsmError(
        'InvalidDocumentContent',
        `Document ${name} is not valid JSON or YAML: ${(error as Error).message}`,
      );
    }
    const parameters = (input.Parameters ?? {}) as Record<string, string[]>;
    const declared = content.parameters ?? {};
    const unknown = Object.keys(parameters).filter((key) => !(key in declared));
    if (unknown.length)
      throw new SsmError(
        'InvalidAutomationExecutionParametersException',
        `Parameter${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not defined in document ${name}.`,
      );
    const missing = Object.entries(declared)
      .filter(([key, spec]) => spec.default === undefined && !(key in parameters))
      .map(([key]) => key);
    if (missing.length)
      throw new SsmError(
        'InvalidAutomationExecutionParametersException',
        `Required parameter${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing.`,
      );
    const resolved: Record<string, string[]> = {};
    for (const [key, spec] of Object.entries(declared)) {
      resolved[key] =
        parameters[key] ?? (Array.isArray(spec.default) ? spec.default.map(String) : [String(spec.default)]);
    }
    const id = randomUUID();
    const execution: ExecutionRecord = {
      id,
      region,
      documentName: name,
      documentVersion: version ?? '1',
      parameters: resolved,
      listParameters: new Set(
        Object.entries(declared)
          .filter(([, spec]) => spec.type === 'StringList')
          .map(([key]) => key),
      ),
      status: 'Pending',
      startTime: new Date(),
      steps: (content.mainSteps ?? []).map((step) => ({
        StepName: step.name,
        Action: step.action,
        StepStatus: 'Pending',
        OnFailure: step.onFailure ?? 'Abort',
        TimeoutSeconds: step.timeoutSeconds,
        Inputs: Object.fromEntries(Object.entries(step.inputs ?? {}).map(([k, v]) => [k, JSON.stringify(v)])),
      })),
      outputs: {},
      clientToken,
      tags: Array.isArray(input.Tags) ? (input.Tags as { Key: string; Value: string }[]) : [],
      stopRequested: false,
    };
    this.executions.set(id, execution);
    if (clientToken) this.tokens.set(`${region}|${clientToken}`, id);
    void this.run(execution, content);
    return { AutomationExecutionId: id };
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
      } else {
        await this.sleep(execution, minStep);
        failure = `Step ${step.StepName} uses action ${step.Action}, which the SSM Automation emulator does not run (it runs aws:sleep and read-only EC2 aws:executeAwsApi, aws:assertAwsResourceProperty, aws:waitForAwsResourceProperty).`;
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
    if (['Pending', 'InProgress', 'Waiting'].includes(e.status)) {
      e.stopRequested = true;
      e.status = 'Cancelling';
      e.wake?.();
    }
    return {};
  }
}
