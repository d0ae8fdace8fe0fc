// Drift of a 200-resource CloudFormation stack, through the real SDK and the OperationRunner:
//   PILOT_LIGHT_BENCH_CONFIG='{"endpoint":…}' PILOT_LIGHT_BENCH_RESULT=out.json node out/test/bench/driftBench.js
// Deploys the template on moto, checks drift once against moto while recording every answer, then times
// template text → every drift result against the replay endpoint (tools/emulators/replay), and against moto
// itself for comparison.
import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AuditTrail } from '../../src/core/audit/auditTrail';
import { AwsConnection } from '../../src/core/aws/connection';
import { cloudFormationService, ec2Service } from '../../src/core/aws/services';
import { resolveGuardrailPolicy } from '../../src/core/guardrails';
import { parseTemplate } from '../../src/core/iac/cloudformation/template';
import { checkStackDrift, type StackDriftReport } from '../../src/core/iac/drift/stackDrift';
import { createOperationRegistry } from '../../src/core/operations';
import { OperationRunner } from '../../src/core/operations/runner';
import { runnerReads } from '../../src/core/resources/runnerReads';
import { ReplayRecording, recordExchanges, startReplayServer } from '../../tools/emulators/replay/server';
import { deployStack } from '../../tools/seed/threeTier';

interface BenchConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  repeats: number;
}

const STACK = 'drift-bench';

/** 200 resources over 10 types, with the intrinsic functions a real template uses. */
export function benchTemplate(): { text: string; resources: number } {
  const subnets = 20;
  const groups = 40;
  const templates = 40;
  const instances = 75;
  const lines = [
    "AWSTemplateFormatVersion: '2010-09-09'",
    'Parameters:',
    '  Env: { Type: String, Default: bench }',
    'Mappings:',
    '  Sizes: { bench: { Small: t3.micro, Large: t3.large } }',
    'Resources:',
    '  Vpc:',
    '    Type: AWS::EC2::VPC',
    "    Properties: { CidrBlock: 10.60.0.0/16, Tags: [{ Key: Name, Value: !Sub '${Env}-vpc' }] }",
    '  Igw:',
    '    Type: AWS::EC2::InternetGateway',
    "    Properties: { Tags: [{ Key: Name, Value: !Sub '${Env}-igw' }] }",
    '  Attach:',
    '    Type: AWS::EC2::VPCGatewayAttachment',
    '    Properties: { VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw }',
    '  Routes:',
    '    Type: AWS::EC2::RouteTable',
    '    Properties: { VpcId: !Ref Vpc }',
    '  DefaultRoute:',
    '    Type: AWS::EC2::Route',
    '    DependsOn: Attach',
    '    Properties: { RouteTableId: !Ref Routes, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw }',
  ];
  let count = 5;
  for (let index = 0; index < subnets; index++) {
    lines.push(
      `  Subnet${index}:`,
      '    Type: AWS::EC2::Subnet',
      `    Properties: { VpcId: !Ref Vpc, CidrBlock: 10.60.${index}.0/24, Tags: [{ Key: Name, Value: !Join ['-', [!Ref Env, subnet, '${index}']] }] }`,
      `  Subnet${index}Routes:`,
      '    Type: AWS::EC2::SubnetRouteTableAssociation',
      `    Properties: { SubnetId: !Ref Subnet${index}, RouteTableId: !Ref Routes }`,
    );
    count += 2;
  }
  for (let index = 0; index < groups; index++) {
    lines.push(
      `  Group${index}:`,
      '    Type: AWS::EC2::SecurityGroup',
      '    Properties:',
      `      GroupDescription: bench group ${index}`,
      '      VpcId: !Ref Vpc',
      `      SecurityGroupIngress: [{ IpProtocol: tcp, FromPort: ${1000 + index}, ToPort: ${1000 + index}, CidrIp: 10.0.0.0/8 }]`,
    );
    count++;
  }
  for (let index = 0; index < templates; index++) {
    lines.push(
      `  Template${index}:`,
      '    Type: AWS::EC2::LaunchTemplate',
      '    Properties:',
      `      LaunchTemplateName: !Sub '\${Env}-template-${index}'`,
      `      LaunchTemplateData: { ImageId: ami-12c6146b, InstanceType: !FindInMap [Sizes, !Ref Env, Small], SecurityGroupIds: [!Ref Group${index}] }`,
    );
    count++;
  }
  for (let index = 0; index < instances; index++) {
    lines.push(
      `  Instance${index}:`,
      '    Type: AWS::EC2::Instance',
      '    Properties:',
      '      ImageId: ami-12c6146b',
      `      InstanceType: !FindInMap [Sizes, !Ref Env, ${index % 5 === 0 ? 'Large' : 'Small'}]`,
      `      SubnetId: !Ref Subnet${index % subnets}`,
      `      SecurityGroupIds: [!GetAtt Group${index % groups}.GroupId]`,
      `      Tags: [{ Key: Name, Value: !Sub '\${Env}-instance-${index}' }, { Key: Stack, Value: !Ref 'AWS::StackName' }]`,
    );
    count++;
  }
  return { text: `${lines.join('\n')}\n`, resources: count };
}

