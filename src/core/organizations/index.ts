// AWS Organizations: the tree, member accounts by assumed role, cross-account reads (see docs/multi-account.md).
export { OrganizationAccess, type OrganizationAccessDeps, type RunnerLike } from './access';
export {
  accountEnvironment,
  accountsUnder,
  loadOrganizationTree,
  ORGANIZATION_LIMITS,
  type OrganizationAccount,
  type OrganizationTree,
  type OrganizationUnit,
} from './directory';
export {
  accountLabel,
  accountsSelectorSchema,
  fanOutFacts,
  fanOutRead,
  regionsSchema,
  selectAccounts,
  type AccountFact,
  type AccountsSelector,
  type FanOutResult,
} from './fanOut';
export {
  DEFAULT_MEMBER_ROLE,
  MemberAccess,
  memberProfileName,
  parseMemberProfileName,
  validateMemberAccessOptions,
  type MemberAccessOptions,
} from './memberAccess';
export { parseAccountsSelector, renderFanOut } from './render';
export { answerAcrossAccounts, type AcrossAccountsChat } from './chat';
