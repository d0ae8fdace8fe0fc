/** The approval policy: which rules govern a change, and the one requirement they add up to. */
import type { ApprovalSystem } from './policySchema';
import type { SourcedApprovalRule } from './policyTypes';

export const DEFAULT_APPROVAL_TIMEOUT_MINUTES = 30;

/** What every matching rule together asks for. */
export interface ApprovalRequirement {
  system: ApprovalSystem;
  /** Who may approve; undefined: anyone but the requester; empty: the rules name no one in common. */
  approvers?: string[];
  /** Distinct approvers needed, never counting the requester. */
  approvalsNeeded: number;
  timeoutMinutes: number;
  /** ServiceNow assignment group. */
  assignmentGroup?: string;
  /** The environments the matching rules named. */
  environments: string[];
  /** Where the matching rules came from (settings, a workspace file). */
  sources: string[];
}

const SYSTEM_RANK: Record<ApprovalSystem, number> = { modal: 0, jira: 1, servicenow: 1 };

export function isExternalSystem(system: ApprovalSystem): system is 'jira' | 'servicenow' {
  return SYSTEM_RANK[system] > 0;
}

function uniqueCaseless(values: Iterable<string>): string[] {
  const seen = new Map<string, string>();
  for (const value of values) if (!seen.has(value.toLowerCase())) seen.set(value.toLowerCase(), value);
  return [...seen.values()];
}

/**
 * The stricter union of two requirements: the external system over the modal (between two external
 * systems, `first`'s, so the settings' choice holds when they are given first), the larger number of
 * approvals, the shorter timeout, and only approvers both name.
 */
export function combineRequirements(first: ApprovalRequirement, second: ApprovalRequirement): ApprovalRequirement {
  const system = SYSTEM_RANK[second.system] > SYSTEM_RANK[first.system] ? second.system : first.system;
  let approvers: string[] | undefined;
  if (first.approvers && second.approvers) {
    const other = new Set(second.approvers.map((name) => name.toLowerCase()));
    approvers = first.approvers.filter((name) => other.has(name.toLowerCase()));
  } else approvers = first.approvers ?? second.approvers;
  return {
    system,
    approvers,
    approvalsNeeded: Math.max(first.approvalsNeeded, second.approvalsNeeded),
    timeoutMinutes: Math.min(first.timeoutMinutes, second.timeoutMinutes),
    assignmentGroup: first.assignmentGroup ?? second.assignmentGroup,
    environments: uniqueCaseless([...first.environments, ...second.environments]),
    sources: uniqueCaseless([...first.sources, ...second.sources]),
  };
}

export interface ApprovalRuleFacts {
  kind: 'write' | 'delete';
  operationId?: string;
  operationVariant?: string;
  /** Every environment the change touches. */
  environments: string[];
}

/** "<id>" names every variant of the operation, "<id>:<variant>" only that one. */
function namesOperation(name: string, facts: ApprovalRuleFacts): boolean {
  if (!facts.operationId) return false;
  return (
    name === facts.operationId ||
    (facts.operationVariant !== undefined && name === `${facts.operationId}:${facts.operationVariant}`)
  );
}

/** The requirement of every rule that governs the change (rules in policy order), or undefined when none does. */
export function approvalRequirement(
  rules: readonly SourcedApprovalRule[],
  facts: ApprovalRuleFacts,
): ApprovalRequirement | undefined {
  const touched = new Set(facts.environments.map((name) => name.toLowerCase()));
  let requirement: ApprovalRequirement | undefined;
  for (const rule of rules) {
    const environments = rule.environments.filter((name) => touched.has(name.toLowerCase()));
    if (!environments.length) continue;
    if (rule.kinds && !rule.kinds.includes(facts.kind)) continue;
    if (rule.operations && !rule.operations.some((name) => namesOperation(name, facts))) continue;
    const own: ApprovalRequirement = {
      system: rule.system,
      approvers: rule.approvers ? uniqueCaseless(rule.approvers) : undefined,
      approvalsNeeded: rule.approvalsNeeded ?? 1,
      timeoutMinutes: rule.timeoutMinutes ?? DEFAULT_APPROVAL_TIMEOUT_MINUTES,
      assignmentGroup: rule.assignmentGroup,
      environments,
      sources: [rule.source],
    };
    requirement = requirement ? combineRequirements(requirement, own) : own;
  }
  return requirement;
}

/** Why a requirement cannot be met at all, or undefined when it can. */
export function unsatisfiableReason(requirement: ApprovalRequirement): string | undefined {
  if (requirement.approvers && requirement.approvers.length === 0)
    return `The approval rules for ${requirement.environments.join(', ')} (${requirement.sources.join(', ')}) name no approver in common, so no one can approve this change. Align the approver lists.`;
  if (requirement.approvers && requirement.approvers.length < requirement.approvalsNeeded)
    return `The approval rules for ${requirement.environments.join(', ')} need ${requirement.approvalsNeeded} approvals but name only ${requirement.approvers.length} approver(s) in common.`;
  if (!isExternalSystem(requirement.system) && (requirement.approvers || requirement.approvalsNeeded > 1))
    return `The approval rules for ${requirement.environments.join(', ')} name approvers or need ${requirement.approvalsNeeded} approvals, which a modal confirmation by the requester cannot give. Use "jira" or "servicenow" as the system.`;
  return undefined;
}