async function openConnection(endpoint: string, config: BenchConfig): Promise<AwsConnection> {
  return AwsConnection.open(
    { endpointUrl: endpoint, region: config.region },
    {
      ...process.env,
      AWS_ACCESS_KEY_ID: config.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: config.credentials.secretAccessKey,
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    },
  );
}

function readsFor(connection: AwsConnection, dir: string) {
  const runner = new OperationRunner({
    registry: createOperationRegistry(),
    connection,
    policy: resolveGuardrailPolicy({}).policy,
    audit: new AuditTrail(join(dir, 'audit.jsonl')),
  });
  return runnerReads(
    async () => runner,
    () => connection.identity(),
    'command',
  );
}

/** Template text → every drift result: parse, stack reads, one live read per type, evaluation, comparison. */
async function timedCheck(text: string, reads: ReturnType<typeof readsFor>, region: string) {
  const started = performance.now();
  const template = parseTemplate(text);
  const report = await checkStackDrift({ template: template.value, stackName: STACK, region, reads });
  return { ms: performance.now() - started, report };
}

function summary(report: StackDriftReport) {
  return {
    apiCalls: report.apiCalls,
    liveReadCalls: report.liveReadCalls,
    resourceTypes: report.resourceTypes,
    counts: report.counts,
    properties: report.resources.reduce((sum, resource) => sum + resource.properties.length, 0),
  };
}

async function main(): Promise<void> {
  const resultFile = process.env.PILOT_LIGHT_BENCH_RESULT;
  const config = JSON.parse(process.env.PILOT_LIGHT_BENCH_CONFIG ?? 'null') as BenchConfig | null;
  if (!resultFile || !config) throw new Error('PILOT_LIGHT_BENCH_RESULT and PILOT_LIGHT_BENCH_CONFIG must be set');
  // The SDK's credential chain reads process.env: this process talks to the emulators only.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: config.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: config.credentials.secretAccessKey,
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  delete process.env.AWS_PROFILE;
  const { text, resources } = benchTemplate();
  const deployStarted = Date.now();
  await deployStack(config, STACK, text);
  const deployMs = Date.now() - deployStarted;
  const dir = mkdtempSync(join(tmpdir(), 'pilot-light-bench-drift-'));
  try {
    // moto: the first check records every answer; the next ones time moto itself.
    const recording = new ReplayRecording();
    const motoConnection = await openConnection(config.endpoint, config);
    recordExchanges(await motoConnection.client(ec2Service), recording);
    recordExchanges(await motoConnection.client(cloudFormationService), recording);
    const sts = new STSClient({ region: config.region, endpoint: config.endpoint, credentials: config.credentials });
    recordExchanges(sts, recording);
    await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
    const recorded = await timedCheck(text, readsFor(motoConnection, dir), config.region);
    motoConnection.dispose();
    const timingConnection = await openConnection(config.endpoint, config);
    const motoReads = readsFor(timingConnection, dir);
    await timedCheck(text, motoReads, config.region); // warm, as the replay runs are
    const moto: number[] = [];
    for (let repeat = 0; repeat < config.repeats; repeat++)
      moto.push((await timedCheck(text, motoReads, config.region)).ms);

    const replay = await startReplayServer(recording);
    try {
      const replayConnection = await openConnection(replay.endpoint, config);
      const replayReads = readsFor(replayConnection, dir);
      const cold = await timedCheck(text, replayReads, config.region);
      const runs: Array<{ ms: number } & ReturnType<typeof summary>> = [];
      for (let repeat = 0; repeat < config.repeats; repeat++) {
        const before = replay.stats().answered;
        const { ms, report } = await timedCheck(text, replayReads, config.region);
        runs.push({ ms, ...summary(report), ...{ replayAnswered: replay.stats().answered - before } });
      }
      fs.writeFileSync(
        resultFile,
        JSON.stringify(
          {
            ok: true,
            resources,
            deployMs,
            recorded: { requests: recording.size, bytes: recording.bytes, ...summary(recorded.report) },
            coldReplayMs: cold.ms,
            runs,
            motoMs: moto,
            replayStats: replay.stats(),
          },
          null,
          2,
        ),
      );
      replayConnection.dispose();
    } finally {
      await replay.stop();
    }
    timingConnection.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  const resultFile = process.env.PILOT_LIGHT_BENCH_RESULT;
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  if (resultFile) fs.writeFileSync(resultFile, JSON.stringify({ ok: false, error: message }));
  console.error(message);
  process.exit(1);
});
