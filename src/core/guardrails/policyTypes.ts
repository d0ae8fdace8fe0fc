/** The guardrail policy's types, apart from its parsing, so environment resolution can use them without a cycle. */
import type { ApprovalRule, ChangeWindow } from './policySchema';

export type MutatingKind = 'write' | 'delete';
export type BackupMode = 'always' | 'protected' | 'never';

/** A change window and where it came from; windows from different sources must all allow a change. */
export interface SourcedChangeWindow extends ChangeWindow {
  source: string;
}

/** An approval rule and where it came from. */
export interface SourcedApprovalRule extends ApprovalRule {
  source: string;
}

/** The policy in force: every field set. */
export interface GuardrailPolicy {
  environmentTagKeys: string[];
  accountEnvironments: Record<string, string>;
  protectedEnvironments: string[];
  treatUnknownEnvironmentAsProtected: boolean;
  approvalRequiredFor: MutatingKind[];
  confirmationRequiredFor: MutatingKind[];
  changeWindows: SourcedChangeWindow[];
  maxResourcesPerOperation: number;
  protectionTags: string[];
  backupBeforeDelete: BackupMode;
  maxMutationsPerMinute: number;
  auditReads: boolean;
  /** Approval rules from every source; all that match a change apply (see approvalRequirement). */
  approvals: SourcedApprovalRule[];
  /**
   * Set on a policy a workspace layer tightened: the policy from settings and defaults alone. Environments
   * and guardrail decisions are worked out under both, and the more protected answer is kept, so nothing a
   * workspace says (now or in fields added later) can make a decision looser than the settings make it.
   */
  floor?: GuardrailPolicy;
}
