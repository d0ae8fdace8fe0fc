// The launch templates bulk dry-run over N source servers, through the real SDK and the OperationRunner:
//   PILOT_LIGHT_BENCH_CONFIG='{"endpoint":…}' PILOT_LIGHT_BENCH_RESULT=out.json node out/test/bench/launchTemplatesBench.js
// Seeds a VPC, a subnet, a security group, one launch template per server and N DRS source servers, then
// selects them by tag and runs bulkDryRun `repeats` times (a template field and a launch setting change).
import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateLaunchTemplateCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { AuditTrail } from '../../src/core/audit/auditTrail';
import { AwsConnection } from '../../src/core/aws/connection';
import { resolveGuardrailPolicy } from '../../src/core/guardrails';
import { bulkDryRun, selectSourceServers, type RunFunction } from '../../src/core/launchTemplates';
import { createOperationRegistry } from '../../src/core/operations';
import { OperationRunner } from '../../src/core/operations/runner';
import { DrsEmulatorAdmin } from '../../tools/emulators/drs/adminClient';

interface BenchConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  servers: number;
  repeats: number;
}

async function main(): Promise<void> {
  const resultFile = process.env.PILOT_LIGHT_BENCH_RESULT;
  const config = JSON.parse(process.env.PILOT_LIGHT_BENCH_CONFIG ?? 'null') as BenchConfig | null;
  if (!resultFile || !config) throw new Error('PILOT_LIGHT_BENCH_RESULT and PILOT_LIGHT_BENCH_CONFIG must be set');
  const ec2 = new EC2Client({ region: config.region, endpoint: config.endpoint, credentials: config.credentials });
  const admin = new DrsEmulatorAdmin(config.endpoint);
  const seedStarted = Date.now();
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.40.0.0/16' }))).Vpc!.VpcId!;
  const subnet = (
    await ec2.send(
      new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.40.0.0/20', AvailabilityZone: `${config.region}a` }),
    )
  ).Subnet!.SubnetId!;
  const group = (
    await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'bench-lt', Description: 'bench', VpcId: vpc }))
  ).GroupId!;
  const templates: string[] = [];
  for (let index = 0; index < config.servers; index += 1) {
    const created = await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: `bench-lt-${index}`,
        LaunchTemplateData: {
          ImageId: 'ami-12c6146b',
          InstanceType: 't3.micro',
          MetadataOptions: { HttpTokens: 'required' },
          NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnet, Groups: [group] }],
          BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 8 } }],
        },
      }),
    );
    templates.push(created.LaunchTemplate!.LaunchTemplateId!);
  }
  for (let index = 0; index < templates.length; index += 100) {
    await admin.seedSourceServers(
      templates.slice(index, index + 100).map((templateId, offset) => ({
        hostname: `bench-${index + offset}`,
        ec2LaunchTemplateID: templateId,
        tags: { Environment: 'bench', Bench: 'launch-templates' },
        privateIps: [`10.40.${Math.floor((index + offset) / 250)}.${((index + offset) % 250) + 4}`],
        disks: [{ deviceName: '/dev/xvda', bytes: 2 ** 33 }],
      })),
      config.region,
    );
  }
  const seedMs = Date.now() - seedStarted;

  const dir = mkdtempSync(join(tmpdir(), 'pilot-light-bench-lt-'));
  const connection = await AwsConnection.open(
    { endpointUrl: config.endpoint, region: config.region },
    {
      ...process.env,
      AWS_ACCESS_KEY_ID: config.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: config.credentials.secretAccessKey,
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    },
  );
  const runner = new OperationRunner({
    registry: createOperationRegistry(),
    connection,
    policy: resolveGuardrailPolicy({}).policy,
    audit: new AuditTrail(join(dir, 'audit.jsonl')),
  });
  const byOperation: Record<string, number> = {};
  const run: RunFunction = (operationId, input, options) => {
    byOperation[operationId] = (byOperation[operationId] ?? 0) + 1;
    return runner.run(operationId, input, options);
  };
  const context = { caller: 'command' as const };
  const runs: Array<{
    ms: number;
    apiCalls: number;
    apiCallsPerServer: number;
    entries: number;
    withChanges: number;
    findings: number;
    errors: number;
  }> = [];
  const selectStarted = performance.now();
  const servers = await selectSourceServers(run, context, { tags: { Bench: 'launch-templates' } });
  const selectMs = performance.now() - selectStarted;
  const selectCalls = byOperation['drs.sourceServers.list'] ?? 0;
  let firstRunByOperation: Record<string, number> | undefined;
  for (let repeat = 0; repeat < config.repeats; repeat += 1) {
    for (const key of Object.keys(byOperation)) delete byOperation[key];
    const started = performance.now();
    const report = await bulkDryRun(run, context, servers, {
      templateData: { InstanceType: 't3.large' },
      launchConfiguration: { copyPrivateIp: true },
    });
    const ms = performance.now() - started;
    firstRunByOperation ??= { ...byOperation };
    // Every operation the dry-run ran through the runner (one SDK call each), not the report's own count.
    const apiCalls = Object.values(byOperation).reduce((a, b) => a + b, 0);
    if (apiCalls !== report.apiCalls)
      throw new Error(`bulkDryRun reports ${report.apiCalls} API calls but ran ${apiCalls} through the runner`);
    runs.push({
      ms,
      apiCalls,
      apiCallsPerServer: Math.round((apiCalls / servers.length) * 1000) / 1000,
      entries: report.entries.length,
      withChanges: report.entries.filter(
        (entry) => entry.templateChanges.length && entry.launchConfigurationChanges.length,
      ).length,
      findings: report.entries.reduce((sum, entry) => sum + entry.findings.length, 0),
      errors: report.entries.filter((entry) => entry.error).length,
    });
  }
  fs.writeFileSync(
    resultFile,
    JSON.stringify(
      { ok: true, servers: servers.length, seedMs, selectMs, selectCalls, runs, byOperation: firstRunByOperation },
      null,
      2,
    ),
  );
  ec2.destroy();
  rmSync(dir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (error) => {
    const resultFile = process.env.PILOT_LIGHT_BENCH_RESULT;
    if (resultFile) fs.writeFileSync(resultFile, JSON.stringify({ ok: false, error: String(error?.stack ?? error) }));
    console.error(error);
    process.exit(1);
  },
);
