import * as assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProfiles, parseIni } from '../../src/core/aws/sharedConfig';

describe('shared config parsing', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'pl-config-'))));
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('parses sections, comments and indented sub-sections', () => {
    const sections = parseIni(
      [
        '# comment',
        '[profile dev]',
        'region = eu-west-1 # trailing',
        'services = local',
        '',
        '[services local]',
        'drs =',
        '  endpoint_url = http://127.0.0.1:9000',
        'ec2 =',
        '  endpoint_url = http://127.0.0.1:9001',
      ].join('\n'),
    );
    assert.deepEqual(sections.get('profile dev'), { region: 'eu-west-1', services: 'local' });
    assert.deepEqual(sections.get('services local'), {
      drs: { endpoint_url: 'http://127.0.0.1:9000' },
      ec2: { endpoint_url: 'http://127.0.0.1:9001' },
    });
  });

  it('merges config and credentials files and classifies each profile', async () => {
    const config = join(dir, 'config');
    const credentials = join(dir, 'credentials');
    await writeFile(
      config,
      [
        '[default]',
        'region = us-east-2',
        '[profile sso-admin]',
        'sso_session = corp',
        'sso_account_id = 111111111111',
        'region = eu-central-1',
        '[sso-session corp]',
        'sso_start_url = https://corp.awsapps.com/start',
        'sso_region = eu-central-1',
        '[profile deployer]',
        'role_arn = arn:aws:iam::222222222222:role/deploy',
        'source_profile = default',
        '[profile vault]',
        'credential_process = /usr/local/bin/vault-aws',
        '[profile local]',
        'endpoint_url = http://localhost:4566',
        'services = emu',
        '[services emu]',
        'drs =',
        '  endpoint_url = http://localhost:4567',
      ].join('\n'),
    );
    await writeFile(
      credentials,
      [
        '[default]',
        'aws_access_key_id = AKIAEXAMPLE',
        'aws_secret_access_key = secret',
        '[keys-only]',
        'aws_access_key_id = AKIA2',
        'aws_secret_access_key = s2',
      ].join('\n'),
    );
    const profiles = await loadProfiles({ AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials });
    const byName = Object.fromEntries(profiles.map((profile) => [profile.name, profile]));
    assert.equal(profiles[0].name, 'default', 'default profile sorts first');
    assert.equal(byName.default.kind, 'static');
    assert.equal(byName.default.region, 'us-east-2');
    assert.equal(byName['sso-admin'].kind, 'sso');
    assert.equal(byName['sso-admin'].ssoStartUrl, 'https://corp.awsapps.com/start');
    assert.equal(byName.deployer.kind, 'assume-role');
    assert.equal(byName.vault.kind, 'process');
    assert.equal(byName['keys-only'].kind, 'static');
    assert.equal(byName.local.endpointUrl, 'http://localhost:4566');
    assert.deepEqual(byName.local.serviceEndpoints, { drs: 'http://localhost:4567' });
    assert.ok(!('corp' in byName), 'sso-session sections are not profiles');
  });

  it('treats missing files as no profiles', async () => {
    assert.deepEqual(
      await loadProfiles({ AWS_CONFIG_FILE: join(dir, 'nope'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'nope2') }),
      [],
    );
  });
});
