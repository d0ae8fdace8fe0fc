/**
 * How member accounts of an organization are reached: AssumeRole into `roleName` in each account, from the
 * management (or delegated administrator) profile's credentials. The options follow the shared-config
 * profile keys (role_arn, external_id, mfa_serial, role_session_name, duration_seconds); role chaining is the
 * base profile itself being an assume-role profile, whose credentials the SDK resolves first.
 *
 * AssumeRole is credential resolution (like a profile's role_arn), not an operation of the registry: its
 * answer is a secret and never leaves this module. Every call made WITH the credentials goes through a runner.
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import { AwsConnection, type CallerIdentity } from '../aws/connection';
import { callResiliently, CircuitBreaker, realSleep, type Sleep } from '../guardrails/resilience';
import { validateMemberAccessOptions, type MemberAccessOptions } from './memberRole';

export { DEFAULT_MEMBER_ROLE, validateMemberAccessOptions, type MemberAccessOptions } from './memberRole';

const ACCOUNT_ID = /^\d{12}$/;
/** Credentials are renewed this long before they expire. */
const RENEW_BEFORE_MS = 5 * 60_000;

/** The runner key of a member account reached from a profile: `<profile>::<account>`. */
export function memberProfileName(baseProfile: string, accountId: string): string {
  return `${baseProfile}::${accountId}`;
}

/** The profile and account of a member runner key, or undefined for an ordinary profile name. */
export function parseMemberProfileName(name: string): { baseProfile: string; accountId: string } | undefined {
  const match = /^(.+)::(\d{12})$/.exec(name);
  return match ? { baseProfile: match[1], accountId: match[2] } : undefined;
}

interface CachedSession {
  credentials: AwsCredentialIdentity;
  identity: CallerIdentity;
}

export interface MemberAccessDeps {
  /** Asks the user for the current MFA code of `serial` (only when `mfaSerial` is set). */
  mfaToken?: (serial: string) => Promise<string>;
  now?: () => number;
  sleep?: Sleep;
}

/** Member-account connections of one base connection, with assumed credentials cached per account until expiry. */
export class MemberAccess {
  private readonly sessions = new Map<string, Promise<CachedSession>>();
  private readonly connections = new Map<string, AwsConnection>();
  private readonly breaker: CircuitBreaker;
  /** AssumeRole calls made (for tests and the benchmark). */
  assumeRoleCalls = 0;

  constructor(
    readonly base: AwsConnection,
    readonly options: MemberAccessOptions,
    private readonly deps: MemberAccessDeps = {},
  ) {
    const problem = validateMemberAccessOptions(options);
    if (problem) throw new Error(problem);
    this.breaker = new CircuitBreaker();
  }

  roleArn(accountId: string, partition = 'aws'): string {
    return `arn:${partition}:iam::${accountId}:role/${this.options.roleName}`;
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** The connection for `accountId`; its credentials are assumed on first use and renewed before they expire. */
  connection(accountId: string, accountName?: string): AwsConnection {
    if (!ACCOUNT_ID.test(accountId)) throw new Error(`"${accountId.slice(0, 40)}" is not a 12-digit account ID.`);
    let connection = this.connections.get(accountId);
    if (!connection) {
      const credentials = async () => (await this.session(accountId)).credentials;
      connection = AwsConnection.assumed(
        this.base,
        memberProfileName(this.base.profileName, accountId),
        credentials,
        async () => (await this.session(accountId)).identity,
        `role ${this.options.roleName} in ${accountId}, assumed from profile "${this.base.profileName}"`,
        accountName,
      );
      this.connections.set(accountId, connection);
    } else if (accountName && connection.accountContext && !connection.accountContext.name) {
      connection.accountContext.name = accountName;
    }
    return connection;
  }

  private session(accountId: string): Promise<CachedSession> {
    const cached = this.sessions.get(accountId);
    if (cached) {
      return cached.then((session) => {
        const expires = session.credentials.expiration?.getTime() ?? Infinity;
        if (expires - RENEW_BEFORE_MS > this.now()) return session;
        if (this.sessions.get(accountId) === cached) this.sessions.delete(accountId);
        return this.session(accountId);
      });
    }
    const created = this.assume(accountId);
    this.sessions.set(accountId, created);
    created.catch(() => this.sessions.get(accountId) === created && this.sessions.delete(accountId));
    return created;
  }

  private async assume(accountId: string): Promise<CachedSession> {
    const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    const baseIdentity = await this.base.identity();
    const sts: Pick<InstanceType<typeof STSClient>, 'send'> = await this.base.client(
      { id: 'sts', create: async (config) => new STSClient(config) },
      this.base.region,
    );
    const tokenCode =
      this.options.mfaSerial && this.deps.mfaToken ? await this.deps.mfaToken(this.options.mfaSerial) : undefined;
    if (this.options.mfaSerial && !tokenCode)
      throw Object.assign(
        new Error(`An MFA code for ${this.options.mfaSerial} is needed to reach account ${accountId}.`),
        {
          name: 'MfaRequired',
        },
      );
    const sessionName = (this.options.sessionName ?? `pilot-light-${baseIdentity.account}`).slice(0, 64);
    this.assumeRoleCalls++;
    const answer = await callResiliently(
      `sts/${this.base.region}`,
      () =>
        sts.send(
          new AssumeRoleCommand({
            RoleArn: this.roleArn(accountId, /^arn:([^:]+):/.exec(baseIdentity.arn)?.[1]),
            RoleSessionName: sessionName.replace(/[^\w+=,.@-]/g, '-'),
            DurationSeconds: this.options.durationSeconds ?? 3600,
            ExternalId: this.options.externalId,
            SerialNumber: tokenCode ? this.options.mfaSerial : undefined,
            TokenCode: tokenCode,
          }),
        ),
      this.breaker,
      { sleep: this.deps.sleep ?? realSleep },
    );
    const issued = answer.Credentials;
    if (!issued?.AccessKeyId || !issued.SecretAccessKey)
      throw Object.assign(new Error(`AssumeRole into ${accountId} returned no credentials.`), {
        name: 'NoCredentials',
      });
    const arn =
      answer.AssumedRoleUser?.Arn ?? `arn:aws:sts::${accountId}:assumed-role/${this.options.roleName}/${sessionName}`;
    const account = /^arn:[^:]+:sts::(\d{12}):/.exec(arn)?.[1] ?? accountId;
    if (account !== accountId)
      throw Object.assign(
        new Error(`AssumeRole for account ${accountId} returned credentials of account ${account}.`),
        {
          name: 'AccountMismatch',
        },
      );
    return {
      credentials: {
        accessKeyId: issued.AccessKeyId,
        secretAccessKey: issued.SecretAccessKey,
        sessionToken: issued.SessionToken,
        expiration: issued.Expiration,
      },
      identity: { account, arn, userId: answer.AssumedRoleUser?.AssumedRoleId ?? 'unknown' },
    };
  }

  dispose(): void {
    for (const connection of this.connections.values()) connection.dispose();
    this.connections.clear();
    this.sessions.clear();
  }
}
