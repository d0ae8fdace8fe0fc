import * as assert from 'node:assert/strict';
import { InvalidEndpointError, resolveEndpoint, resolveRegion } from '../../src/core/aws/resolution';
import type { ProfileInfo } from '../../src/core/aws/sharedConfig';

const profile: ProfileInfo = {
  name: 'dev',
  region: 'eu-west-1',
  endpointUrl: 'http://profile:1',
  serviceEndpoints: { drs: 'http://profile-drs:2' },
  kind: 'static',
};

describe('region resolution', () => {
  it('prefers the setting, then the environment, then the profile, then us-east-1', () => {
    assert.deepEqual(resolveRegion({ region: 'ap-south-1' }, profile, { AWS_REGION: 'us-west-2' }), {
      region: 'ap-south-1',
      source: 'setting',
    });
    assert.deepEqual(resolveRegion({}, profile, { AWS_REGION: 'us-west-2' }), {
      region: 'us-west-2',
      source: 'environment',
    });
    assert.deepEqual(resolveRegion({}, profile, { AWS_DEFAULT_REGION: 'ca-central-1' }), {
      region: 'ca-central-1',
      source: 'environment',
    });
    assert.deepEqual(resolveRegion({}, profile, {}), { region: 'eu-west-1', source: 'profile' });
    assert.deepEqual(resolveRegion({}, undefined, {}), { region: 'us-east-1', source: 'fallback' });
  });
});

describe('endpoint resolution', () => {
  it('prefers the setting over AWS_ENDPOINT_URL over the profile', () => {
    const env = { AWS_ENDPOINT_URL: 'http://env:3' };
    assert.deepEqual(resolveEndpoint('ec2', { endpointUrl: 'http://setting:4/' }, profile, env), {
      url: 'http://setting:4',
      source: 'setting',
    });
    assert.deepEqual(resolveEndpoint('ec2', {}, profile, env), { url: 'http://env:3', source: 'environment' });
    assert.deepEqual(resolveEndpoint('ec2', {}, profile, {}), { url: 'http://profile:1', source: 'profile' });
    assert.equal(resolveEndpoint('ec2', {}, undefined, {}), undefined);
  });

  it('uses service-specific overrides before global ones at each level', () => {
    assert.equal(
      resolveEndpoint('drs', { endpointUrl: 'http://all:1', serviceEndpoints: { drs: 'http://drs:1' } }, profile, {})
        ?.url,
      'http://drs:1',
    );
    assert.equal(
      resolveEndpoint('drs', {}, profile, {
        AWS_ENDPOINT_URL_DRS: 'http://env-drs:1',
        AWS_ENDPOINT_URL: 'http://env:1',
      })?.url,
      'http://env-drs:1',
    );
    assert.equal(resolveEndpoint('drs', {}, profile, {})?.url, 'http://profile-drs:2');
    assert.equal(
      resolveEndpoint('ec2', {}, profile, { AWS_ENDPOINT_URL_DRS: 'http://env-drs:1' })?.url,
      'http://profile:1',
    );
  });

  it('ignores configured endpoints when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true, but keeps the setting', () => {
    const env = { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true', AWS_ENDPOINT_URL: 'http://env:3' };
    assert.equal(resolveEndpoint('ec2', {}, profile, env), undefined);
    assert.equal(resolveEndpoint('ec2', { endpointUrl: 'http://s:1' }, profile, env)?.url, 'http://s:1');
  });

  it('rejects a malformed URL with an actionable error naming its source', () => {
    assert.throws(
      () => resolveEndpoint('ec2', {}, undefined, { AWS_ENDPOINT_URL: 'localhost:4566' }),
      (error: unknown) =>
        error instanceof InvalidEndpointError &&
        error.source === 'environment' &&
        /http:\/\/localhost:4566/.test(error.message),
    );
    assert.throws(() => resolveEndpoint('ec2', { endpointUrl: 'not a url' }, undefined, {}), InvalidEndpointError);
  });
});
