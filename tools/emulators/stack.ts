/** moto + the DRS emulator + the gateway in front of both: an AWS account on loopback. */
import type { SourceServerSeed, SeededSourceServer } from './drs/adminTypes';
import { DrsEmulatorAdmin } from './drs/adminClient';
import type { ClockSettings } from './drs/clock';
import { startGateway, type RunningGateway } from './drs/gateway';
import { SsmAutomationEmulator } from './ssm/automation';
import { ConfigComplianceEmulator } from './config/compliance';
import { BackupEmulator } from './backup/backupEmulator';
import { CostRecommendationsEmulator } from './costRecommendations/costRecommendations';
import { PriceListEmulator } from './pricing/priceListEmulator';
import { startDrsEmulator, type RunningDrsEmulator } from './drs/server';
import { findFreePort, startMoto, type MotoServer } from './moto';
import { seedSampleAccount, type SampleAccountSummary } from '../seed/sampleAccount';
import { seedSampleDocuments } from '../seed/sampleDocuments';
import { seedScale, type ScaleSeedOptions, type ScaleSeedSummary } from '../seed/scale';
import type { SeedTarget } from '../seed/target';

export const EMULATOR_REGION = 'us-east-1';
export const EMULATOR_CREDENTIALS = Object.freeze({ accessKeyId: 'testing', secretAccessKey: 'testing' });

/** What to create after start or reset. Parts run in this order: sample, scale, sourceServers. */
export interface SeedSpec {
  sample?: boolean;
  scale?: ScaleSeedOptions;
  /** Extra DRS source servers registered as-is. */
  sourceServers?: SourceServerSeed[];
}

export type StackSeed = 'sample' | SeedSpec | false;

export interface SeedSummary {
  sample?: SampleAccountSummary;
  /** The sample plan's SSM Automation documents (samples/recovery-plan/ssm), registered with the sample. */
  sampleDocuments?: string[];
  scale?: ScaleSeedSummary;
  sourceServers?: SeededSourceServer[];
}

export interface EmulatorStackOptions {
  repoRoot: string;
  /** Default false (empty account). */
  seed?: StackSeed;
  /** Pace of DRS jobs; e.g. { timeScale: 0.05 } in tests. */
  drsClock?: ClockSettings;
  /** DRS page size when a request sets no maxResults (default 100). */
  drsPageSize?: number;
  /** Multiplies SSM Automation aws:sleep durations (default 1). */
  ssmTimeScale?: number;
  /** Fixed gateway port (e.g. for a demo); a free one by default. */
  gatewayPort?: number;
  /** Show EC2 instances pending, stopping or shutting-down for this long after a change (off by default). */
  ec2TransitionMs?: number;
  log?: (message: string) => void;
}

export interface EmulatorStack {
  /** The one URL for every AWS client (the gateway). */
  endpoint: string;
  motoEndpoint: string;
  drsEndpoint: string;
  region: typeof EMULATOR_REGION;
  credentials: { accessKeyId: string; secretAccessKey: string };
  admin: DrsEmulatorAdmin;
  /** SSM Automation executions (moto stores documents but cannot run them). */
  ssm: SsmAutomationEmulator | undefined;
  /** AWS Backup selections, jobs, recovery points and restore jobs (moto has plans and vaults only). */
  backup: BackupEmulator | undefined;
  /** The Price List Query API (moto has none), serving test price data. */
  pricing: PriceListEmulator;
  /** What the start-up seed created, if anything. */
  seeded: SeedSummary | undefined;
  /** Empties moto and the DRS emulator (state and faults; the DRS clock keeps its settings). */
  reset(): Promise<void>;
  seed(seed: StackSeed): Promise<SeedSummary>;
  resetAndSeed(seed: StackSeed): Promise<SeedSummary>;
  stop(): Promise<void>;
}

function normalizeSeed(seed: StackSeed | undefined): SeedSpec | undefined {
  if (seed === undefined || seed === false) return undefined;
  return seed === 'sample' ? { sample: true } : seed;
}

export async function seedStack(target: SeedTarget, seed: StackSeed, repoRoot?: string): Promise<SeedSummary> {
  const spec = normalizeSeed(seed);
  const summary: SeedSummary = {};
  if (!spec) return summary;
  if (spec.sample) summary.sample = await seedSampleAccount(target);
  if (spec.sample && repoRoot) summary.sampleDocuments = await seedSampleDocuments(target, repoRoot);
  if (spec.scale) summary.scale = await seedScale(target, spec.scale);
  if (spec.sourceServers?.length)
    summary.sourceServers = await target.admin.seedSourceServers(spec.sourceServers, target.region);
  return summary;
}

