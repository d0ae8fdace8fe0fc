/** Shared pieces for the safety-core tests: approval providers, a temp audit trail, a fixed clock. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApprovalDecision, ApprovalProvider, ApprovalRequest } from '../../src/core/guardrails/approval';

export class ScriptedApprovalProvider implements ApprovalProvider {
  readonly requests: ApprovalRequest[] = [];
  constructor(
    private readonly decide: (request: ApprovalRequest) => ApprovalDecision,
    readonly id = 'test-modal',
    readonly kind: 'interactive' | 'external' = 'interactive',
  ) {}

  async requestApproval(request: ApprovalRequest): Promise<ApprovalDecision> {
    this.requests.push(request);
    return this.decide(request);
  }
}

/** Approves and types the requested confirmation, as a person would. */
export const approvingProvider = () =>
  new ScriptedApprovalProvider((request) => ({
    approved: true,
    approver: 'alice',
    typedConfirmation: request.requiredConfirmation,
  }));
export const denyingProvider = () =>
  new ScriptedApprovalProvider(() => ({ approved: false, reason: 'not now', approver: 'bob' }));

export function tempDir(prefix = 'pilot-light-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A manually advanced clock. */
export class FakeClock {
  constructor(public time: number) {}
  now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

type CommandClass = abstract new (...args: never[]) => { input: object };

/**
 * A stand-in SDK client: answers commands with handlers keyed by command class and records every call.
 * (aws-sdk-client-mock's types lag behind this SDK's, so the safety-core tests use this instead.)
 */
export class FakeAwsClient {
  readonly calls: Array<{ name: string; input: Record<string, unknown> }> = [];
  private readonly handlers: Array<[CommandClass, (input: never) => unknown]> = [];

  on<C extends CommandClass>(command: C, handler: (input: InstanceType<C>['input']) => unknown): this {
    this.handlers.unshift([command, handler as (input: never) => unknown]);
    return this;
  }

  async send(command: { input: object }): Promise<unknown> {
    const entry = this.handlers.find(([type]) => command instanceof type);
    const name = command.constructor.name.replace(/Command$/, '');
    this.calls.push({ name, input: command.input as Record<string, unknown> });
    if (!entry)
      throw Object.assign(new Error(`FakeAwsClient has no handler for ${name}`), { name: 'UnexpectedCommand' });
    return entry[1](command.input as never);
  }

  /** Call names, with "(dry)" after DryRun probes. */
  names(): string[] {
    return this.calls.map((call) => `${call.name}${call.input.DryRun ? '(dry)' : ''}`);
  }

  inputsOf<C extends CommandClass>(command: C): Array<InstanceType<C>['input']> {
    const name = command.name.replace(/Command$/, '');
    return this.calls.filter((call) => call.name === name).map((call) => call.input as InstanceType<C>['input']);
  }
}
