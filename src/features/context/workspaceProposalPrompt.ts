import * as vscode from 'vscode';
import {
  describeWorkspaceValues,
  type ConnectionSettingsDecision,
  type WorkspaceValues,
} from '../../core/aws/workspaceProposal';
import type { PilotLightContext } from '../shared/pilotLightContext';

export type ProposalAnswer = 'allow' | 'decline' | undefined;
/** Shows the question; undefined when dismissed without an answer. */
export type ProposalPrompt = (message: string, proposal: WorkspaceValues) => Thenable<ProposalAnswer>;

const ALLOW = 'Allow';
const DECLINE = "Don't Allow";

export function proposalQuestion(proposal: WorkspaceValues): string {
  const redirects = Boolean(proposal.endpointUrl || proposal.serviceEndpoints);
  return (
    `This workspace's settings ask Pilot Light to use ${describeWorkspaceValues(proposal)}. ` +
    `${redirects ? 'Your AWS requests, signed with your credentials, would be sent to that endpoint, and its answers shown as your resources. ' : ''}` +
    'Allow it for this workspace? Until you do, your user settings apply.'
  );
}

const showQuestion: ProposalPrompt = async (message) => {
  const picked = await vscode.window.showWarningMessage(message, ALLOW, DECLINE);
  return picked === ALLOW ? 'allow' : picked === DECLINE ? 'decline' : undefined;
};

/**
 * Asks once per session and proposal when a workspace proposes a profile, region or endpoint; the answer is
 * remembered for the workspace. A dismissed question stays pending (the status bar shows it) until reviewed.
 */
export class WorkspaceProposalPrompter implements vscode.Disposable {
  private readonly asked = new Set<string>();
  private prompt: ProposalPrompt = showQuestion;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly ctx: PilotLightContext) {
    this.subscription = ctx.connectionSettings.onDidChange(({ decision }) => void this.askIfPending(decision));
    // After activation: the question is not part of the activation's work.
    setTimeout(() => void this.askIfPending(ctx.connectionSettings.current()), 0);
  }

  /** Only for the extension's own tests: answers questions instead of a notification (undefined: the notification again). */
  setPromptForTests(prompt: ProposalPrompt | undefined): void {
    this.prompt = prompt ?? showQuestion;
  }

  private async askIfPending(decision: ConnectionSettingsDecision): Promise<void> {
    if (decision.state !== 'pending' || !decision.proposalKey || this.asked.has(decision.proposalKey)) return;
    await this.ask(decision);
  }

  /** The status bar's and the command's way back to a question: asks again, whatever was answered. */
  async review(): Promise<void> {
    const decision = this.ctx.connectionSettings.current();
    if (decision.state === 'restricted') {
      void vscode.window.showInformationMessage(
        `Restricted Mode: Pilot Light ignores this workspace's ${describeWorkspaceValues(decision.ignored)}. Trust the workspace to be asked about them.`,
      );
      return;
    }
    if (!decision.proposalKey) {
      const loopback = describeWorkspaceValues(decision.fromWorkspace);
      void vscode.window.showInformationMessage(
        loopback
          ? `This workspace's settings set ${loopback}, used without asking because it is on this machine (loopback).`
          : 'This workspace proposes no AWS profile, region or endpoint.',
      );
      return;
    }
    await this.ask(decision);
  }

  private async ask(decision: ConnectionSettingsDecision): Promise<void> {
    const key = decision.proposalKey!;
    this.asked.add(key);
    const answer = await this.prompt(proposalQuestion(decision.proposal), decision.proposal);
    if (!answer) return;
    await this.ctx.connectionSettings.remember(key, answer === 'allow' ? 'allowed' : 'declined');
    this.ctx.log.info(
      `Workspace settings proposal (${describeWorkspaceValues(decision.proposal)}): ${answer === 'allow' ? 'allowed' : 'not allowed'} by the user.`,
    );
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
