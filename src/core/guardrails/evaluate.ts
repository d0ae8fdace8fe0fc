import type { ApprovalLevel, OperationKind, Refusal, TargetResource } from '../operations/types';
import {
  approvalRequirement,
  combineRequirements,
  unsatisfiableReason,
  type ApprovalRequirement,
} from './approvalPolicy';
import { checkChangeWindows } from './changeWindows';
import { isProtectionTagKey, protectionTagOn, resolveEnvironment, type ResolvedEnvironment } from './environment';
import type { GuardrailPolicy } from './policy';

export type { Refusal, RefusalCode } from '../operations/types';

export interface EnvironmentResource extends TargetResource {
  environment: ResolvedEnvironment;
}

export interface GuardrailFacts {
  kind: OperationKind;
  resources: TargetResource[];
  account: string;
  now: Date;
  /** Changes already run in the last minute. */
  recentMutations: number;
  /** Whether the operation has a backup step (volume delete, instance terminate). */
  hasBackupPlan: boolean;
  /** The operation's ID, for approval rules that name operations. */
  operationId?: string;
  /** Its variant for approval rules (e.g. "recovery" or "drill" of drs.recovery.start). */
  operationVariant?: string;
  /** Set for operations protected by default (service control policies): the change always needs an approval. */
  protectedReason?: string;
}

/** The environment a change to an operation protected by default is in (see `protectedReason`). */
export const ORGANIZATION_ENVIRONMENT = 'organization';

export interface GuardrailEvaluation {
  resources: EnvironmentResource[];
  environments: string[];
  protectedEnvironments: string[];
  refusals: Refusal[];
  approval?: {
    level: ApprovalLevel;
    reasons: string[];
    requiredConfirmation?: string;
    /** Set when approval rules govern the change: who approves, through which system, how many, how long. */
    requirement?: ApprovalRequirement;
  };
  backupRequired: boolean;
}

function unique(values: string[]): string[] {
  const seen = new Map<string, string>();
  for (const value of values) if (!seen.has(value.toLowerCase())) seen.set(value.toLowerCase(), value);
  return [...seen.values()];
}

/**
 * The static guardrails, as a pure function: environments, resource limit, protection tags, change windows,
 * rate limit, and whether approval or confirmation is needed. Reads are never gated. Under a policy a
 * workspace tightened, the decision is also made under its settings-only floor and the stricter of the two
 * is returned: every refusal, the higher approval level and any backup the floor asks for.
 */
export function evaluateGuardrails(policy: GuardrailPolicy, facts: GuardrailFacts): GuardrailEvaluation {
  const evaluation = evaluateUnder(policy, facts);
  return policy.floor ? stricter(evaluation, evaluateGuardrails(policy.floor, facts)) : evaluation;
}

/** `own` with everything `floor` asks for added: its refusals, a higher approval level, its backup. */
function stricter(own: GuardrailEvaluation, floor: GuardrailEvaluation): GuardrailEvaluation {
  const codes = new Set(own.refusals.map((refusal) => refusal.code));
  const result: GuardrailEvaluation = {
    ...own,
    environments: unique([...own.environments, ...floor.environments]),
    protectedEnvironments: unique([...own.protectedEnvironments, ...floor.protectedEnvironments]),
    refusals: [...own.refusals, ...floor.refusals.filter((refusal) => !codes.has(refusal.code))],
    backupRequired: own.backupRequired || floor.backupRequired,
  };
  const rank = (approval: GuardrailEvaluation['approval']) => (approval?.level === 'approve' ? 2 : approval ? 1 : 0);
  if (rank(floor.approval) > rank(own.approval)) result.approval = floor.approval;
  else if (own.approval && floor.approval)
    result.approval = { ...own.approval, reasons: [...new Set([...own.approval.reasons, ...floor.approval.reasons])] };
  // The settings' rules first, so their choice of system holds between two external ones.
  const ownRequirement = own.approval?.requirement;
  const floorRequirement = floor.approval?.requirement;
  if (result.approval && (ownRequirement || floorRequirement)) {
    const requirement =
      ownRequirement && floorRequirement
        ? combineRequirements(floorRequirement, ownRequirement)
        : (floorRequirement ?? ownRequirement);
    result.approval = { ...result.approval, requirement };
    const unsatisfiable = requirement && unsatisfiableReason(requirement);
    if (unsatisfiable && !result.refusals.some((refusal) => refusal.message === unsatisfiable))
      result.refusals = [...result.refusals, { code: 'approval-required', message: unsatisfiable }];
  }
  return result;
}

