/** What kind of failure an AWS call hit, so the UI can offer the right next step. */
export type AwsErrorKind =
  | 'no-credentials'
  | 'sso-login-required'
  | 'expired-credentials'
  | 'invalid-credentials'
  | 'access-denied'
  | 'throttled'
  | 'endpoint-unreachable'
  | 'invalid-endpoint'
  | 'not-found'
  | 'service-error';

export interface AwsErrorInfo {
  kind: AwsErrorKind;
  /** The AWS error code (e.g. `UnauthorizedOperation`), or the SDK error name when there is none. */
  code: string;
  message: string;
  /** A plain explanation of what to do about it. */
  hint: string;
  httpStatus?: number;
  requestId?: string;
}

interface SdkLikeError {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  cause?: unknown;
}

const SSO_PATTERNS = [
  /sso session .* (has )?expired/i,
  /token is expired/i,
  /sso.*(token|session).*(expired|not found|invalid)/i,
  /aws sso login/i,
  /unable to load sso token/i,
];

/** Maps any error thrown by the SDK (or our own resolution code) to a specific, actionable description. */
export function describeAwsError(error: unknown, profile?: string): AwsErrorInfo {
  const err = (error ?? {}) as SdkLikeError;
  const code = err.code || err.Code || err.name || 'Error';
  const message = (err.message || String(error)).trim();
  const httpStatus = err.$metadata?.httpStatusCode;
  const requestId = err.$metadata?.requestId;
  const base = { code, message, httpStatus, requestId };
  const profileText = profile ? ` --profile ${profile}` : '';

  if (code === 'InvalidEndpointError') {
    return {
      ...base,
      kind: 'invalid-endpoint',
      hint: 'Fix the endpoint URL in the "Pilot Light: Configure Endpoint" command, AWS_ENDPOINT_URL or the profile\'s endpoint_url.',
    };
  }
  if (SSO_PATTERNS.some((pattern) => pattern.test(message)) || code === 'TokenProviderError') {
    return {
      ...base,
      kind: 'sso-login-required',
      hint: `The AWS IAM Identity Center (SSO) session is missing or expired. Run "aws sso login${profileText}", then retry.`,
    };
  }
  if (code === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return {
      ...base,
      kind: 'no-credentials',
      hint: profile
        ? `Profile "${profile}" has no usable credentials. Check ~/.aws/config and ~/.aws/credentials, or select another profile.`
        : 'No AWS credentials were found. Select a profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
    };
  }
  if (['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired'].includes(code)) {
    return {
      ...base,
      kind: 'expired-credentials',
      hint: `The session credentials have expired. Refresh them (for SSO: "aws sso login${profileText}"; for assumed roles: renew the source credentials), then retry.`,
    };
  }
  if (
    [
      'InvalidClientTokenId',
      'UnrecognizedClientException',
      'SignatureDoesNotMatch',
      'AuthFailure',
      'InvalidAccessKeyId',
      'IncompleteSignature',
    ].includes(code)
  ) {
    return {
      ...base,
      kind: 'invalid-credentials',
      hint: "AWS rejected the credentials: the access key is unknown or the secret is wrong. Check the profile's keys or select another profile.",
    };
  }
  if (/^(AccessDenied|UnauthorizedOperation|UnauthorizedException|Forbidden)/.test(code) || httpStatus === 403) {
    return {
      ...base,
      kind: 'access-denied',
      hint: 'The identity in use is not allowed to do this. Ask for the missing IAM permission or use a role that has it.',
    };
  }
  if (
    ['ThrottlingException', 'Throttling', 'RequestLimitExceeded', 'TooManyRequestsException', 'SlowDown'].includes(
      code,
    ) ||
    httpStatus === 429
  ) {
    return { ...base, kind: 'throttled', hint: 'AWS is throttling requests. Wait a moment and retry.' };
  }
  const networkCode = findNetworkCode(err);
  if (networkCode) {
    return {
      ...base,
      code: networkCode,
      kind: 'endpoint-unreachable',
      hint: 'The AWS endpoint could not be reached. Check the network, proxy and any endpoint override (Pilot Light: Configure Endpoint).',
    };
  }
  if (/NotFound|NoSuch/.test(code) || httpStatus === 404) {
    return {
      ...base,
      kind: 'not-found',
      hint: 'The resource no longer exists or is in another region or account. Refresh the view.',
    };
  }
  return { ...base, kind: 'service-error', hint: 'AWS returned an error. The code and message above say what failed.' };
}

function findNetworkCode(err: SdkLikeError, depth = 0): string | undefined {
  if (!err || depth > 3) return undefined;
  const code = err.code ?? err.name;
  if (
    code &&
    ['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'TimeoutError', 'EHOSTUNREACH'].includes(code)
  )
    return code;
  return findNetworkCode(err.cause as SdkLikeError, depth + 1);
}

export function formatAwsError(info: AwsErrorInfo): string {
  return `${info.code}: ${info.message}`;
}
