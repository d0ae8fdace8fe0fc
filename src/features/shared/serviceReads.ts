import type { ReadOperation } from '../../core/insights/reads';
import type { Caller } from '../../core/operations/types';
import type { OperationService } from './operationService';

/** Registry reads through the shared runner, for insights and answers; failures become errors with the AWS code. */
export function readVia(service: OperationService, caller: Caller, region?: string): ReadOperation {
  return async (operationId, input) => {
    const outcome = await service.run(operationId, input, { caller, mode: 'execute', region });
    if (outcome.status === 'succeeded') return outcome.output;
    if (outcome.error) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
    if (outcome.refusal) throw new Error(`Refused (${outcome.refusal.code}): ${outcome.refusal.message}`);
    throw new Error(`${operationId} ended as ${outcome.status}.`);
  };
}
