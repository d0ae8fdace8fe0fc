import * as assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsConnection } from '../../src/core/aws/connection';
import { ec2Service } from '../../src/core/aws/services';
import { ec2InstanceLister } from '../../src/core/resources/ec2';
import { emulatorConnection } from '../support/connection';
import { readsThroughRunner } from '../support/resourceReads';
import { emulatorStack, resetAndSeed, useEmulatorStack } from '../support/emulators';

useEmulatorStack();

describe('AWS connection against the emulators', function () {
  this.timeout(60_000);
  let dir: string;
  const savedEnv = { ...process.env };

  before(async () => {
    await resetAndSeed('sample');
    dir = await mkdtemp(join(tmpdir(), 'pl-connection-'));
  });
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('resolves the account and caller ARN through STS GetCallerIdentity', async () => {
    const connection = await emulatorConnection();
    const identity = await connection.identity();
    assert.match(identity.account, /^\d{12}$/);
    assert.match(identity.arn, /^arn:aws:(iam|sts)::\d{12}:/);
    connection.dispose();
  });

  it("uses a profile with credential_process and the profile's endpoint_url, with no setting or env override", async () => {
    const config = join(dir, 'config');
    const processScript = join(dir, 'creds.js');
    await writeFile(
      processScript,
      "process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: 'testing', SecretAccessKey: 'testing' }));",
    );
    await writeFile(
      config,
      `[profile from-process]\nregion = us-east-1\nendpoint_url = ${emulatorStack().endpoint}\ncredential_process = ${process.execPath} ${processScript}\n`,
    );
    for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
    Object.assign(process.env, {
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'missing-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });

    const connection = await AwsConnection.open({ profile: 'from-process' });
    assert.equal(connection.endpointFor('ec2'), emulatorStack().endpoint);
    assert.match(connection.credentialSource, /from-process.*process/);
    const page = await ec2InstanceLister.list(readsThroughRunner(connection), {
      region: connection.region,
      pageSize: 100,
    });
    assert.deepEqual(page.items.map((item) => item.name).sort(), ['app-1', 'db-1', 'web-1']);
    connection.dispose();
  });

  it('honours AWS_ENDPOINT_URL when no setting is given', async () => {
    await emulatorConnection();
    process.env.AWS_ENDPOINT_URL = emulatorStack().endpoint;
    const connection = await AwsConnection.open({ region: 'us-east-1' });
    assert.equal(connection.endpointFor('drs'), emulatorStack().endpoint);
    assert.match((await connection.identity()).account, /^\d{12}$/);
    connection.dispose();
  });

  it('reports an unknown profile as missing credentials, not a crash', async () => {
    await assert.rejects(
      AwsConnection.open({ profile: 'nope' }),
      (error: Error) =>
        error.name === 'CredentialsProviderError' && /Profile "nope" is not defined/.test(error.message),
    );
  });

  it('creates clients lazily and caches them per account and region', async () => {
    const connection = await emulatorConnection();
    assert.equal(connection.cachedClientCount, 0, 'no client before first use');
    const first = await connection.client(ec2Service, 'us-east-1');
    const again = await connection.client(ec2Service, 'us-east-1');
    const otherRegion = await connection.client(ec2Service, 'eu-west-1');
    assert.equal(first, again);
    assert.notEqual(first, otherRegion);
    assert.equal(await first.config.region(), 'us-east-1');
    assert.equal(await otherRegion.config.region(), 'eu-west-1');
    assert.equal(connection.cachedClientCount, 2);
    connection.dispose();
    assert.equal(connection.cachedClientCount, 0);
  });
});
