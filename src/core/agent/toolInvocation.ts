import type { EnvironmentResolver } from '../insights/facts';
import { accountText, formatPreview, type OperationPreview } from '../operations/preview';
import type { RunOutcome } from '../operations/runner';
import type { RunMode } from '../operations/types';
import { escapeMarkdown } from '../conversation/markdown';
import { renderConfirmation } from '../conversation/render';
import { describeProblem } from '../runtime/changeFlow';
import { describeRequest, matchingRequest, type AgentApprovals } from '../approvals/agentApprovals';
import { isExternalSystem } from '../guardrails/approvalPolicy';
import { acrossAccountsOf, isWriteTool, operationCall, type ToolSpec } from './toolCatalog';
import { compactReadOutput, type ToolPayload } from './toolResults';

/** What an agent front end (LM tools, the MCP server) gives the tool calls: runs under its caller, through the runtime. */
export interface AgentToolHost {
  run(
    operationId: string,
    input: unknown,
    /** `profile`: the runner key of the account a call names (from `profileForAccount`); absent: the host's own. */
    options: { mode: RunMode; correlationId?: string; signal?: AbortSignal; profile?: string },
  ): Promise<RunOutcome>;
  /**
   * The runner key of a change in `account` (a tool's `account`), checked against the organization; without it
   * such calls are answered "not supported".
   */
  profileForAccount?(account: string): Promise<{ profile: string } | { problem: string }>;
  environmentResolver(): Promise<EnvironmentResolver>;
  currentRegion(): Promise<string>;
  /** The account the chat works in; a change previewed in another account says so in bold. */
  activeAccount?(): Promise<string | undefined>;
  /** A read across the organization's accounts (`accounts`, `regions`); without it such calls are answered "not supported". */
  readAcrossAccounts?(
    operationId: string,
    input: unknown,
    across: { accounts: unknown; regions?: unknown },
    signal?: AbortSignal,
  ): Promise<ToolPayload>;
  /** Jira/ServiceNow change requests: a write an approval rule sends there opens a ticket instead of running. */
  externalApprovals?: AgentApprovals;
  /** Who asked, for the ticket (never a credential). */
  requestedBy?: string;
}

/** What to show before a tool call runs. */
export type ToolPreparation =
  /** Nothing to confirm: a read, a dry-run, or a call that is refused again, deterministically, when invoked. */
  | { kind: 'message'; message: string; operationId?: string; status?: string; problem?: string }
  /** A change that could not be previewed (maybe transiently): confirm it without a preview. */
  | { kind: 'unpreviewed'; operationId: string; status: string; problem: string; title: string; markdown: string }
  /** A change with its dry-run preview to confirm; `correlationId` links the confirmed preview with the execution. */
  | {
      kind: 'preview';
      operationId: string;
      input: unknown;
      status: string;
      preview: OperationPreview;
      correlationId: string;
      title: string;
      markdown: string;
      message: string;
    };

/** `profile` only when a call names an account: a host's own default stays in force otherwise. */
const where = (profile: string | undefined) => (profile === undefined ? {} : { profile });

/** Where a call runs: the host's own account, or the account it names (checked by the host). */
async function placeOf(
  account: string | undefined,
  host: AgentToolHost,
): Promise<{ ok: true; profile?: string } | { ok: false; message: string }> {
  if (account === undefined) return { ok: true };
  if (!host.profileForAccount)
    return { ok: false, message: `Not supported yet here: a change in another account (${account}).` };
  const found = await host.profileForAccount(account).catch((error: Error) => ({ problem: error.message }));
  return 'problem' in found
    ? { ok: false, message: `Nothing was changed: ${found.problem}` }
    : { ok: true, profile: found.profile };
}

