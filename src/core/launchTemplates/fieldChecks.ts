/** Checks for the editor form: instance type offered in the subnet's AZ, groups in its VPC, IP in its CIDR. */
import type { LaunchTemplateData } from './delta';
import type { RunContext, RunFunction } from './editor';

export interface SubnetFacts {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  cidrBlock: string;
}

export interface FieldCheckInput {
  data: LaunchTemplateData;
}

export interface FieldFinding {
  /** The LaunchTemplateData field, e.g. "InstanceType" or "NetworkInterfaces[0].PrivateIpAddress". */
  field: string;
  /** 'error': the launch would fail; 'warning': risky; 'not-checked': the check could not run. */
  severity: 'error' | 'warning' | 'not-checked';
  message: string;
  fix?: string;
}

/** IMDSv2 required: offered as the default for new and edited templates. */
export const IMDSV2_DEFAULTS: Readonly<LaunchTemplateData> = Object.freeze({ MetadataOptions: Object.freeze({ HttpTokens: 'required', HttpEndpoint: 'enabled' }) });

/** Parses "10.0.1.0/24"; undefined when it is not an IPv4 CIDR. */
export function parseIpv4Cidr(cidr: string): { network: number; prefix: number } | undefined {
  void cidr;
  throw new Error('not implemented yet');
}

/** True when the IPv4 address lies in the CIDR block. */
export function ipv4InCidr(ip: string, cidr: string): boolean {
  void ip, cidr;
  throw new Error('not implemented yet');
}

/** Runs the form checks against AWS (subnet, security groups, instance type offerings). */
export async function checkLaunchTemplateFields(run: RunFunction, context: RunContext, input: FieldCheckInput): Promise<FieldFinding[]> {
  void run, context, input;
  throw new Error('not implemented yet');
}
