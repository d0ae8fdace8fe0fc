// Benchmark of the compliance checks (issue 18): every check over an account with 2,000 resources in the
// emulators (moto behind the gateway, which answers AWS Config compliance), through the OperationRunner and the
// real SDK. Writes its result as JSON to PILOT_LIGHT_BENCH_RESULT.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CloudTrailClient, CreateTrailCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import {
  ConfigServiceClient,
  PutConfigRuleCommand,
  PutConfigurationRecorderCommand,
  PutDeliveryChannelCommand,
  PutEvaluationsCommand,
  StartConfigurationRecorderCommand,
} from '@aws-sdk/client-config-service';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVolumeCommand,
  DescribeImagesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateLoginProfileCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { BatchImportFindingsCommand, EnableSecurityHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { AwsConnection } from '../../src/core/aws/connection';
import { AuditTrail } from '../../src/core/audit/auditTrail';
import { ALL_CHECKS } from '../../src/core/compliance/checks';
import { runComplianceChecks } from '../../src/core/compliance/run';
import { validateTagPolicy } from '../../src/core/compliance/tagPolicy';
import { resolveGuardrailPolicy } from '../../src/core/guardrails';
import type { ReadOperation } from '../../src/core/insights/reads';
import { createOperationRegistry } from '../../src/core/operations';
import { OperationRunner } from '../../src/core/operations/runner';
import { ec2Service } from '../../src/core/aws/services';
import {
  recordExchanges,
  ReplayRecording,
  startReplayServer,
  type ReplayServer,
} from '../../tools/emulators/replay/server';
import { startEmulatorStack } from '../../tools/emulators/stack';

const ACCOUNT = '123456789012';
const REPEATS = Number(process.env.PILOT_LIGHT_BENCH_REPEATS ?? 3);
/** 2,000 resources: instances (each with its root volume), extra volumes, security groups, IAM users. */
const SEED = { instances: 500, extraVolumes: 300, securityGroups: 400, users: 300 };
const SECURITY_HUB_FINDINGS = 150;
const NON_COMPLIANT_RULES = 2;
const LIST_PAGE = 1000;

async function inBatches<T>(count: number, concurrency: number, make: (index: number) => Promise<T>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await make(next++);
    }),
  );
}