/** Dry-runs a write tool's call for its confirmation; reads and dry-runs need none. */
export async function prepareToolCall(
  spec: ToolSpec,
  rawInput: unknown,
  host: AgentToolHost,
  signal?: AbortSignal,
): Promise<ToolPreparation> {
  const call = operationCall(spec, rawInput);
  if (!call.ok) return { kind: 'message', message: call.message };
  if (!isWriteTool(spec))
    return {
      kind: 'message',
      message: `${spec.kind === 'dry-run' ? 'Dry-running' : 'Reading'} ${call.operationId}`,
      operationId: call.operationId,
    };
  const place = await placeOf(call.account, host);
  if (!place.ok)
    return {
      kind: 'message',
      message: `${call.operationId}: ${place.message}`,
      operationId: call.operationId,
      status: 'refused',
      problem: place.message,
    };
  const dryRun = await host.run(call.operationId, call.input, { mode: 'dry-run', signal, ...where(place.profile) });
  if (!dryRun.preview) {
    const problem = describeProblem(dryRun);
    if (dryRun.refusal?.code === 'invalid-input' || dryRun.refusal?.code === 'unknown-operation')
      return {
        kind: 'message',
        message: `${call.operationId}: ${problem}`,
        operationId: call.operationId,
        status: dryRun.status,
        problem,
      };
    return {
      kind: 'unpreviewed',
      operationId: call.operationId,
      status: dryRun.status,
      problem,
      title: `Run ${call.operationId} without a preview?`,
      markdown: `Pilot Light could not preview this change: ${escapeMarkdown(problem, 600)}\n\nIf you continue, every guardrail is still checked and approvals are still asked.`,
    };
  }
  const preview = dryRun.preview;
  const activeAccount = await host.activeAccount?.().catch(() => undefined);
  return {
    kind: 'preview',
    operationId: call.operationId,
    input: call.input,
    status: preview.guardrails.verdict,
    preview,
    correlationId: dryRun.correlationId,
    title:
      preview.guardrails.verdict === 'refused' ? `Pilot Light will refuse: ${preview.summary}` : `${preview.summary}?`,
    markdown: renderConfirmation(preview, formatPreview(preview, activeAccount), activeAccount),
    message: `${preview.summary} (account ${accountText(preview)}, ${preview.region}, ${preview.environments.join(', ') || 'unknown'})`,
  };
}

function targetsOf(outcome: RunOutcome): NonNullable<ToolPayload['resources']> {
  const preview = outcome.preview;
  if (!preview) return [];
  return preview.resources
    .filter((resource) => resource.role === 'target' && !resource.id.startsWith('('))
    .map((resource) => ({
      type: resource.type,
      id: resource.id,
      name: resource.name,
      environment: resource.environment,
      region: preview.region,
    }));
}

/**
 * Runs a tool call through the host and describes the result for the model. A write runs only after its
 * confirmation was shown; the runtime checks every guardrail again and asks for the approvals the policy requires.
 */
export async function invokeToolCall(
  spec: ToolSpec,
  rawInput: unknown,
  host: AgentToolHost,
  options: { correlationId?: string; signal?: AbortSignal } = {},
): Promise<ToolPayload> {
  const call = operationCall(spec, rawInput);
  if (!call.ok) return { tool: spec.name, status: 'not-allowed', summary: call.message };
  const { signal } = options;

  if (spec.kind === 'read') {
    const across = acrossAccountsOf(spec, rawInput);
    if (across) {
      if (!host.readAcrossAccounts)
        return {
          tool: spec.name,
          status: 'failed',
          operation: call.operationId,
          summary: 'Not supported yet here: reads across accounts. Read without "accounts" for the current account.',
        };
      return host.readAcrossAccounts(call.operationId, call.input, across, signal);
    }
    const outcome = await host.run(call.operationId, call.input, { mode: 'execute', signal });
    if (outcome.status !== 'succeeded')
      return {
        tool: spec.name,
        status: outcome.status === 'refused' ? 'refused' : 'failed',
        operation: call.operationId,
        summary: describeProblem(outcome),
      };
    const resolve = await host.environmentResolver();
    const region = (outcome.preview?.region ?? undefined) || (await host.currentRegion());
    const compact = compactReadOutput(call.operationId, outcome.output, region, resolve);
    return {
      tool: spec.name,
      status: 'succeeded',
      operation: call.operationId,
      summary: compact.count !== undefined ? `${compact.count} item(s).` : 'Done.',
      resources: compact.resources,
      data: compact.data,
    };
  }

  const place = await placeOf(call.account, host);
  if (!place.ok) return { tool: spec.name, status: 'refused', operation: call.operationId, summary: place.message };
  const profile = place.profile;

  if (spec.kind === 'dry-run') {
    const outcome = await host.run(call.operationId, call.input, { mode: 'dry-run', signal, ...where(profile) });
    if (!outcome.preview)
      return {
        tool: spec.name,
        status: outcome.status === 'refused' ? 'refused' : 'failed',
        operation: call.operationId,
        summary: describeProblem(outcome),
      };
    return {
      tool: spec.name,
      status: 'dry-run',
      operation: call.operationId,
      summary: `Dry-run only, nothing changed. Verdict: ${outcome.preview.guardrails.verdict}.`,
      resources: targetsOf(outcome),
      data: { preview: formatPreview(outcome.preview), input: call.input },
      correlationId: outcome.correlationId,
    };
  }

  if (host.externalApprovals) {
    const pending = await requestExternalApproval(
      spec,
      call.operationId,
      call.input,
      host,
      host.externalApprovals,
      signal,
      profile,
    );
    if (pending) return pending;
  }
  const outcome = await host.run(call.operationId, call.input, {
    mode: 'execute',
    correlationId: options.correlationId,
    signal,
    ...where(profile),
  });
  const resources = targetsOf(outcome);
  if (outcome.status === 'succeeded') {
    const backups = outcome.backups.length
      ? ` Backups: ${outcome.backups.map((backup) => `${backup.kind} ${backup.id}`).join(', ')}.`
      : '';
    return {
      tool: spec.name,
      status: 'succeeded',
      operation: call.operationId,
      summary: `${outcome.preview?.summary ?? call.operationId}: done.${backups}`,
      resources,
      data: outcome.output,
      correlationId: outcome.correlationId,
    };
  }
  return {
    tool: spec.name,
    status: outcome.status === 'refused' ? 'refused' : 'failed',
    operation: call.operationId,
    summary: `${describeProblem(outcome)} Nothing was changed${outcome.status === 'failed' ? ' (unless the error says otherwise)' : ''}. Tell the user; do not retry it another way. They can review it with the Dry-run button and approve it themselves.`,
    resources,
    data: { input: call.input },
    correlationId: outcome.correlationId,
  };
}

