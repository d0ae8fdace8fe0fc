import { join } from 'node:path';
import * as vscode from 'vscode';
import { AuditTrail } from '../../core/audit/auditTrail';
import { ApprovalCoordinator, beginChange } from '../../core/approvals/coordinator';
import { JiraTicketSystem, type JiraCredentials, type JiraSettings } from '../../core/approvals/jira';
import { ServiceNowTicketSystem, type ServiceNowCredentials } from '../../core/approvals/servicenow';
import { PendingApprovalStore } from '../../core/approvals/store';
import { checkInstanceUrl } from '../../core/approvals/http';
import type { PendingApproval, TicketSystem, TicketSystemId } from '../../core/approvals/types';
import type { ApprovalProvider } from '../../core/guardrails/approval';
import type { ChangeRequest, ChangeSteps, ConfirmChange } from '../../core/runtime/changeFlow';
import { approverName } from '../shared/modalApprovalProvider';
import { OperationService } from '../shared/operationService';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { isTestMode } from '../shared/safety';

const SECRET_KEYS: Record<TicketSystemId, string> = {
  jira: 'pilotLight.approvals.jira.credentials',
  servicenow: 'pilotLight.approvals.servicenow.credentials',
};
const SYSTEM_NAMES: Record<TicketSystemId, string> = { jira: 'Jira', servicenow: 'ServiceNow' };

/** A user-level setting only: a workspace must not say where credentials are sent. */
function userSetting<T>(key: string): T | undefined {
  return vscode.workspace.getConfiguration().inspect<T>(key)?.globalValue;
}

/**
 * The editor's side of external approvals: ticket systems from user settings and SecretStorage, the
 * persisted requests (global storage), one polling loop per open request (resumed after a reload), the
 * notifications, and the gate around the runtime's approval provider.
 */
export class ApprovalsService implements vscode.Disposable {
  private coordinatorPromise?: Promise<ApprovalCoordinator>;
  private readonly loops = new Map<string, AbortController>();
  private readonly changeEmitter = new vscode.EventEmitter<PendingApproval | undefined>();
  readonly onDidChange = this.changeEmitter.event;
  /** Schedule for tests: the core's POLL_SCHEDULE_MS otherwise. */
  pollScheduleMs?: number[];

  constructor(private readonly ctx: PilotLightContext) {}

  storePath(): string {
    return join(this.ctx.extension.globalStorageUri.fsPath, 'approvals', 'pending.json');
  }

  coordinator(): Promise<ApprovalCoordinator> {
    this.coordinatorPromise ??= Promise.resolve(
      new ApprovalCoordinator({
        store: new PendingApprovalStore(this.storePath()),
        system: (id) => this.system(id),
        // The trail the runtime writes to now (its path setting may change while the service lives).
        audit: { append: (entry) => new AuditTrail(this.ctx.safety.auditPath()).append(entry) },
        pollScheduleMs: this.pollScheduleMs,
        onChange: (request) => this.changeEmitter.fire(request),
      }),
    );
    return this.coordinatorPromise;
  }

  async list(): Promise<PendingApproval[]> {
    return (await this.coordinator()).list();
  }

  /** The configured system with its stored credentials, or an error that says which command fixes it. */
  async system(id: TicketSystemId): Promise<TicketSystem> {
    const name = SYSTEM_NAMES[id];
    const raw = await this.ctx.extension.secrets.get(SECRET_KEYS[id]);
    const url = userSetting<string>(`pilotLight.approvals.${id}.url`)?.trim();
    if (!raw || !url) throw new Error(`${name} is not set up: run "Pilot Light: Sign in to ${name}".`);
    let credentials: unknown;
    try {
      credentials = JSON.parse(raw);
    } catch {
      throw new Error(`The stored ${name} credentials are unreadable: run "Pilot Light: Sign in to ${name}" again.`);
    }
    if (id === 'jira') {
      const settings: JiraSettings = {
        baseUrl: url,
        projectKey: userSetting<string>('pilotLight.approvals.jira.projectKey') ?? '',
        issueType: userSetting<string>('pilotLight.approvals.jira.issueType'),
        approvedStatuses: userSetting<string[]>('pilotLight.approvals.jira.approvedStatuses') ?? ['Approved'],
        rejectedStatuses: userSetting<string[]>('pilotLight.approvals.jira.rejectedStatuses') ?? [
          'Declined',
          'Rejected',
        ],
        cancelledStatuses: userSetting<string[]>('pilotLight.approvals.jira.cancelledStatuses') ?? [
          'Cancelled',
          'Canceled',
        ],
        fieldsTemplate: userSetting<Record<string, unknown>>('pilotLight.approvals.jira.fieldsTemplate'),
      };
      return new JiraTicketSystem(settings, credentials as JiraCredentials);
    }
    return new ServiceNowTicketSystem(
      {
        baseUrl: url,
        fieldsTemplate: userSetting<Record<string, unknown>>('pilotLight.approvals.servicenow.fieldsTemplate'),
      },
      credentials as ServiceNowCredentials,
    );
  }

