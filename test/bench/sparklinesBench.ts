// Benchmark of explorer sparklines (issue 17): CPU sparklines for 100 visible instance rows, read with the
// product's SparklineCache through the registry runner and the real SDK, against its own moto server behind a
// proxy that counts the GetMetricData requests on the wire. Writes its result as JSON to PILOT_LIGHT_BENCH_RESULT.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { AwsConnection } from '../../src/core/aws/connection';
import { metricQueries, SparklineCache } from '../../src/core/observability/sparklines';
import { runnerReads } from '../../src/core/resources/runnerReads';
import { createRuntime } from '../../src/core/runtime';
import { startMoto } from '../../tools/emulators/moto';
import { seedCpu, seedManyInstances } from '../support/observability';

const INSTANCES = Number(process.env.PILOT_LIGHT_BENCH_INSTANCES ?? 100);
const REPEATS = Number(process.env.PILOT_LIGHT_BENCH_REPEATS ?? 5);
const REGION = 'us-east-1';

/** Forwards to moto and counts GetMetricData requests (query, JSON or CBOR protocol alike). */
async function countingProxy(target: string) {
  const upstream = new URL(target);
  const counts = { getMetricData: 0, requests: 0 };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      counts.requests++;
      const target = `${request.url} ${request.headers['x-amz-target'] ?? ''} ${body.subarray(0, 200).toString('latin1')}`;
      if (/GetMetricData\b/.test(target)) counts.getMetricData++;
      const forwarded = http.request(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: upstream.host },
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      forwarded.on('error', (error) => {
        response.writeHead(502);
        response.end(String(error));
      });
      forwarded.end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}

async function main(): Promise<void> {
  const repoRoot = resolve(__dirname, '..', '..', '..');
  const moto = await startMoto({ repoRoot });
  const proxy = await countingProxy(moto.endpoint);
  const dir = mkdtempSync(join(tmpdir(), 'pilot-light-sparklines-bench-'));
  try {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_CONFIG_FILE: '/nonexistent/pilot-light-bench/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/pilot-light-bench/credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    const seedConfig = {
      region: REGION,
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    };
    const ids = await seedManyInstances(seedConfig, INSTANCES);
    await seedCpu(seedConfig, ids, 36, (instance, point) => (instance * 7 + point * 13) % 100);
    const connection = await AwsConnection.open({ endpointUrl: proxy.endpoint, region: REGION }, process.env);
    await connection.identity();
    const runtime = createRuntime({
      auditPath: join(dir, 'audit.jsonl'),
      approvalProvider: {
        id: 'none',
        kind: 'interactive',
        requestApproval: async () => ({ approved: false, reason: 'benchmark' }),
      },
      connection: async () => connection,
    });
    const reads = runnerReads(
      () => runtime.runner(),
      () => connection.identity(),
    );
    const rows = ids.map((id) => ({ type: 'ec2:instance', id }));
    // One warm-up: the CloudWatch client bundle and its first connection.
    await new SparklineCache().load(
      (operationId, input) => reads.read(operationId, input, REGION),
      REGION,
      rows.slice(0, 1),
    );
    const runs: Array<{ ms: number; cacheCalls: number; wireCalls: number; withLine: number; cachedCalls: number }> =
      [];
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      const cache = new SparklineCache();
      const before = proxy.counts.getMetricData;
      const started = performance.now();
      const cacheCalls = await cache.load((operationId, input) => reads.read(operationId, input, REGION), REGION, rows);
      const ms = performance.now() - started;
      const wireCalls = proxy.counts.getMetricData - before;
      const withLine = ids.filter((id) => (cache.get(REGION, id)?.points ?? 0) > 0).length;
      const cachedCalls = await cache.load(
        (operationId, input) => reads.read(operationId, input, REGION),
        REGION,
        rows,
      );
      runs.push({ ms, cacheCalls, wireCalls, withLine, cachedCalls });
    }
    connection.dispose();
    // The same GetMetricData straight from the SDK to moto: how much of the time is the emulator's.
    const direct = new CloudWatchClient(seedConfig);
    const motoMs: number[] = [];
    for (let repeat = 0; repeat < 3; repeat++) {
      const [batch] = metricQueries(rows, 300);
      const end = Date.now();
      const started = performance.now();
      await direct.send(
        new GetMetricDataCommand({
          StartTime: new Date(end - 3 * 3600_000),
          EndTime: new Date(end),
          MetricDataQueries: batch.map((query) => ({
            Id: String(query.id),
            MetricStat: {
              Metric: {
                Namespace: 'AWS/EC2',
                MetricName: 'CPUUtilization',
                Dimensions: [{ Name: 'InstanceId', Value: (query.dimensions as Array<{ value: string }>)[0].value }],
              },
              Period: 300,
              Stat: 'Average',
            },
          })),
        }),
      );
      motoMs.push(performance.now() - started);
    }
    direct.destroy();
    writeFileSync(
      process.env.PILOT_LIGHT_BENCH_RESULT!,
      JSON.stringify({ ok: true, instances: INSTANCES, runs, motoMs }),
    );
  } catch (error) {
    writeFileSync(
      process.env.PILOT_LIGHT_BENCH_RESULT!,
      JSON.stringify({ ok: false, error: (error as Error).stack ?? String(error) }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await proxy.stop();
    await moto.stop();
  }
}

void main();