async function main(): Promise<void> {
  const repoRoot = resolve(__dirname, '..', '..', '..');
  const stack = await startEmulatorStack({ repoRoot, seed: false });
  const dir = mkdtempSync(join(tmpdir(), 'pilot-light-compliance-bench-'));
  try {
    const config = { region: stack.region, endpoint: stack.endpoint, credentials: stack.credentials };
    const ec2 = new EC2Client(config);
    const iam = new IAMClient(config);
    const seedStarted = performance.now();
    const { Images } = await ec2.send(new DescribeImagesCommand({ MaxResults: 5 }));
    for (let launched = 0; launched < SEED.instances; launched += 100)
      await ec2.send(
        new RunInstancesCommand({
          ImageId: Images![0].ImageId,
          MinCount: 100,
          MaxCount: 100,
          MetadataOptions: { HttpTokens: launched % 200 === 0 ? 'optional' : 'required' },
          TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'owner', Value: 'bench' }] }],
        }),
      );
    const zone = `${stack.region}a`;
    await inBatches(SEED.extraVolumes, 8, (index) =>
      ec2.send(new CreateVolumeCommand({ AvailabilityZone: zone, Size: 1, Encrypted: index % 3 === 0 })),
    );
    await inBatches(SEED.securityGroups, 8, async (index) => {
      const { GroupId } = await ec2.send(
        new CreateSecurityGroupCommand({ GroupName: `bench-${index}`, Description: 'bench' }),
      );
      if (index % 10 === 0)
        await ec2.send(
          new AuthorizeSecurityGroupIngressCommand({
            GroupId,
            IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
          }),
        );
    });
    await inBatches(SEED.users, 8, async (index) => {
      await iam.send(new CreateUserCommand({ UserName: `bench-user-${index}` }));
      if (index % 3 === 0)
        await iam.send(
          new CreateLoginProfileCommand({ UserName: `bench-user-${index}`, Password: 'Bench-password-123!' }),
        );
    });
    // A logging multi-region trail, AWS Config with rules and evaluations, Security Hub with findings.
    await fetch(`${stack.motoEndpoint}/bench-trail-logs`, { method: 'PUT' });
    const cloudTrail = new CloudTrailClient(config);
    await cloudTrail.send(
      new CreateTrailCommand({ Name: 'org', S3BucketName: 'bench-trail-logs', IsMultiRegionTrail: true }),
    );
    await cloudTrail.send(new StartLoggingCommand({ Name: 'org' }));
    const configService = new ConfigServiceClient(config);
    await configService.send(
      new PutConfigurationRecorderCommand({
        ConfigurationRecorder: {
          name: 'default',
          roleARN: `arn:aws:iam::${ACCOUNT}:role/config`,
          recordingGroup: { allSupported: true },
        },
      }),
    );
    await configService.send(
      new PutDeliveryChannelCommand({ DeliveryChannel: { name: 'default', s3BucketName: 'bench-trail-logs' } }),
    );
    await configService.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }));
    for (let rule = 0; rule < 4; rule++) {
      const name = `bench-rule-${rule}`;
      await configService.send(
        new PutConfigRuleCommand({
          ConfigRule: { ConfigRuleName: name, Source: { Owner: 'AWS', SourceIdentifier: 'ENCRYPTED_VOLUMES' } },
        }),
      );
      await configService.send(
        new PutEvaluationsCommand({
          ResultToken: name,
          Evaluations: Array.from({ length: 50 }, (_, index) => ({
            ComplianceResourceType: 'AWS::EC2::Volume',
            ComplianceResourceId: `vol-${rule}-${index}`,
            ComplianceType: rule < NON_COMPLIANT_RULES && index % 5 === 0 ? 'NON_COMPLIANT' : 'COMPLIANT',
            OrderingTimestamp: new Date(),
          })),
        }),
      );
    }
    const hub = new SecurityHubClient(config);
    await hub.send(new EnableSecurityHubCommand({}));
    for (let start = 0; start < SECURITY_HUB_FINDINGS; start += 100)
      await hub.send(
        new BatchImportFindingsCommand({
          Findings: Array.from({ length: Math.min(100, SECURITY_HUB_FINDINGS - start) }, (_, offset) => ({
            SchemaVersion: '2018-10-08',
            Id: `bench-${start + offset}`,
            ProductArn: `arn:aws:securityhub:${stack.region}:${ACCOUNT}:product/${ACCOUNT}/default`,
            GeneratorId: `bench-generator-${(start + offset) % 7}`,
            AwsAccountId: ACCOUNT,
            Types: ['Software and Configuration Checks'],
            CreatedAt: new Date().toISOString(),
            UpdatedAt: new Date().toISOString(),
            Severity: { Label: 'MEDIUM' },
            Title: 'bench finding',
            Description: 'bench',
            Compliance: { Status: 'FAILED' },
            Resources: [
              { Type: 'AwsEc2Instance', Id: `arn:aws:ec2:${stack.region}:${ACCOUNT}:instance/i-${start + offset}` },
            ],
          })),
        }),
      );
    const seedMs = performance.now() - seedStarted;

    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_CONFIG_FILE: '/nonexistent/pilot-light-bench/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/pilot-light-bench/credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    const tagPolicy = validateTagPolicy({ resourceTypes: { '*': { owner: {} } } }, 'bench');
    type Run = {
      ms: number;
      readMs: Record<string, number>;
      apiCalls: Record<string, number>;
      resources: number;
      findings: number;
      statuses: Record<string, string>;
    };
    const recording = new ReplayRecording();
    /** One run of every check; `replay`: EC2 reads answered from the recording instead of moto. */
    const runOnce = async (repeat: number, replay?: ReplayServer, record = false): Promise<Run> => {
      const connection = await AwsConnection.open(
        {
          endpointUrl: stack.endpoint,
          region: stack.region,
          ...(replay ? { serviceEndpoints: { ec2: replay.endpoint } } : {}),
        },
        process.env,
      );
      await connection.identity();
      if (record) recordExchanges(await connection.client(ec2Service), recording);
      const runner = new OperationRunner({
        registry: createOperationRegistry(),
        connection,
        policy: resolveGuardrailPolicy({}).policy,
        audit: new AuditTrail(join(dir, `audit-${repeat}-${replay ? 'replay' : 'moto'}.jsonl`)),
      });
      const readMs: Record<string, number> = {};
      const read: ReadOperation = async (operationId, input) => {
        const callStarted = performance.now();
        const outcome = await runner.run(operationId, input, { caller: 'explorer', mode: 'execute' });
        readMs[operationId] = Math.round((readMs[operationId] ?? 0) + performance.now() - callStarted);
        if (outcome.status === 'succeeded') return outcome.output;
        if (outcome.error) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
        throw new Error(`${operationId} ended as ${outcome.status}`);
      };
      const started = performance.now();
      const report = await runComplianceChecks({
        read,
        account: ACCOUNT,
        regions: [stack.region],
        checks: ALL_CHECKS,
        tagPolicy,
      });
      const ms = performance.now() - started;
      return {
        ms,
        readMs,
        apiCalls: report.apiCalls,
        resources: report.checks.reduce((sum, check) => sum + check.resourcesEvaluated, 0),
        findings: report.checks.reduce((sum, check) => sum + check.findings.length, 0),
        statuses: Object.fromEntries(
          report.checks.map((check) => [
            check.ruleId,
            check.reason ? `${check.status}: ${check.reason}` : check.status,
          ]),
        ),
      };
    };
    const motoRuns: Run[] = [];
    for (let repeat = 0; repeat < Math.max(1, REPEATS - 1); repeat++)
      motoRuns.push(await runOnce(repeat, undefined, repeat === 0));
    const replayServer = await startReplayServer(recording);
    const runs: Run[] = [];
    try {
      for (let repeat = 0; repeat < REPEATS; repeat++) runs.push(await runOnce(repeat, replayServer));
    } finally {
      await replayServer.stop();
    }
    const replayStats = replayServer.stats();
    const seeded = SEED.instances * 2 + SEED.extraVolumes + SEED.securityGroups + SEED.users;
    // Pages each list needs at its page size, over the resource types it reads.
    const pages = (count: number, size: number) => Math.max(1, Math.ceil(count / size));
    const listPages: Record<string, number> = {
      'ec2.instances.list': pages(SEED.instances, LIST_PAGE),
      'ec2.volumes.list': pages(SEED.instances + SEED.extraVolumes, LIST_PAGE),
      'ec2.securityGroups.list': pages(SEED.securityGroups + 1, LIST_PAGE),
      'ec2.vpcs.list': 1,
      'ec2.subnets.list': 1,
      'iam.credentialReport.get': 1,
      'iam.accountSummary.get': 1,
      'iam.passwordPolicy.get': 1,
      'cloudtrail.trails.list': 1,
      'ec2.ebsEncryptionByDefault.get': 1,
      's3control.publicAccessBlock.get': 1,
      'config.recorders.status': 1,
      'config.ruleCompliance.list': pages(4, 25),
      'securityhub.findings.list': pages(SECURITY_HUB_FINDINGS, 100),
    };
    const perResource = {
      'cloudtrail.trails.status': { count: 1, why: 'GetTrailStatus, once per multi-region trail (no batch form)' },
      'config.ruleCompliance.details': {
        count: NON_COMPLIANT_RULES,
        why: 'GetComplianceDetailsByConfigRule, once per NON_COMPLIANT rule (no batch form across rules)',
      },
    };
    writeFileSync(
      process.env.PILOT_LIGHT_BENCH_RESULT!,
      JSON.stringify({
        ok: true,
        seedMs,
        seeded,
        seed: SEED,
        listPages,
        perResource,
        runs,
        motoRuns,
        replay: { ...replayStats, recorded: recording.size },
      }),
    );
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  writeFileSync(
    process.env.PILOT_LIGHT_BENCH_RESULT ?? join(tmpdir(), 'pilot-light-compliance-bench-error.json'),
    JSON.stringify({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
  process.exitCode = 1;
});