/** Dry-run correlation IDs by call, so the audit links a confirmed preview with its execution (bounded). */
export class PreparedCalls {
  private readonly prepared = new Map<string, string>();

  constructor(private readonly limit = 50) {}

  private key(operationId: string, input: unknown): string {
    return JSON.stringify([operationId, input]);
  }

  remember(operationId: string, input: unknown, correlationId: string): void {
    this.prepared.set(this.key(operationId, input), correlationId);
    if (this.prepared.size > this.limit) this.prepared.delete(this.prepared.keys().next().value!);
  }

  take(operationId: string, input: unknown): string | undefined {
    const key = this.key(operationId, input);
    const id = this.prepared.get(key);
    this.prepared.delete(key);
    return id;
  }
}

/**
 * A write an approval rule sends to Jira or ServiceNow: opens the change ticket (or reports the one already
 * open) and returns `pending-approval`; nothing runs. An approved ticket also answers here: the change runs from
 * Pending approvals, with a fresh dry-run and the person's confirmation, never from the agent's call.
 * Undefined when no such rule applies (the ordinary execution follows).
 */
async function requestExternalApproval(
  spec: ToolSpec,
  operationId: string,
  input: unknown,
  host: AgentToolHost,
  approvals: AgentApprovals,
  signal?: AbortSignal,
  profile?: string,
): Promise<ToolPayload | undefined> {
  const dryRun = await host.run(operationId, input, { mode: 'dry-run', signal, ...where(profile) });
  const preview = dryRun.preview;
  const requirement = preview?.guardrails.approval?.requirement;
  if (!preview || preview.guardrails.verdict === 'refused' || !requirement || !isExternalSystem(requirement.system))
    return undefined;
  try {
    const stored = await approvals.list();
    const existing = matchingRequest(stored, preview, ['approved', 'pending']);
    const request = existing
      ? await approvals.poll(existing.id, signal)
      : await approvals.open(preview, input, 'lm-tool', host.requestedBy ?? 'AI agent', profile, signal);
    const next =
      request.state === 'approved'
        ? 'It is approved: the person runs it from Pending approvals (Run Approved Change), after a fresh dry-run and their confirmation.'
        : `The change does not run until someone else approves the ticket in ${request.ticket.system}; see Pending approvals.`;
    return {
      tool: spec.name,
      status: 'pending-approval',
      operation: operationId,
      summary: `${existing ? 'Already requested' : 'Change request opened'}: ${describeRequest(request)}. Nothing was changed. ${next} Nothing you send can approve it.`,
      data: { ticket: request.ticket.key, url: request.ticket.url, state: request.state },
      correlationId: request.id,
    };
  } catch (error) {
    return {
      tool: spec.name,
      status: 'refused',
      operation: operationId,
      summary: `The change needs an approved ${requirement.system} ticket, and it could not be opened or read: ${(error as Error).message} Nothing was changed.`,
    };
  }
}
