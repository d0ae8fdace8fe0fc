import * as vscode from 'vscode';
import { commandRegistrar, UserError } from '../shared/commands';
import { setExternalApprovalHandler } from '../shared/externalApprovals';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { isTestMode } from '../shared/safety';
import type { ApprovalsService } from './approvalsService';
import { PENDING_APPROVALS_VIEW_ID, PendingApprovalItem, PendingApprovalsProvider } from './pendingView';

export interface ApprovalsFeature {
  provider: PendingApprovalsProvider;
  service(): Promise<ApprovalsService>;
  /**
   * Tests: drops the service (its polling loops stop) and starts a new one on the same store, as a window
   * reload's new activation would, then resumes polling.
   */
  reactivateForTests(pollScheduleMs?: number[]): Promise<ApprovalsService>;
}

/** The registered feature, for the extension's own tests (through the testing API). */
export let registeredApprovals: ApprovalsFeature | undefined;

/**
 * External approvals (Jira, ServiceNow): the Pending approvals view, sign-in commands, and the gate around the
 * runtime's approval provider. The service (and the core behind it) loads on first use; stored requests are
 * picked up and polled again shortly after activation.
 */
export function registerApprovals(ctx: PilotLightContext): ApprovalsFeature {
  let servicePromise: Promise<ApprovalsService> | undefined;
  let schedule: number[] | undefined;
  const service = (): Promise<ApprovalsService> =>
    (servicePromise ??= import('./approvalsService').then(({ ApprovalsService }) => {
      const created = new ApprovalsService(ctx);
      created.pollScheduleMs = schedule;
      ctx.extension.subscriptions.push(
        created,
        created.onDidChange(() => provider.refresh()),
      );
      return created;
    }));
  const provider = new PendingApprovalsProvider(async () => (await service()).list());
  ctx.safety.approvalGate = (inner) => ({
    id: inner.id,
    kind: inner.kind,
    requestApproval: async (request, signal) =>
      !request.requirement || request.requirement.system === 'modal'
        ? inner.requestApproval(request, signal)
        : (await service()).gate(inner).requestApproval(request, signal),
  });
  // No gate here: an approved change runs from Pending approvals only, never from an agent's call.
  ctx.safety.agentApprovals = {
    open: async (...args) => {
      const current = await service();
      const request = await (await current.coordinator()).open(...args);
      current.track(request);
      return request;
    },
    list: async () => (await service()).list(),
    poll: async (id, signal) => (await (await service()).coordinator()).poll(id, signal),
    consume: async (id, note) => (await (await service()).coordinator()).consume(id, note),
  };
  setExternalApprovalHandler({
    begin: async (steps, change, confirm) => (await service()).begin(steps, change, confirm),
    describe: ({ request }) =>
      `Approval required from: ${request.requirement.approvers?.join(', ') ?? 'anyone but you'} (${request.requirement.approvalsNeeded} needed), ticket ${request.ticket.key} in ${request.ticket.system} (${request.ticket.url}). Waiting for approval… (timeout: ${request.requirement.timeoutMinutes} minutes). Nothing runs until it is approved and you confirm again against a fresh dry-run; see Pending approvals.`,
  });
  const command = commandRegistrar(ctx);
  const idOf = (target: unknown): string => {
    if (target instanceof PendingApprovalItem) return target.request.id;
    if (typeof target === 'string') return target;
    throw new UserError('Pick a request in the Pending approvals view.');
  };
  const resumeTimer = setTimeout(
    () =>
      void service()
        .then((created) => created.resume())
        .catch((error: Error) => ctx.log.warn(`Approvals: could not resume pending requests: ${error.message}`)),
    1500,
  );
  ctx.extension.subscriptions.push(
    { dispose: () => clearTimeout(resumeTimer) },
    { dispose: () => setExternalApprovalHandler(undefined) },
    vscode.window.createTreeView(PENDING_APPROVALS_VIEW_ID, { treeDataProvider: provider, showCollapseAll: false }),
    command('pilotLight.approvals.signInJira', async (given?: { url: string; user: string; secret: string }) =>
      (await service()).signIn('jira', given),
    ),
    command('pilotLight.approvals.signInServiceNow', async (given?: { url: string; user: string; secret: string }) =>
      (await service()).signIn('servicenow', given),
    ),
    command('pilotLight.approvals.refresh', async () => {
      const current = await service();
      await current.resume();
      provider.refresh();
      return current.list();
    }),
    command('pilotLight.approvals.openTicket', async (target: unknown) => {
      const id = idOf(target);
      const request = (await (await service()).list()).find((entry) => entry.id === id);
      if (!request) throw new UserError(`No stored approval request ${id}.`);
      await vscode.env.openExternal(vscode.Uri.parse(request.ticket.url));
      return request.ticket.url;
    }),
    command('pilotLight.approvals.withdraw', async (target: unknown, options?: { confirmed?: boolean }) => {
      const id = idOf(target);
      if (!options?.confirmed) {
        const choice = await vscode.window.showWarningMessage(
          'Withdraw this approval request? The ticket is cancelled and nothing runs.',
          { modal: true },
          'Withdraw',
        );
        if (choice !== 'Withdraw') return undefined;
      }
      const withdrawn = await (await service()).withdraw(id);
      provider.refresh();
      return withdrawn;
    }),
    command('pilotLight.approvals.run', async (target: unknown) => {
      const result = await (await service()).run(idOf(target));
      provider.refresh();
      const message =
        result.status === 'succeeded'
          ? 'The approved change ran.'
          : `The approved change did not run: ${result.reason ?? result.refusal?.message ?? result.outcome.error?.message ?? result.status}`;
      if (result.status === 'succeeded') void vscode.window.showInformationMessage(message);
      else void vscode.window.showWarningMessage(message);
      return { status: result.status, message, correlationId: result.outcome.correlationId };
    }),
  );
  registeredApprovals = {
    provider,
    service,
    reactivateForTests: async (pollScheduleMs) => {
      if (!isTestMode(ctx.extension)) throw new Error("Only in the extension's own tests.");
      const old = servicePromise;
      servicePromise = undefined;
      (await old)?.dispose();
      schedule = pollScheduleMs;
      const created = await service();
      await created.resume();
      provider.refresh();
      return created;
    },
  };
  return registeredApprovals;
}
