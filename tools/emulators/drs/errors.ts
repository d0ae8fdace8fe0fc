/** DRS service errors, rendered as the restJson1 error shapes that @aws-sdk/client-drs reads. */

export type DrsErrorType =
  | 'ValidationException'
  | 'ResourceNotFoundException'
  | 'ConflictException'
  | 'ServiceQuotaExceededException'
  | 'ThrottlingException'
  | 'InternalServerException'
  | 'AccessDeniedException';

const STATUS_BY_TYPE: Record<DrsErrorType, number> = {
  ValidationException: 400,
  AccessDeniedException: 403,
  ServiceQuotaExceededException: 402,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ThrottlingException: 429,
  InternalServerException: 500,
};

export type ValidationReason = 'unknownOperation' | 'cannotParse' | 'fieldValidationFailed' | 'other';

export interface ValidationField {
  name: string;
  message: string;
}

export class DrsError extends Error {
  readonly statusCode: number;

  constructor(
    readonly type: DrsErrorType,
    message: string,
    /** Extra members of the error shape (resourceId, reason, fieldList, quotaCode, ...). */
    readonly members: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.statusCode = STATUS_BY_TYPE[type];
  }

  body(): Record<string, unknown> {
    // `code` mirrors the header so clients that only read the body still find the type.
    return { message: this.message, code: this.type, ...this.members };
  }
}

export function validationError(
  message: string,
  reason: ValidationReason = 'other',
  fieldList?: ValidationField[],
): DrsError {
  return new DrsError('ValidationException', message, fieldList ? { reason, fieldList } : { reason });
}

/** One field failed a constraint, worded like the AWS request validator. */
export function fieldError(field: string, value: unknown, constraint: string): DrsError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  const message = `1 validation error detected: Value '${shown}' at '${field}' failed to satisfy constraint: ${constraint}`;
  return validationError(message, 'fieldValidationFailed', [{ name: field, message: constraint }]);
}

export function notFound(resourceType: string, resourceId: string, message?: string): DrsError {
  return new DrsError('ResourceNotFoundException', message ?? `${resourceType} ${resourceId} not found`, {
    resourceId,
    resourceType,
  });
}

export function conflict(resourceId: string, message: string, resourceType = 'SOURCE_SERVER'): DrsError {
  return new DrsError('ConflictException', message, { resourceId, resourceType });
}

export function quotaExceeded(message: string, quotaCode: string, resourceType = 'JOB'): DrsError {
  return new DrsError('ServiceQuotaExceededException', message, { serviceCode: 'drs', quotaCode, resourceType });
}

export function throttled(retryAfterSeconds?: number): DrsError {
  const headers: Record<string, string> =
    retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {};
  return new DrsError('ThrottlingException', 'Rate exceeded', { serviceCode: 'drs' }, headers);
}
