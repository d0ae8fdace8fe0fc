/** Request and response shapes of the emulator's admin API under /__emulator/. */
import type {
  DataReplicationErrorString,
  DataReplicationState,
  LaunchDisposition,
  TargetInstanceTypeRightSizingMethod,
} from '@aws-sdk/client-drs';
import type { ClockSettings, ClockState } from './clock';

export const ADMIN_PREFIX = '/__emulator';

export interface LaunchConfigurationSeed {
  name?: string;
  launchDisposition?: LaunchDisposition;
  targetInstanceTypeRightSizingMethod?: TargetInstanceTypeRightSizingMethod;
  copyPrivateIp?: boolean;
  copyTags?: boolean;
  osByol?: boolean;
  postLaunchEnabled?: boolean;
}

/** A source server as an installed replication agent would have registered it. */
export interface SourceServerSeed {
  hostname: string;
  /** Generated (s- plus 17 hex characters) when absent. */
  sourceServerID?: string;
  fqdn?: string;
  tags?: Record<string, string>;
  /** Defaults to CONTINUOUS. */
  replicationState?: DataReplicationState;
  replicationError?: { error: DataReplicationErrorString; rawError?: string };
  /** EC2 launch template the recovery instances launch from. */
  ec2LaunchTemplateID?: string;
  launchConfiguration?: LaunchConfigurationSeed;
  /** Set when the source is an EC2 instance. */
  awsInstanceID?: string;
  originAccountID?: string;
  originRegion?: string;
  originAvailabilityZone?: string;
  recommendedInstanceType?: string;
  os?: string;
  cpuCores?: number;
  ramBytes?: number;
  disks?: { deviceName: string; bytes: number }[];
  privateIps?: string[];
  hardwareId?: string;
  /** Marks the server as extended from a staging account. */
  stagingAccountID?: string;
  /** ISO date; defaults to a day ago. */
  addedAt?: string;
}

export interface SeedSourceServersRequest {
  region?: string;
  /** The account to seed in (the emulator must separate accounts); default: the emulator's account. */
  accountId?: string;
  servers: SourceServerSeed[];
}

export interface SeededSourceServer {
  sourceServerID: string;
  arn: string;
  hostname: string;
}

export interface SeedSourceServersResponse {
  sourceServers: SeededSourceServer[];
}

export interface SetReplicationStateRequest {
  state: DataReplicationState;
  error?: DataReplicationErrorString;
  rawError?: string;
}

export interface ThrottleFaultRequest {
  /** DRS operation name, e.g. DescribeSourceServers, or '*' for every operation. */
  operation: string;
  /** How many of the next calls fail. */
  count: number;
  retryAfterSeconds?: number;
}

export interface ConflictFaultRequest {
  sourceServerID: string;
  /** How many calls conflict; unlimited until cleared when absent. */
  count?: number;
}

export interface LaunchFailureFaultRequest {
  sourceServerID: string;
  rawError?: string;
  /** How many launches fail; unlimited until cleared when absent. */
  count?: number;
}

export interface FaultsState {
  throttles: { operation: string; remaining: number; retryAfterSeconds?: number }[];
  conflicts: { sourceServerID: string; remaining: number | null }[];
  launchFailures: { sourceServerID: string; remaining: number | null; rawError: string }[];
}

export interface RegionStats {
  sourceServers: number;
  jobs: number;
  activeJobs: number;
  recoveryInstances: number;
}

export interface EmulatorStats {
  /** Calls per DRS operation since start or the last reset, throttled ones included. */
  operations: Record<string, number>;
  regions: Record<string, RegionStats>;
}

export type { ClockSettings, ClockState };
