import * as assert from 'node:assert/strict';
import { describeAwsError } from '../../src/core/aws/errors';

function sdkError(name: string, message: string, status?: number) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, requestId: 'req-1' } });
}

describe('AWS error descriptions', () => {
  const cases: Array<[unknown, string, string]> = [
    [
      sdkError('CredentialsProviderError', 'Could not load credentials from any providers'),
      'no-credentials',
      'CredentialsProviderError',
    ],
    [
      sdkError(
        'CredentialsProviderError',
        'The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login',
      ),
      'sso-login-required',
      'CredentialsProviderError',
    ],
    [
      sdkError('ExpiredToken', 'The security token included in the request is expired', 400),
      'expired-credentials',
      'ExpiredToken',
    ],
    [
      sdkError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403),
      'invalid-credentials',
      'InvalidClientTokenId',
    ],
    [
      sdkError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403),
      'access-denied',
      'UnauthorizedOperation',
    ],
    [sdkError('ThrottlingException', 'Rate exceeded', 400), 'throttled', 'ThrottlingException'],
    [sdkError('RequestLimitExceeded', 'Request limit exceeded.', 503), 'throttled', 'RequestLimitExceeded'],
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      'endpoint-unreachable',
      'ECONNREFUSED',
    ],
    [sdkError('ResourceNotFoundException', 'Source server not found', 404), 'not-found', 'ResourceNotFoundException'],
    [sdkError('InternalError', 'boom', 500), 'service-error', 'InternalError'],
  ];
  for (const [error, kind, code] of cases) {
    it(`classifies ${code} as ${kind}`, () => {
      const info = describeAwsError(error, 'dev');
      assert.equal(info.kind, kind);
      assert.equal(info.code, code);
      assert.ok(info.hint.length > 20, 'has an actionable hint');
      assert.doesNotMatch(info.hint, /something went wrong/i);
    });
  }

  it('names the profile in the SSO sign-in hint', () => {
    assert.match(
      describeAwsError(sdkError('TokenProviderError', 'Token is expired'), 'corp-admin').hint,
      /aws sso login --profile corp-admin/,
    );
  });

  it('finds network errors wrapped in a cause', () => {
    const wrapped = Object.assign(new Error('fetch failed'), {
      cause: Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }),
    });
    assert.equal(describeAwsError(wrapped).kind, 'endpoint-unreachable');
  });
});
