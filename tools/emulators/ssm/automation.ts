/**
 * SSM Automation emulation. moto 5.2.5 stores SSM documents but has no StartAutomationExecution,
 * GetAutomationExecution or StopAutomationExecution (its SSM backend does not implement them). This
 * self-contained handler answers those three operations (awsJson1_1, `X-Amz-Target: AmazonSSM.<Op>`)
 * and leaves every other SSM call to moto.
 *
 * What it really does: it reads the document from moto (so an unknown document, a non-Automation
 * document, missing required parameters and unknown parameters fail as in AWS), then runs the
 * document's mainSteps one after another on a scaled clock. Supported step actions: `aws:sleep`
 * (Duration, scaled by timeScale). Every other action FAILS the execution with a message naming the
 * action: the emulator never pretends to have run a step it cannot run. Per-step `onFailure: Continue`
 * and `timeoutSeconds` are honoured. ClientToken makes StartAutomationExecution idempotent.
 * Fault injection: `failNext` makes the next executions of a document fail.
 *
 * Mounting: `SsmAutomationEmulator.matches(req)` tells whether a request is for this handler (check it
 * before the gateway's DRS/moto routing) and `handle(req, res)` answers it. `startSsmFront` puts it in
 * front of any endpoint without touching the gateway.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
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
      } else {
        await this.sleep(execution, minStep);
        failure = `Step ${step.StepName} uses action ${step.Action}, which the SSM Automation emulator does not run (it runs aws:sleep only).`;
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