  /** Asks for the instance URL (when unset) and the credentials; stores them in SecretStorage only. */
  async signIn(id: TicketSystemId, given?: { url: string; user: string; secret: string }): Promise<boolean> {
    const name = SYSTEM_NAMES[id];
    const setting = `pilotLight.approvals.${id}.url`;
    // Answers passed as arguments are accepted in the extension's own tests only: no other extension may point tickets elsewhere.
    if (given && !isTestMode(this.ctx.extension)) throw new Error(`Sign in to ${name} asks its questions itself.`);
    if (given) checkInstanceUrl(given.url, name);
    const url =
      given?.url ??
      (await vscode.window.showInputBox({
        title: `Sign in to ${name} (1/3): instance URL`,
        value: userSetting<string>(setting) ?? '',
        placeHolder: id === 'jira' ? 'https://your-site.atlassian.net' : 'https://your-instance.service-now.com',
        ignoreFocusOut: true,
        validateInput: (value) => {
          try {
            checkInstanceUrl(value, name);
            return undefined;
          } catch (error) {
            return (error as Error).message;
          }
        },
      }));
    if (url === undefined) return false;
    const user =
      given?.user ??
      (await vscode.window.showInputBox({
        title: `Sign in to ${name} (2/3): ${id === 'jira' ? 'Atlassian account e-mail (empty for a Data Center personal access token)' : 'user name'}`,
        ignoreFocusOut: true,
      }));
    if (user === undefined) return false;
    const secret =
      given?.secret ??
      (await vscode.window.showInputBox({
        title: `Sign in to ${name} (3/3): ${id === 'jira' ? 'API token' : 'password'}`,
        password: true,
        ignoreFocusOut: true,
        validateInput: (value) => (value ? undefined : 'Required.'),
      }));
    if (!secret) return false;
    const credentials =
      id === 'jira' ? { email: user.trim() || undefined, token: secret } : { username: user.trim(), password: secret };
    await this.ctx.extension.secrets.store(SECRET_KEYS[id], JSON.stringify(credentials));
    await vscode.workspace.getConfiguration().update(setting, url.trim(), vscode.ConfigurationTarget.Global);
    this.ctx.log.info(
      `Approvals: signed in to ${name} at ${new URL(url.trim()).origin} (credentials in SecretStorage).`,
    );
    return true;
  }

  /** Wraps the runtime's approval provider: external rules need an approved ticket, checked with the system now. */
  gate(inner: ApprovalProvider): ApprovalProvider {
    return {
      id: inner.id,
      kind: inner.kind,
      requestApproval: async (request, signal) => {
        if (!request.requirement || request.requirement.system === 'modal')
          return inner.requestApproval(request, signal);
        return (await this.coordinator()).gate(inner).requestApproval(request, signal);
      },
    };
  }

  async begin(steps: ChangeSteps, change: ChangeRequest, confirm: ConfirmChange) {
    const result = await beginChange(steps, change, confirm, async (preview) =>
      (await this.coordinator()).open(
        preview,
        change.input,
        change.caller,
        approverName(),
        change.profile,
        change.signal,
      ),
    );
    if (result.status === 'pending') this.track(result.request);
    return result;
  }

  /** Resumes polling every stored request that is still waiting (after a reload). */
  async resume(): Promise<void> {
    for (const request of await this.list())
      if (request.state === 'pending' || request.state === 'approved') this.track(request);
  }

  /** Polls a request in the background until it is decided, then says so. */
  track(request: PendingApproval): void {
    if (this.loops.has(request.id) || (request.state !== 'pending' && request.state !== 'approved')) return;
    const controller = new AbortController();
    this.loops.set(request.id, controller);
    void (async () => {
      try {
        const coordinator = await this.coordinator();
        const decided =
          request.state === 'approved' ? request : await coordinator.waitForDecision(request.id, controller.signal);
        this.notify(decided);
      } catch (error) {
        if (!controller.signal.aborted)
          this.ctx.log.warn(`Approvals: polling ${request.ticket.key} stopped: ${(error as Error).message}`);
      } finally {
        this.loops.delete(request.id);
      }
    })();
  }

  /** IDs of requests being polled now (for tests and the view). */
  polling(): string[] {
    return [...this.loops.keys()];
  }

  private notify(request: PendingApproval): void {
    const label = `${SYSTEM_NAMES[request.ticket.system]} ${request.ticket.key}`;
    if (request.state === 'approved') {
      void vscode.window
        .showInformationMessage(
          `${label} was approved by ${request.approvers.join(', ')}: ${request.summary}. Run it now? You confirm once more against a fresh dry-run.`,
          'Run Now',
          'Open Ticket',
        )
        .then((choice) => {
          if (choice === 'Run Now') void vscode.commands.executeCommand('pilotLight.approvals.run', request.id);
          else if (choice === 'Open Ticket') void vscode.env.openExternal(vscode.Uri.parse(request.ticket.url));
        });
    } else {
      void vscode.window.showWarningMessage(`${label}: ${request.state}; nothing was changed. ${request.reason ?? ''}`);
    }
  }

  async withdraw(id: string): Promise<PendingApproval> {
    this.loops.get(id)?.abort();
    return (await this.coordinator()).withdraw(id, `withdrawn by ${approverName()} in VS Code`);
  }

  /** Runs an approved request: fresh dry-run, fresh confirmation (through the gate), then the change. */
  async run(id: string) {
    const service = OperationService.for(this.ctx);
    const steps: ChangeSteps = {
      run: (operationId, input, options) =>
        Promise.resolve(
          vscode.window.withProgress(
            {
              location: vscode.ProgressLocation.Notification,
              title: `Pilot Light: ${options.mode === 'dry-run' ? 'checking' : 'running'} the approved change…`,
            },
            () => service.run(operationId, input, options),
          ),
        ),
      recordDeclined: (dryRun, input, decision, profile) => service.recordDeclined(dryRun, input, decision, profile),
    };
    return (await this.coordinator()).run(id, steps, (preview) => service.confirm(preview, 'command'));
  }

  dispose(): void {
    for (const controller of this.loops.values()) controller.abort();
    this.loops.clear();
    this.changeEmitter.dispose();
  }
}