/** Makes moto execute Step Functions state machines for real (it only records executions by default). */
async function enableStateMachineExecution(motoEndpoint: string): Promise<void> {
  const response = await fetch(`${motoEndpoint}/moto-api/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }),
  });
  if (!response.ok) throw new Error(`moto refused the Step Functions config: HTTP ${response.status}`);
}

export async function startEmulatorStack(options: EmulatorStackOptions): Promise<EmulatorStack> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  let moto: MotoServer | undefined;
  let drs: RunningDrsEmulator | undefined;
  let gateway: RunningGateway | undefined;
  let ssm: SsmAutomationEmulator | undefined;
  const configComplianceEmulator = new ConfigComplianceEmulator();
  const costRecommendations = new CostRecommendationsEmulator();
  let backup: BackupEmulator | undefined;
  const pricing = new PriceListEmulator();
  const stopAll = async (): Promise<void> => {
    ssm?.stop();
    backup?.stop();
    await gateway?.stop();
    await drs?.stop();
    await moto?.stop();
  };
  try {
    // moto's Step Functions interpreter sends `aws-sdk:*` tasks to MOTO_PORT: the gateway, so DRS and SSM
    // Automation calls from a state machine reach our emulators like every other call.
    const gatewayPort = options.gatewayPort ?? (await findFreePort());
    moto = await startMoto({ repoRoot: options.repoRoot, log, callbackPort: gatewayPort });
    await enableStateMachineExecution(moto.endpoint);
    log(`moto listening on ${moto.endpoint}`);
    drs = await startDrsEmulator({
      motoEndpoint: moto.endpoint,
      defaultRegion: EMULATOR_REGION,
      clock: options.drsClock,
      defaultPageSize: options.drsPageSize,
    });
    log(`DRS emulator listening on ${drs.endpoint}`);
    ssm = new SsmAutomationEmulator({
      motoEndpoint: moto.endpoint,
      credentials: { ...EMULATOR_CREDENTIALS },
      timeScale: options.ssmTimeScale,
    });
    const ssmAutomation = ssm;
    backup = new BackupEmulator({ motoEndpoint: moto.endpoint, credentials: { ...EMULATOR_CREDENTIALS } });
    const backupEmulator = backup;
    gateway = await startGateway({
      drs: drs.emulator,
      upstream: moto.endpoint,
      port: gatewayPort,
      ec2TransitionMs: options.ec2TransitionMs,
      handlers: [
        { matches: (req) => SsmAutomationEmulator.matches(req), handle: (req, res) => ssmAutomation.handle(req, res) },
        {
          matches: (req) => ConfigComplianceEmulator.matches(req),
          handle: (req, res) => configComplianceEmulator.handle(req, res),
        },
        { matches: (req) => BackupEmulator.matches(req), handle: (req, res) => backupEmulator.handle(req, res) },
        {
          matches: (req) => CostRecommendationsEmulator.matches(req),
          handle: (req, res) => costRecommendations.handle(req, res),
        },
        { matches: (req) => PriceListEmulator.matches(req), handle: (req, res) => pricing.handle(req, res) },
      ],
    });
    log(`gateway listening on ${gateway.endpoint}`);
  } catch (error) {
    await stopAll();
    throw error;
  }

  const admin = new DrsEmulatorAdmin(drs.endpoint);
  const target: SeedTarget = {
    endpoint: gateway.endpoint,
    region: EMULATOR_REGION,
    credentials: { ...EMULATOR_CREDENTIALS },
    admin,
  };
  const runningMoto = moto;
  const runningDrs = drs;
  let stopped: Promise<void> | undefined;

  const stack: EmulatorStack = {
    endpoint: gateway.endpoint,
    motoEndpoint: moto.endpoint,
    drsEndpoint: drs.endpoint,
    region: EMULATOR_REGION,
    credentials: { ...EMULATOR_CREDENTIALS },
    admin,
    seeded: undefined,
    ssm,
    backup,
    pricing,
    async reset() {
      ssm?.reset();
      configComplianceEmulator.reset();
      costRecommendations.reset();
      backup?.reset();
      pricing.reset();
      runningDrs.emulator.reset();
      await runningMoto.reset();
      await enableStateMachineExecution(runningMoto.endpoint);
    },
    seed: (seed) => seedStack(target, seed, options.repoRoot),
    async resetAndSeed(seed) {
      await stack.reset();
      return seedStack(target, seed, options.repoRoot);
    },
    stop() {
      stopped ??= stopAll();
      return stopped;
    },
  };

  if (options.seed) {
    try {
      stack.seeded = await seedStack(target, options.seed, options.repoRoot);
    } catch (error) {
      await stack.stop();
      throw error;
    }
  }
  log(`emulator stack ready in ${Date.now() - started} ms`);
  return stack;
}
