import * as assert from 'node:assert/strict';
import { REDACTED, VALUE_TRIGGER, isSecretKey, redactSecrets, redactString } from '../../src/core/audit/redaction';

const FAKE_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const FAKE_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('secret redaction', () => {
  it('redacts fields whose names hold secrets, at any depth', () => {
    const input = {
      password: 'hunter2',
      nested: { SecretAccessKey: FAKE_SECRET, SessionToken: 'tok', privateKey: 'pk', UserData: 'IyEvYmluL2Jhc2g=' },
      list: [{ clientSecret: 'x', apiKey: 'y' }],
    };
    const out = redactSecrets(input);
    assert.equal(out.password, REDACTED);
    assert.equal(out.nested.SecretAccessKey, REDACTED);
    assert.equal(out.nested.SessionToken, REDACTED);
    assert.equal(out.nested.privateKey, REDACTED);
    assert.equal(out.nested.UserData, REDACTED);
    assert.equal(out.list[0].clientSecret, REDACTED);
    assert.equal(out.list[0].apiKey, REDACTED);
    assert.equal(input.password, 'hunter2', 'the original is untouched');
  });

  it('keeps pagination and idempotency tokens and key pair names', () => {
    for (const key of ['NextToken', 'nextToken', 'ClientToken', 'KeyName', 'KeyFingerprint', 'KeyPairId'])
      assert.equal(isSecretKey(key), false, key);
    const out = redactSecrets({ NextToken: 'abc', KeyName: 'deploy' });
    assert.deepEqual(out, { NextToken: 'abc', KeyName: 'deploy' });
  });

  it('redacts secret-looking values inside strings', () => {
    const text = [
      `aws_access_key_id = ${FAKE_KEY_ID}`,
      `aws_secret_access_key = ${FAKE_SECRET}`,
      'export DB_PASSWORD=Sup3rS3cret!',
      '{"password": "p@ss w0rd"}',
      'mysql --password hunter22 -h db',
      'postgres://admin:letmein@db.internal:5432/app',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    ].join('\n');
    const out = redactString(text);
    for (const secret of [
      FAKE_KEY_ID,
      FAKE_SECRET,
      'Sup3rS3cret!',
      'p@ss w0rd',
      'hunter22',
      'letmein',
      'MIIEow',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    ]) {
      assert.ok(!out.includes(secret), `${secret} is gone from: ${out}`);
    }
    assert.match(out, /db\.internal:5432/, 'non-secret parts stay');
  });

  it('redacts values of secret-named key/value pairs (tags, stack outputs)', () => {
    const out = redactSecrets({
      Tags: [
        { Key: 'db-password', Value: 'x1' },
        { Key: 'Name', Value: 'web' },
      ],
      Outputs: [{ OutputKey: 'AdminPassword', OutputValue: 'x2' }],
    });
    assert.equal(out.Tags[0].Value, REDACTED);
    assert.equal(out.Tags[1].Value, 'web');
    assert.equal(out.Outputs[0].OutputValue, REDACTED);
  });

  it('catches one sample of every secret-looking value (so the quick pre-check lets each kind through)', () => {
    const samples = [
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----',
      'id AKIAIOSFODNN7EXAMPLE here',
      'temporary ASIAIOSFODNN7EXAMPLE key',
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'postgres://admin:hunter2@db.internal:5432/app',
      'run --password hunter2 now',
      'export DB_PASSWORD=hunter2',
      'pwd: "hunter2"',
      'api_key=abc123',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'xoxb-1234567890-abcdefghij',
      'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV',
    ];
    for (const sample of samples) {
      assert.ok(VALUE_TRIGGER.test(sample), `the pre-check lets through: ${sample}`);
      assert.notEqual(redactString(sample), sample, `redacted: ${sample}`);
    }
    const plain = [
      'i-0123456789abcdef0',
      'web-1',
      '10.0.1.12',
      'arn:aws:ec2:us-east-1:123456789012:instance/i-1',
      'running',
    ];
    for (const text of plain) assert.equal(redactString(text), text);
  });

  it('leaves IAM actions and ARNs that merely mention secrets alone', () => {
    const doc = {
      Action: ['secretsmanager:GetSecretValue', 'ssm:GetParameter'],
      Resource: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:app-db',
    };
    assert.deepEqual(redactSecrets(doc), doc);
  });

  it('handles dates, binaries, errors and cycles', () => {
    const cyclic: Record<string, unknown> = {
      when: new Date('2025-01-01T00:00:00Z'),
      blob: new Uint8Array(3),
      error: new Error(`bad key ${FAKE_KEY_ID}`),
    };
    cyclic.self = cyclic;
    const out = redactSecrets(cyclic) as Record<string, unknown>;
    assert.equal(out.when, '2025-01-01T00:00:00.000Z');
    assert.equal(out.blob, '[binary 3 bytes]');
    assert.doesNotMatch(JSON.stringify(out.error), /AKIA/);
    assert.equal(out.self, '[circular]');
  });
});
