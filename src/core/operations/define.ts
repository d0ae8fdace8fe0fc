import type { z } from 'zod';
import type { CostDirection, OperationKind, OperationSpec, ServiceId } from './types';

/** What an operation declares about itself; operations and their registry descriptors both carry it. */
export interface OperationMetadata {
  readonly id: string;
  readonly service: ServiceId;
  readonly title: string;
  readonly description: string;
  readonly kind: OperationKind;
  readonly mutating: boolean;
  readonly destructive: boolean;
  readonly costImpact: CostDirection;
  readonly rollbackSupported: boolean;
  readonly rollbackNote?: string;
  /** The output is a secret shown only to the person who asked (never to agents); see OperationSpec.secretOutput. */
  readonly revealsSecret?: boolean;
}

/**
 * The public face of an operation: metadata and its input schema. Its handler, preview, checks and backup
 * are held privately and only the operation runner can reach them.
 */
export interface Operation<Schema extends z.ZodType = z.ZodType, Output = unknown> extends OperationMetadata {
  readonly input: Schema;
  /** Type-only marker for the output; never set. */
  readonly __output?: Output;
}

const internals = new WeakMap<Operation, OperationSpec>();
let claimed = false;

/** "service.resource.action", or "service.action" for an action on a whole account or service (e.g. s3control.blockPublicAccess). */
const ID_PATTERN = /^[a-z][a-z0-9]*(\.[a-z][A-Za-z0-9]*){1,}$/;

/** The metadata every read operation shares: it changes nothing, costs nothing, has nothing to roll back. */
export const READ_ONLY = Object.freeze({
  kind: 'read',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: false,
} as const);

/** Declares an operation. The returned object carries no callable: run it with OperationRunner.run. */
export function defineOperation<Schema extends z.ZodType, Output>(
  spec: OperationSpec<Schema, Output>,
): Operation<Schema, Output> {
  if (!ID_PATTERN.test(spec.id))
    throw new Error(`Operation id "${spec.id}" must look like "service.resource.action" or "service.action".`);
  if (!spec.id.startsWith(`${spec.service}.`))
    throw new Error(`Operation id "${spec.id}" must start with its service "${spec.service}".`);
  if (spec.kind !== 'read' && !spec.targets)
    throw new Error(`Operation "${spec.id}" changes AWS and must declare its targets.`);
  if (spec.secretOutput && spec.kind !== 'read')
    throw new Error(`Operation "${spec.id}" reveals a secret and must be a read.`);
  if (spec.kind === 'read' && (spec.backup || spec.destructive))
    throw new Error(`Read operation "${spec.id}" cannot be destructive or have a backup.`);
  const operation: Operation<Schema, Output> = Object.freeze({
    id: spec.id,
    service: spec.service,
    title: spec.title,
    description: spec.description,
    kind: spec.kind,
    mutating: spec.kind !== 'read',
    destructive: spec.destructive,
    costImpact: spec.costImpact,
    rollbackSupported: spec.rollbackSupported,
    rollbackNote: spec.rollbackNote,
    ...(spec.secretOutput ? { revealsSecret: true } : {}),
    input: spec.input,
  });
  internals.set(operation, spec as unknown as OperationSpec);
  return operation;
}

/**
 * Hands out the accessor for operation internals, once. The runner claims it when it loads; any later
 * claim throws, so no other module can obtain handlers.
 */
export function claimOperationInternals(): (operation: Operation) => OperationSpec {
  if (claimed)
    throw new Error(
      'Operation internals are already claimed by the operation runner; run operations through OperationRunner.run.',
    );
  claimed = true;
  return (operation) => {
    const spec = internals.get(operation);
    if (!spec) throw new Error(`"${operation.id}" was not created by defineOperation.`);
    return spec;
  };
}
