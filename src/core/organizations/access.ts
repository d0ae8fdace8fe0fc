import type { AwsConnection } from '../aws/connection';
import type { GuardrailPolicy } from '../guardrails/policyTypes';
import type { RunOutcome } from '../operations/runner';
import type { Caller } from '../operations/types';
import { loadOrganizationTree, type OrganizationRead, type OrganizationTree } from './directory';
import { fanOutRead, selectAccounts, type AccountsSelector, type FanOutAccount, type FanOutResult } from './fanOut';
import { MemberAccess, memberProfileName, type MemberAccessDeps, type MemberAccessOptions } from './memberAccess';

export interface RunnerLike {
  run(operationId: string, input: unknown, options: object): Promise<RunOutcome>;
}

export interface OrganizationAccessDeps extends MemberAccessDeps {
  /** The runner for a runner key: the base profile's name, or a member's `memberProfileName`. */
  runner(profileName: string): Promise<RunnerLike>;
  policy(): GuardrailPolicy | Promise<GuardrailPolicy>;
}

/**
 * One organization as seen from a profile (its management or delegated administrator account): the tree,
 * member connections by assumed role, and cross-account reads. Every AWS call runs through a runner: the base
 * profile's for Organizations reads and the management account's own resources, a member's for the rest.
 */
export class OrganizationAccess {
  readonly members: MemberAccess;
  private treePromise?: Promise<OrganizationTree>;
  private loadedTree?: OrganizationTree;

  constructor(
    readonly base: AwsConnection,
    options: MemberAccessOptions,
    private readonly deps: OrganizationAccessDeps,
  ) {
    this.members = new MemberAccess(base, options, deps);
  }

  /** Reads through the base profile's runner (the Organizations API answers only there). */
  read(caller: Caller): OrganizationRead {
    return async <Output>(operationId: string, input: Record<string, unknown>) => {
      const runner = await this.deps.runner(this.base.profileName);
      const outcome = await runner.run(operationId, input, { caller, mode: 'execute' });
      if (outcome.status === 'succeeded') return outcome.output as Output;
      const problem = outcome.error ?? outcome.refusal;
      throw Object.assign(new Error(problem?.message ?? `${operationId} ended as ${outcome.status}.`), {
        name: problem?.code ?? outcome.status,
        ...(outcome.error
          ? { $metadata: { httpStatusCode: outcome.error.httpStatus, requestId: outcome.error.requestId } }
          : {}),
      });
    };
  }

  /** The organization tree, read once and kept until `forget()`. */
  tree(caller: Caller = 'explorer'): Promise<OrganizationTree> {
    if (!this.treePromise) {
      const pending = Promise.resolve(this.deps.policy()).then((policy) =>
        loadOrganizationTree(this.read(caller), policy),
      );
      this.treePromise = pending;
      pending.then(
        (tree) => (this.loadedTree = tree),
        () => this.treePromise === pending && (this.treePromise = undefined),
      );
    }
    return this.treePromise;
  }

  /** The tree if it was read already (no AWS call). */
  get cachedTree(): OrganizationTree | undefined {
    return this.loadedTree;
  }

  forget(): void {
    this.treePromise = undefined;
    this.loadedTree = undefined;
  }

  /** The runner key of an account: the base profile for its own account, else the member key. */
  async profileNameFor(accountId: string): Promise<string> {
    const own = await this.base.identity();
    return own.account === accountId ? this.base.profileName : memberProfileName(this.base.profileName, accountId);
  }

  /** A member connection, named from the tree when it was read. */
  memberConnection(accountId: string) {
    return this.members.connection(
      accountId,
      this.loadedTree?.accounts.find((account) => account.id === accountId)?.name,
    );
  }

  /**
   * The runner key for a change in `accountId`, checked: a 12-digit ID, the profile's own account or an ACTIVE
   * account of its organization (the member role is assumed when the change runs). Never guessed: an account
   * outside the organization, or an organization that cannot be read, is a problem, not a fallback.
   */
  async profileForAccount(accountId: string, caller: Caller): Promise<{ profile: string } | { problem: string }> {
    if (!/^\d{12}$/.test(accountId)) return { problem: `"${accountId.slice(0, 40)}" is not a 12-digit account ID.` };
    const own = await this.base.identity().catch(() => undefined);
    if (own?.account === accountId) return { profile: this.base.profileName };
    let tree: OrganizationTree;
    try {
      tree = await this.tree(caller);
    } catch (error) {
      return {
        problem: `Account ${accountId} is not the account of profile "${this.base.profileName}", and its organization could not be read to check it: ${(error as Error).message}`,
      };
    }
    const account = tree.accounts.find((candidate) => candidate.id === accountId);
    if (!account)
      return {
        problem: `Account ${accountId} is not in the organization of profile "${this.base.profileName}"; changes run only in its accounts.`,
      };
    if (account.status !== 'ACTIVE')
      return { problem: `Account ${accountId} (${account.name}) is ${account.status}, not ACTIVE.` };
    this.memberConnection(accountId);
    return { profile: memberProfileName(this.base.profileName, accountId) };
  }

  async runnerFor(accountId: string): Promise<RunnerLike> {
    return this.deps.runner(await this.profileNameFor(accountId));
  }

  /** The accounts a selector names; "all" and "ou:" read the tree (once). */
  async select(selector: AccountsSelector, caller: Caller): Promise<{ accounts: FanOutAccount[]; problem?: string }> {
    let tree = this.loadedTree;
    if (!Array.isArray(selector) && !tree) {
      try {
        tree = await this.tree(caller);
      } catch (error) {
        return { accounts: [], problem: `The organization could not be read: ${(error as Error).message}` };
      }
    }
    return selectAccounts(selector, tree);
  }

  /** One read operation across the selected accounts and regions; failures are part of the result. */
  async fanOut(request: {
    operationId: string;
    input?: Record<string, unknown>;
    accounts: AccountsSelector;
    regions: string[];
    caller: Caller;
    concurrency?: number;
    signal?: AbortSignal;
  }): Promise<FanOutResult & { problem?: string }> {
    const { accounts, problem } = await this.select(request.accounts, request.caller);
    if (problem)
      return {
        operationId: request.operationId,
        accounts: [],
        regions: request.regions,
        rows: [],
        failures: [],
        calls: 0,
        problem,
      };
    return fanOutRead({ ...request, accounts, runnerFor: (accountId) => this.runnerFor(accountId) });
  }

  dispose(): void {
    this.members.dispose();
  }
}

export {
  memberProfileName,
  parseMemberProfileName,
  DEFAULT_MEMBER_ROLE,
  type MemberAccessOptions,
} from './memberAccess';
