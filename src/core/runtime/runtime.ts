import { AuditTrail } from '../audit/auditTrail';
import type { ApprovalProvider } from '../guardrails/approval';
import type { GuardrailPolicy, LoadedPolicy, PolicyProblem } from '../guardrails/policy';
import { createOperationRegistry } from '../operations/builtinOperations';
import type { OperationRegistry } from '../operations/registry';
import { AccountAliasCache } from '../organizations/accountAliases';
import {
  OperationRunner,
  type OperationConnection,
  type OperationRunnerOptions,
  type RunnerLogger,
  type RunOutcome,
} from '../operations/runner';
import {
  dryRunThenExecute,
  type ChangeRequest,
  type ChangeResult,
  type ChangeRunOptions,
  type ChangeSteps,
  type ConfirmChange,
} from './changeFlow';
import { resolvePolicy, type PolicySources } from './policySources';

export interface RuntimeOptions extends PolicySources {
  /** The audit trail file every runner of this runtime appends to. */
  auditPath: string;
  /** Asked when the policy requires a confirmation or an approval; a getter so a replaced provider applies at once. */
  approvalProvider: ApprovalProvider | (() => ApprovalProvider);
  /** The connection for a profile (undefined: the default one). */
  connection(profile?: string): Promise<OperationConnection>;
  /** The profile an absent profile stands for; a request naming it shares the default runner. */
  defaultProfile?(): Promise<string | undefined>;
  logger?: RunnerLogger;
  /** Previews and approvals name each account's IAM alias (read once per account, kept by the runtime). */
  accountAliases?: boolean;
  /** Runner tuning for tests and tools (clock, sleeps, retries, backup polling, approval timeout). */
  runnerOptions?: Pick<
    OperationRunnerOptions,
    'clock' | 'sleep' | 'retry' | 'approvalTimeoutMs' | 'backupTimeoutMs' | 'backupPollMs'
  >;
}

/** The safety core as one object: the policy in force, one runner per profile, and the change flow. */
/** The safety core as one object; its `run` and `recordDeclined` are the steps of the change flow. */
export interface Runtime extends ChangeSteps {
  /** The policy with its problems and the sources that contributed. */
  readonly loaded: LoadedPolicy;
  readonly policy: GuardrailPolicy;
  readonly problems: PolicyProblem[];
  readonly registry: OperationRegistry;
  readonly auditPath: string;
  /** The runner for a profile (default: the default profile); runners share the policy, approvals and audit trail. */
  runner(profile?: string): Promise<OperationRunner>;
  /** Dry-run → `confirm(preview)` → execute (see `dryRunThenExecute`). */
  dryRunThenExecute(request: ChangeRequest, confirm: ConfirmChange): Promise<ChangeResult>;
  /** Forgets the runners (after the connection changed); the next call builds new ones. */
  dropRunners(): void;
}

/**
 * Builds the runtime every front end shares (the extension, LM tools, chat, and later the MCP server and
 * the CLI): the policy from settings and workspace files with the tightening rule, the operation registry,
 * one audit trail, and runners bound to the given connections. Sources are a snapshot: when they change,
 * build a new runtime.
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  const loaded = resolvePolicy(options);
  const registry = createOperationRegistry();
  const audit = new AuditTrail(options.auditPath);
  const approvalProvider = (): ApprovalProvider =>
    typeof options.approvalProvider === 'function' ? options.approvalProvider() : options.approvalProvider;
  const runners = new Map<string, Promise<OperationRunner>>();
  const accountAliases = options.accountAliases ? new AccountAliasCache() : undefined;

  const runnerKey = async (profile: string | undefined): Promise<string> => {
    if (!profile) return '';
    const defaultProfile = await options.defaultProfile?.().catch(() => undefined);
    return profile === defaultProfile ? '' : profile;
  };

  const runner = async (profile?: string): Promise<OperationRunner> => {
    const key = await runnerKey(profile);
    let created = runners.get(key);
    if (!created) {
      created = options.connection(key || undefined).then(
        (connection) =>
          new OperationRunner({
            ...options.runnerOptions,
            registry,
            connection,
            policy: loaded.policy,
            audit,
            logger: options.logger,
            accountAliases,
          }),
      );
      runners.set(key, created);
      const attempt = created;
      attempt.catch(() => runners.get(key) === attempt && runners.delete(key));
    }
    return created;
  };

  const run = async (operationId: string, input: unknown, runOptions: ChangeRunOptions): Promise<RunOutcome> => {
    const { profile, ...rest } = runOptions;
    return (await runner(profile)).run(operationId, input, {
      ...rest,
      approvalProvider: rest.mode === 'execute' ? approvalProvider() : undefined,
    });
  };

  const recordDeclined = async (
    dryRun: RunOutcome,
    input: unknown,
    decision: { reason: string; approver?: string },
    profile?: string,
  ): Promise<RunOutcome> => (await runner(profile)).recordDeclined(dryRun, input, decision);

  const runtime: Runtime = {
    loaded,
    policy: loaded.policy,
    problems: loaded.problems,
    registry,
    auditPath: options.auditPath,
    runner,
    run,
    recordDeclined,
    dryRunThenExecute: (request, confirm) => dryRunThenExecute(runtime, request, confirm),
    dropRunners: () => runners.clear(),
  };
  return runtime;
}
