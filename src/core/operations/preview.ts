import type {
  ApprovalLevel,
  Caller,
  CostEstimate,
  DependencyFinding,
  OperationKind,
  PermissionCheck,
  Refusal,
} from './types';

export interface PreviewResource {
  type: string;
  id: string;
  name?: string;
  action: string;
  role: 'target' | 'context';
  environment: string;
  environmentSource: 'tag' | 'account' | 'unknown';
  protected: boolean;
  state?: string;
  details?: string[];
}

export type GuardrailVerdict = 'allowed' | 'needs-confirmation' | 'needs-approval' | 'refused';

/** What a mutating operation would do; shown in confirmations, approvals and LM tool prompts. */
export interface OperationPreview {
  correlationId: string;
  operationId: string;
  title: string;
  kind: OperationKind;
  destructive: boolean;
  caller: Caller;
  account: string;
  /** The account's name (AWS Organizations), when known. */
  accountName?: string;
  /** The account's IAM alias, when the runtime reads aliases and the account has one. */
  accountAlias?: string;
  /** Set when the account is a member account reached by assumed role from this profile, not the profile's own. */
  reachedFrom?: string;
  region: string;
  summary: string;
  changes: string[];
  warnings: string[];
  resources: PreviewResource[];
  environments: string[];
  protectedEnvironments: string[];
  cost: CostEstimate;
  rollback: { supported: boolean; note?: string };
  permission: PermissionCheck;
  dependencies: DependencyFinding[];
  backups: { required: boolean; planned: string[] };
  guardrails: {
    verdict: GuardrailVerdict;
    refusals: Refusal[];
    approval?: {
      level: ApprovalLevel;
      reasons: string[];
      requiredConfirmation?: string;
      requirement?: import('../guardrails/approvalPolicy').ApprovalRequirement;
    };
  };
}

/** Plain-text rendering for chat answers, tool confirmations and logs. */
/** "prod-app (111122223333, alias acme-prod)": the account as every preview, approval and answer names it. */
export function accountText(preview: Pick<OperationPreview, 'account' | 'accountName' | 'accountAlias'>): string {
  const name = preview.accountName;
  const alias = preview.accountAlias && preview.accountAlias !== name ? `alias ${preview.accountAlias}` : undefined;
  if (name) return `${name} (${[preview.account, alias].filter(Boolean).join(', ')})`;
  return alias ? `${preview.account} (${alias})` : preview.account;
}

/**
 * The sentence that says a change is not in the account the person is working in (shown in bold where markdown
 * is rendered): a member account reached by assumed role, or another account than the chat's active one.
 */
export function crossAccountNote(
  preview: Pick<OperationPreview, 'account' | 'accountName' | 'accountAlias' | 'reachedFrom'>,
  activeAccount?: string,
): string | undefined {
  if (preview.reachedFrom)
    return `This change is in account ${accountText(preview)}, a member account reached from profile "${preview.reachedFrom}", not that profile's own account${activeAccount && activeAccount !== preview.account ? ` (the chat's active account is ${activeAccount})` : ''}.`;
  if (activeAccount && activeAccount !== preview.account)
    return `This change is in account ${accountText(preview)}, not the chat's active account ${activeAccount}.`;
  return undefined;
}

/** `activeAccount`: the account the person works in (the chat's); a change elsewhere says so. */
export function formatPreview(preview: OperationPreview, activeAccount?: string): string {
  const note = crossAccountNote(preview, activeAccount);
  const lines = [
    `${preview.summary}`,
    ...(note ? [note] : []),
    `Account ${accountText(preview)}, region ${preview.region}, environment ${preview.environments.join(', ') || 'unknown'}${preview.protectedEnvironments.length ? ' (protected)' : ''}.`,
  ];
  const targets = preview.resources.filter((resource) => resource.role === 'target');
  if (targets.length)
    lines.push(
      'Resources:',
      ...targets.map(
        (resource) =>
          `  - ${resource.action} ${resource.type} ${resource.id}${resource.name && resource.name !== resource.id ? ` (${resource.name})` : ''} [${resource.environment}]`,
      ),
    );
  if (preview.changes.length) lines.push('Changes:', ...preview.changes.map((change) => `  - ${change}`));
  lines.push(`Cost: ${preview.cost.note}`);
  if (preview.backups.required) lines.push(...preview.backups.planned.map((backup) => `Backup: ${backup}`));
  lines.push(`Permission: ${preview.permission.status} (${preview.permission.detail})`);
  lines.push(
    `Rollback: ${preview.rollback.supported ? 'supported' : 'not supported'}${preview.rollback.note ? ` (${preview.rollback.note})` : ''}`,
  );
  for (const warning of preview.warnings) lines.push(`Warning: ${warning}`);
  for (const finding of preview.dependencies) lines.push(`Blocked: ${finding.message}`);
  for (const refusal of preview.guardrails.refusals) lines.push(`Refused: ${refusal.message}`);
  if (preview.guardrails.approval)
    lines.push(
      `${preview.guardrails.approval.level === 'approve' ? 'Approval' : 'Confirmation'} required: ${preview.guardrails.approval.reasons.join(' ')}`,
    );
  return lines.join('\n');
}
