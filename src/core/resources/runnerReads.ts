import type { OperationRunner, RunOutcome } from '../operations/runner';
import { causeOf } from '../operations/outcomeCause';
import type { Caller } from '../operations/types';
import type { ResourceReads } from './model';

/** A read the runner refused (circuit open, invalid input): named by its refusal code. */
export class ReadRefusedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/**
 * Resource reads through the operation runner: every explorer list and live refresh is a registered read
 * operation, so it gets the registry's declaration, the circuit breaker and throttling retries, and the
 * audit trail when the policy audits reads. A failed read throws the AWS error itself.
 */
export function runnerReads(
  runner: () => Promise<Pick<OperationRunner, 'run'>>,
  identity: () => Promise<{ account: string }>,
  caller: Caller = 'explorer',
): ResourceReads {
  return {
    async read<Output>(operationId: string, input: Record<string, unknown>, region: string): Promise<Output> {
      const outcome: RunOutcome = await (await runner()).run(operationId, input, { caller, mode: 'execute', region });
      if (outcome.status === 'succeeded') return outcome.output as Output;
      const cause = causeOf(outcome);
      if (cause) throw cause;
      if (outcome.refusal) throw new ReadRefusedError(outcome.refusal.code, outcome.refusal.message);
      throw new ReadRefusedError(
        outcome.error?.code ?? outcome.status,
        outcome.error?.message ?? `${operationId} ended as ${outcome.status}.`,
      );
    },
    account: async () => (await identity()).account,
  };
}