function evaluateUnder(policy: GuardrailPolicy, facts: GuardrailFacts): GuardrailEvaluation {
  const resources = facts.resources.map((resource) => ({
    ...resource,
    role: resource.role ?? 'target',
    environment: resolveEnvironment(resource.tags, facts.account, policy),
  }));
  const byProtection = [...resources].sort((a, b) => Number(b.environment.protected) - Number(a.environment.protected));
  const organizationWide = facts.protectedReason && facts.kind !== 'read' ? [ORGANIZATION_ENVIRONMENT] : [];
  const environments = unique([...organizationWide, ...byProtection.map((resource) => resource.environment.name)]);
  const protectedEnvironments = unique([
    ...organizationWide,
    ...byProtection.filter((resource) => resource.environment.protected).map((resource) => resource.environment.name),
  ]);
  const evaluation: GuardrailEvaluation = {
    resources,
    environments,
    protectedEnvironments,
    refusals: [],
    backupRequired: false,
  };
  if (facts.kind === 'read') return evaluation;

  const targets = resources.filter((resource) => resource.role === 'target');
  if (targets.length > policy.maxResourcesPerOperation) {
    evaluation.refusals.push({
      code: 'max-resources',
      message: `This operation would change ${targets.length} resources; the policy allows at most ${policy.maxResourcesPerOperation} per operation. Split it into smaller batches.`,
    });
  }

  if (facts.kind === 'delete') {
    const guarded = targets
      .map((resource) => ({ resource, tag: protectionTagOn(resource.tags, policy) }))
      .filter((entry) => entry.tag);
    if (guarded.length) {
      evaluation.refusals.push({
        code: 'protection-tag',
        message: `${guarded.map(({ resource, tag }) => `${resource.id} has the protection tag "${tag}"`).join('; ')}. Remove the tag (an approved change) before deleting.`,
        resourceIds: guarded.map(({ resource }) => resource.id),
      });
    }
  }

  const windows = checkChangeWindows(environments, policy, facts.now);
  if (!windows.allowed) {
    evaluation.refusals.push({
      code: 'change-window',
      message: windows.closed
        .map((entry) => `Changes to ${entry.environment} are outside the change window (${entry.windows.join('; ')}).`)
        .join(' '),
    });
  }

  if (facts.recentMutations >= policy.maxMutationsPerMinute) {
    evaluation.refusals.push({
      code: 'rate-limit',
      message: `${facts.recentMutations} changes ran in the last minute; the policy allows ${policy.maxMutationsPerMinute}. Wait a moment and retry.`,
    });
  }

  const reasons: string[] = [];
  let level: ApprovalLevel | undefined;
  if (organizationWide.length) {
    level = 'approve';
    reasons.push(facts.protectedReason!);
  }
  if (
    protectedEnvironments.length > organizationWide.length &&
    policy.approvalRequiredFor.includes(facts.kind as 'write' | 'delete')
  ) {
    level = 'approve';
    reasons.push(
      `${protectedEnvironments.join(', ')} ${protectedEnvironments.length > 1 ? 'are protected environments' : 'is a protected environment'}.`,
    );
  }
  const unprotecting = targets.filter(
    (resource) =>
      resource.removesTags?.some((key) => isProtectionTagKey(key, policy)) ||
      Object.entries(resource.setsTags ?? {}).some(
        ([key, value]) => isProtectionTagKey(key, policy) && /^(false|no|0|off)$/i.test(value.trim()),
      ),
  );
  if (unprotecting.length) {
    level = 'approve';
    reasons.push(`It removes the protection tag from ${unprotecting.map((resource) => resource.id).join(', ')}.`);
  }
  const requirement = approvalRequirement(policy.approvals, {
    kind: facts.kind as 'write' | 'delete',
    operationId: facts.operationId,
    operationVariant: facts.operationVariant,
    environments,
  });
  if (requirement) {
    level = 'approve';
    reasons.push(
      `The approval policy (${requirement.sources.join(', ')}) asks ${requirement.system === 'modal' ? 'for a typed confirmation' : `for ${requirement.approvalsNeeded} approval${requirement.approvalsNeeded > 1 ? 's' : ''} through ${requirement.system}`} for ${requirement.environments.join(', ')}.`,
    );
    const unsatisfiable = unsatisfiableReason(requirement);
    if (unsatisfiable) evaluation.refusals.push({ code: 'approval-required', message: unsatisfiable });
  }
  if (!level && policy.confirmationRequiredFor.includes(facts.kind as 'write' | 'delete')) {
    level = 'confirm';
    reasons.push(`${facts.kind === 'delete' ? 'Deletes' : 'Changes'} need a confirmation.`);
  }
  if (level) {
    const confirmEnvironments = protectedEnvironments.length
      ? protectedEnvironments
      : unique([...unprotecting.map((resource) => resource.environment.name), ...(requirement?.environments ?? [])]);
    evaluation.approval = {
      level,
      reasons,
      requiredConfirmation: level === 'approve' ? confirmEnvironments.join(', ') : undefined,
      ...(requirement ? { requirement } : {}),
    };
  }

  evaluation.backupRequired =
    facts.kind === 'delete' &&
    facts.hasBackupPlan &&
    (policy.backupBeforeDelete === 'always' ||
      (policy.backupBeforeDelete === 'protected' && targets.some((resource) => resource.environment.protected)));
  return evaluation;
}
