/** Checks for the editor form: instance type offered in the subnet's AZ, groups in its VPC, IP in its CIDR, IMDSv2. */
import type { LaunchTemplateData } from './delta';
import type { RunContext, RunFunction } from './editor';
import { loadNetworkFacts, networkRefsOf, type SubnetFacts } from './network';

export type { SubnetFacts };

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
export const IMDSV2_DEFAULTS: Readonly<LaunchTemplateData> = Object.freeze({
  MetadataOptions: Object.freeze({ HttpTokens: 'required', HttpEndpoint: 'enabled' }),
});

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The address as an unsigned 32-bit number; undefined when it is not dotted-quad IPv4. */
export function parseIpv4(ip: string): number | undefined {
  if (typeof ip !== 'string' || ip.length > 15 || !IPV4.test(ip)) return undefined;
  return ip.split('.').reduce((value, part) => value * 256 + Number(part), 0);
}

/** Parses "10.0.1.0/24"; undefined when it is not an IPv4 CIDR. The network is masked to the prefix. */
export function parseIpv4Cidr(cidr: string): { network: number; prefix: number } | undefined {
  if (typeof cidr !== 'string' || cidr.length > 18) return undefined;
  const [ip, prefixText, extra] = cidr.split('/');
  if (extra !== undefined || prefixText === undefined || !/^(3[0-2]|[12]?\d)$/.test(prefixText)) return undefined;
  const address = parseIpv4(ip);
  if (address === undefined) return undefined;
  const prefix = Number(prefixText);
  const size = 2 ** (32 - prefix);
  return { network: address - (address % size), prefix };
}

/** True when the IPv4 address lies in the CIDR block. */
export function ipv4InCidr(ip: string, cidr: string): boolean {
  const address = parseIpv4(ip);
  const block = parseIpv4Cidr(cidr);
  if (address === undefined || !block) return false;
  return address - (address % 2 ** (32 - block.prefix)) === block.network;
}

/** Runs the form checks against AWS (subnet, security groups, instance type offerings) and the IMDSv2 advice. */
export async function checkLaunchTemplateFields(
  run: RunFunction,
  context: RunContext,
  input: FieldCheckInput,
): Promise<FieldFinding[]> {
  const refs = networkRefsOf(input.data);
  const findings: FieldFinding[] = [];
  const metadata = (input.data.MetadataOptions ?? {}) as { HttpTokens?: string };
  if (metadata.HttpTokens !== 'required') {
    findings.push({
      field: 'MetadataOptions.HttpTokens',
      severity: 'warning',
      message: `IMDSv2 is not required (HttpTokens is ${metadata.HttpTokens ?? 'unset'}): instances also answer IMDSv1 requests.`,
      fix: 'Set MetadataOptions.HttpTokens to "required" (the default Pilot Light offers).',
    });
  }
  for (const ip of refs.privateIps)
    if (parseIpv4(ip) === undefined)
      findings.push({
        field: 'NetworkInterfaces[0].PrivateIpAddress',
        severity: 'error',
        message: `"${ip}" is not an IPv4 address.`,
        fix: 'Give a dotted IPv4 address such as 10.0.1.25.',
      });
  if (!refs.subnetId) {
    if (refs.privateIps.length)
      findings.push({
        field: 'NetworkInterfaces[0].PrivateIpAddress',
        severity: 'not-checked',
        message: 'No subnet is set, so the private IP cannot be checked against a CIDR.',
        fix: 'Set NetworkInterfaces[0].SubnetId.',
      });
    if (refs.securityGroupIds.length)
      findings.push({
        field: 'SecurityGroupIds',
        severity: 'not-checked',
        message: 'No subnet is set, so the security groups cannot be checked against its VPC.',
        fix: 'Set NetworkInterfaces[0].SubnetId.',
      });
    if (refs.instanceType && !refs.availabilityZone)
      findings.push({
        field: 'InstanceType',
        severity: 'not-checked',
        message:
          'Neither a subnet nor Placement.AvailabilityZone is set, so the instance type cannot be checked against an AZ.',
        fix: 'Set NetworkInterfaces[0].SubnetId.',
      });
  }
  if (!refs.subnetId && !refs.securityGroupIds.length && !(refs.instanceType && refs.availabilityZone)) return findings;

  const facts = await loadNetworkFacts(run, context, {
    subnetIds: refs.subnetId ? [refs.subnetId] : [],
    securityGroupIds: refs.securityGroupIds,
    instanceTypesByAz: new Map(),
  });
  const subnet = refs.subnetId ? facts.subnets.get(refs.subnetId) : undefined;
  if (refs.subnetId && facts.notChecked.has('subnets'))
    findings.push({
      field: 'NetworkInterfaces[0].SubnetId',
      severity: 'not-checked',
      message: `The subnet could not be read: ${facts.notChecked.get('subnets')}`,
    });
  else if (refs.subnetId && !subnet)
    findings.push({
      field: 'NetworkInterfaces[0].SubnetId',
      severity: 'error',
      message: `Subnet ${refs.subnetId} does not exist in this account and region.`,
      fix: 'Pick an existing subnet.',
    });
  const az = subnet?.availabilityZone ?? refs.availabilityZone;

  if (subnet) {
    for (const ip of refs.privateIps) {
      if (parseIpv4(ip) !== undefined && !ipv4InCidr(ip, subnet.cidrBlock))
        findings.push({
          field: 'NetworkInterfaces[0].PrivateIpAddress',
          severity: 'error',
          message: `${ip} is outside subnet ${subnet.subnetId} (${subnet.cidrBlock}).`,
          fix: `Pick an address within ${subnet.cidrBlock}, or another subnet.`,
        });
    }
  }
  if (refs.securityGroupIds.length) {
    if (facts.notChecked.has('security-groups'))
      findings.push({
        field: 'SecurityGroupIds',
        severity: 'not-checked',
        message: `The security groups could not be read: ${facts.notChecked.get('security-groups')}`,
      });
    else {
      for (const id of refs.securityGroupIds) {
        const vpc = facts.groupVpcs.get(id);
        if (!vpc)
          findings.push({
            field: 'SecurityGroupIds',
            severity: 'error',
            message: `Security group ${id} does not exist in this account and region.`,
            fix: 'Remove it or pick an existing group.',
          });
        else if (subnet && vpc !== subnet.vpcId)
          findings.push({
            field: 'SecurityGroupIds',
            severity: 'error',
            message: `Security group ${id} is in ${vpc}, but subnet ${subnet.subnetId} is in ${subnet.vpcId}.`,
            fix: `Pick groups of ${subnet.vpcId}.`,
          });
      }
    }
  }
  if (refs.instanceType && az) {
    const offered = await loadNetworkFacts(run, context, {
      subnetIds: [],
      securityGroupIds: [],
      instanceTypesByAz: new Map([[az, new Set([refs.instanceType])]]),
    });
    if (offered.notChecked.has('offerings'))
      findings.push({
        field: 'InstanceType',
        severity: 'not-checked',
        message: `Instance type offerings could not be read: ${offered.notChecked.get('offerings')}`,
      });
    else if (!offered.offerings.get(az)?.has(refs.instanceType))
      findings.push({
        field: 'InstanceType',
        severity: 'error',
        message: `${refs.instanceType} is not offered in ${az}.`,
        fix: `Pick an instance type offered in ${az}, or a subnet in another AZ.`,
      });
  }
  return findings;
}
