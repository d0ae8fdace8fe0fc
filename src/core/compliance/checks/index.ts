import { CIS_CHECKS } from './cis';
import type { ScopedComplianceCheck } from './common';
import { awsConfigCheck, securityHubCheck } from './external';
import { tagPolicyCheck } from './tags';

export { CIS_CHECKS } from './cis';
export { awsConfigCheck, securityHubCheck } from './external';
export { tagPolicyCheck, TAGGABLE_TYPES } from './tags';
export type { CheckScope, ScopedComplianceCheck } from './common';

/** Every check Pilot Light runs, in report order. */
export const ALL_CHECKS: readonly ScopedComplianceCheck[] = Object.freeze([
  ...CIS_CHECKS,
  tagPolicyCheck,
  awsConfigCheck,
  securityHubCheck,
]);
