/** Registered writes for the backup features, through the runtime's dry-run → confirm → execute flow. */
import type { Caller } from '../operations/types';
import type { ChangeRequest, ChangeResult, ConfirmChange } from '../runtime/changeFlow';
import type { WriteOperation } from './restoreTest';

export function changeWriter(
  flow: (request: ChangeRequest, confirm: ConfirmChange) => Promise<ChangeResult>,
  caller: Caller,
  confirm: ConfirmChange,
  region?: string,
): WriteOperation {
  return async (operationId, input) => {
    const result = await flow({ operationId, input, caller, ...(region ? { region } : {}) }, confirm);
    if (result.status === 'succeeded') return { status: 'succeeded', resourceIds: result.outcome.resourceIds };
    const message =
      result.reason ??
      result.refusal?.message ??
      result.outcome.refusal?.message ??
      result.outcome.error?.message ??
      `${operationId} ended ${result.status} at ${result.stage}`;
    return {
      status: result.status === 'cancelled' ? 'cancelled' : result.status === 'refused' ? 'refused' : 'failed',
      message,
    };
  };
}
