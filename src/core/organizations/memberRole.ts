/**
 * The member role's options and their check, without AWS dependencies (the command line checks its flags with it
 * before loading anything else).
 */
export interface MemberAccessOptions {
  /** Role name in every member account (no path, no ARN): a user setting, never a workspace one. */
  roleName: string;
  externalId?: string;
  /** MFA device ARN or serial; the token is asked for with `mfaToken` when a session is created. */
  mfaSerial?: string;
  /** Session length; AWS caps chained roles at one hour. Default 3600. */
  durationSeconds?: number;
  sessionName?: string;
}

export const DEFAULT_MEMBER_ROLE = 'OrganizationAccountAccessRole';
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** Checks the options' form; a clear message for a bad role name, external ID or session length. */
export function validateMemberAccessOptions(options: MemberAccessOptions): string | undefined {
  if (!ROLE_NAME.test(options.roleName))
    return `The member role name "${options.roleName.slice(0, 80)}" is not an IAM role name (1-64 letters, digits or + = , . @ _ -).`;
  if (options.externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(options.externalId))
    return 'The external ID must be 2-1224 letters, digits or + = , . @ : / _ -.';
  if (options.durationSeconds !== undefined && !(options.durationSeconds >= 900 && options.durationSeconds <= 43_200))
    return 'The session duration must be from 900 to 43200 seconds.';
  return undefined;
}
