// A change proposed in chat without a model: its dry-run, and a run button unless the guardrails refuse it.
import type { ChatAction, ChatFollowup } from './chatAction';
import { codeBlock, escapeMarkdown } from './markdown';

export type RunAction = Exclude<ChatAction, { kind: 'show-in-explorer' }>;

/** An answer made without a model: Markdown, buttons and follow-ups; it touches no resource itself. */
export interface ActionAnswer {
  markdown: string;
  touched: never[];
  actions: RunAction[];
  followups: ChatFollowup[];
}

export function actionAnswer(markdown: string, extra: Partial<ActionAnswer> = {}): ActionAnswer {
  return { markdown, touched: [], actions: [], followups: [], ...extra };
}

export interface DryRunPreview {
  status: 'dry-run' | 'refused' | 'failed';
  correlationId?: string;
  verdict?: string;
  text: string;
}

export interface ProposalContext {
  dryRun(operationId: string, input: Record<string, unknown>): Promise<DryRunPreview>;
  region: string;
}

/** Dry-runs `operationId` and answers with the preview and, unless refused, a button that runs it. */
export async function proposeChange(
  ctx: ProposalContext,
  label: string,
  operationId: string,
  input: Record<string, unknown>,
  intro = '',
): Promise<ActionAnswer> {
  const preview = await ctx.dryRun(operationId, input);
  if (preview.status !== 'dry-run')
    return actionAnswer(`**${escapeMarkdown(label, 200)}** cannot be previewed: ${escapeMarkdown(preview.text, 600)}`);
  const actions: RunAction[] = [];
  if (preview.verdict !== 'refused')
    actions.push({
      kind: 'run',
      title: preview.verdict === 'needs-approval' ? `Approve and run: ${label}` : `Run: ${label}`,
      operationId,
      input,
      region: ctx.region,
      correlationId: preview.correlationId,
    });
  const note =
    preview.verdict === 'refused'
      ? 'The guardrails refuse this change, so there is nothing to run.'
      : preview.verdict === 'needs-approval'
        ? 'This is a protected environment: running it asks for an approval (type the environment name).'
        : 'Review the dry-run, then use the button to run it.';
  return actionAnswer(
    `${intro}**Dry-run of "${escapeMarkdown(label, 200)}"**: nothing has changed yet.\n\n${codeBlock(preview.text)}\n\n${note}`,
    { actions },
  );
}
