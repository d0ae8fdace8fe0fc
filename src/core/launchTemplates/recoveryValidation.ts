/** DRS recovery validation: what a recovery would get wrong, found before the recovery. */
import type { LaunchConfiguration } from '@aws-sdk/client-drs';
import type { LaunchTemplateData } from './delta';
import type { RunContext, RunFunction } from './editor';
import type { SubnetFacts } from './fieldChecks';

export type FindingSeverity = 'error' | 'warning' | 'info';

export type RecoveryFindingCode =
  | 'right-sizing-overrides-instance-type'
  | 'device-name-mismatch'
  | 'subnet-required'
  | 'private-ip-outside-subnet'
  | 'security-group-other-vpc'
  | 'launched-version-not-latest'
  | 'instance-type-not-offered'
  | 'check-not-run';

export interface RecoveryFinding {
  sourceServerId: string;
  code: RecoveryFindingCode;
  severity: FindingSeverity;
  message: string;
  fix: string;
}

/** What validation needs about one source server; gathered in batches by gatherRecoveryFacts. */
export interface RecoveryFacts {
  sourceServerId: string;
  hostname?: string;
  launchConfiguration: Pick<LaunchConfiguration, 'ec2LaunchTemplateID' | 'targetInstanceTypeRightSizingMethod' | 'copyPrivateIp'>;
  /** Device names of the source server's disks (e.g. /dev/xvda). */
  sourceDiskDevices: string[];
  /** The source server's private IPs (copyPrivateIp copies the first). */
  sourcePrivateIps: string[];
  template?: { launchTemplateId: string; defaultVersion: number; latestVersion: number; data: LaunchTemplateData };
  /** The subnet the template launches into; undefined when the template names none. */
  subnet?: SubnetFacts;
  /** Whether the region has a default VPC; undefined when not checked. */
  hasDefaultVpc?: boolean;
  /** VPC of each security group the template names; a missing entry means it was not found. */
  securityGroupVpcs: Record<string, string>;
  /** Instance types offered in the subnet's AZ; undefined when not checked. */
  offeredInstanceTypes?: ReadonlySet<string>;
}

/** Pure: every rule over one server's facts. A rule whose facts are missing reports 'check-not-run', never clean. */
export function validateRecoveryLaunch(facts: RecoveryFacts): RecoveryFinding[] {
  void facts;
  throw new Error('not implemented yet');
}

/** Reads the facts for many servers in batches (GetLaunchConfiguration per server, the rest shared). */
export async function gatherRecoveryFacts(
  run: RunFunction,
  context: RunContext,
  servers: Array<{ sourceServerId: string; hostname?: string }>,
): Promise<{ facts: RecoveryFacts[]; errors: Array<{ sourceServerId: string; message: string }>; apiCalls: number }> {
  void run, context, servers;
  throw new Error('not implemented yet');
}
