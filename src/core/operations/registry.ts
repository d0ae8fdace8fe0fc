import { z } from 'zod';
import type { Operation, OperationMetadata } from './define';
import type { OperationKind, ServiceId } from './types';

/** Plain, frozen data about an operation: for tool schemas, menus and pickers. Holds nothing callable. */
export interface OperationDescriptor extends OperationMetadata {
  /** JSON Schema (draft 2020-12) of the input, generated from the zod schema. */
  readonly inputJsonSchema: Readonly<Record<string, unknown>>;
}

export interface InputIssue {
  /** Dotted path, e.g. "instanceIds.0"; empty for the whole input. */
  path: string;
  message: string;
}

export type InputValidation<T = unknown> =
  { ok: true; value: T } | { ok: false; issues: InputIssue[]; message: string };

export interface OperationFilter {
  kind?: OperationKind | OperationKind[];
  service?: ServiceId;
  mutating?: boolean;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value as Record<string, unknown>)) deepFreeze(item);
  }
  return value;
}

/** Renders zod issues as one readable sentence per problem. */
export function describeInputIssues(operationId: string, error: z.ZodError): { issues: InputIssue[]; message: string } {
  const issues = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message:
      issue.code === 'unrecognized_keys'
        ? `Unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}.`
        : issue.message,
  }));
  const message = `Invalid input for ${operationId}: ${issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ')}`;
  return { issues, message };
}

/** The set of operations the runner may run, by id. */
export class OperationRegistry {
  private readonly operations = new Map<string, Operation>();
  private readonly descriptors = new Map<string, OperationDescriptor>();

  constructor(operations: Iterable<Operation>) {
    for (const operation of operations) {
      if (this.operations.has(operation.id)) throw new Error(`Duplicate operation id "${operation.id}".`);
      this.operations.set(operation.id, operation);
    }
  }

  get size(): number {
    return this.operations.size;
  }

  has(id: string): boolean {
    return this.operations.has(id);
  }

  /** The operation object, for typed calls to OperationRunner.run; it exposes no handler. */
  get(id: string): Operation | undefined {
    return this.operations.get(id);
  }

  /** Whether this exact operation object belongs to the registry. */
  contains(operation: Operation): boolean {
    return this.operations.get(operation.id) === operation;
  }

  describe(id: string): OperationDescriptor | undefined {
    const operation = this.operations.get(id);
    if (!operation) return undefined;
    let descriptor = this.descriptors.get(id);
    if (!descriptor) {
      descriptor = deepFreeze({
        id: operation.id,
        service: operation.service,
        title: operation.title,
        description: operation.description,
        kind: operation.kind,
        mutating: operation.mutating,
        destructive: operation.destructive,
        costImpact: operation.costImpact,
        rollbackSupported: operation.rollbackSupported,
        ...(operation.rollbackNote ? { rollbackNote: operation.rollbackNote } : {}),
        ...(operation.revealsSecret ? { revealsSecret: true } : {}),
        inputJsonSchema: z.toJSONSchema(operation.input, { io: 'input', unrepresentable: 'any' }) as Record<
          string,
          unknown
        >,
      });
      this.descriptors.set(id, descriptor);
    }
    return descriptor;
  }

  list(filter: OperationFilter = {}): OperationDescriptor[] {
    const kinds = filter.kind === undefined ? undefined : Array.isArray(filter.kind) ? filter.kind : [filter.kind];
    return [...this.operations.values()]
      .filter(
        (operation) =>
          (!kinds || kinds.includes(operation.kind)) &&
          (!filter.service || operation.service === filter.service) &&
          (filter.mutating === undefined || operation.mutating === filter.mutating),
      )
      .map((operation) => this.describe(operation.id)!);
  }

  /** Validates input against the operation's schema without running anything. */
  validateInput(id: string, input: unknown): InputValidation {
    const operation = this.operations.get(id);
    if (!operation)
      return {
        ok: false,
        issues: [{ path: '', message: `Unknown operation "${id}".` }],
        message: `Unknown operation "${id}".`,
      };
    const parsed = operation.input.safeParse(input ?? {});
    if (parsed.success) return { ok: true, value: parsed.data };
    return { ok: false, ...describeInputIssues(id, parsed.error) };
  }
}
