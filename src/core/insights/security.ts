/**
 * /security: IAM policies that grant too much, judged statement by statement, trust policies that let anyone
 * assume a role, and security groups that open admin ports to the internet.
 */
import type { EnvironmentResolver, ResourceRef } from './facts';
import { parsePolicyStatements } from '../operations/iamPolicyDocument';
import { readAll, type ReadOperation } from './reads';

export type FindingSeverity = 'high' | 'medium' | 'low';

export type SecurityRule =
  | 'action-wildcard'
  | 'service-wildcard'
  | 'resource-wildcard'
  | 'not-action'
  | 'not-resource'
  | 'passrole-wildcard'
  | 'wildcard-principal'
  | 'broad-managed-policy'
  | 'admin-port-open'
  | 'all-traffic-open';

export interface SecurityFinding {
  severity: FindingSeverity;
  rule: SecurityRule;
  resource: ResourceRef & { arn?: string };
  /** The policy the statement is in: a policy name, "inline policy X" or "trust policy". */
  policy?: string;
  /** "Statement 2" or "Statement \"Sid\"". */
  statement?: string;
  message: string;
  fix: string;
}

export interface SecurityReport {
  findings: SecurityFinding[];
  checked: { roles: number; policies: number; securityGroups: number };
  /** What could not be checked, and why: failed reads and policy documents that cannot be parsed. */
  errors: string[];
  /** Some lists were longer than the limits and were cut. */
  truncated: boolean;
  /** False when anything could not be checked (errors) or a list was cut: no findings then is not "clean". */
  complete: boolean;
}

/** Ports for remote administration and data stores, which should never be open to the internet. */
export const ADMIN_PORTS: Readonly<Record<number, string>> = Object.freeze({
  22: 'SSH',
  23: 'Telnet',
  3389: 'RDP',
  5985: 'WinRM',
  5986: 'WinRM (HTTPS)',
  5900: 'VNC',
  1433: 'SQL Server',
  1521: 'Oracle',
  3306: 'MySQL',
  5432: 'PostgreSQL',
  6379: 'Redis',
  9200: 'Elasticsearch',
  11211: 'Memcached',
  27017: 'MongoDB',
  2375: 'Docker',
  2376: 'Docker (TLS)',
});

/** Managed policies that give (nearly) full control. */
export const BROAD_MANAGED_POLICIES: Readonly<Record<string, FindingSeverity>> = Object.freeze({
  AdministratorAccess: 'high',
  IAMFullAccess: 'high',
  PowerUserAccess: 'medium',
});

type Statement = Record<string, unknown>;

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** Thrown by the analyzers for a document that cannot be read: the check did not run, it did not pass. */
export class UnreadablePolicyDocumentError extends Error {
  constructor(reason: string) {
    super(`The policy document cannot be parsed (${reason}); it was not checked.`);
    this.name = 'UnreadablePolicyDocumentError';
  }
}

/** The statements of a policy document (object, JSON text or URL-encoded JSON); throws when it is not one. */
export function statementsOf(document: unknown): Statement[] {
  const parsed = parsePolicyStatements(document);
  if (!parsed.ok) throw new UnreadablePolicyDocumentError(parsed.reason);
  return parsed.statements;
}

function statementLabel(statement: Statement, index: number): string {
  return typeof statement.Sid === 'string' && statement.Sid ? `Statement "${statement.Sid}"` : `Statement ${index + 1}`;
}

const READ_ONLY_ACTION = /^[a-z0-9-]+:(Get|List|Describe|View|BatchGet|Search|Lookup|Query|Scan|Head)[A-Za-z0-9*]*$/i;
const PASS_ROLE = /^iam:(\*|Pass\*|PassRole|P\*|Pa\*|Pas\*|PassR\*|PassRo\*|PassRol\*)$/i;

interface Subject {
  resource: SecurityFinding['resource'];
  policy: string;
}

/** Findings for one identity policy, statement by statement (Allow statements only); throws UnreadablePolicyDocumentError. */
export function analyzePolicyDocument(document: unknown, subject: Subject): SecurityFinding[] {
  const findings: SecurityFinding[] = [];
  statementsOf(document).forEach((statement, index) => {
    if (statement.Effect !== 'Allow') return;
    const where = { resource: subject.resource, policy: subject.policy, statement: statementLabel(statement, index) };
    const actions = list(statement.Action);
    const resources = list(statement.Resource);
    const anyResource = resources.includes('*');
    const conditioned = statement.Condition !== undefined ? ' It has conditions, which may narrow it.' : '';
    if (statement.NotAction !== undefined) {
      findings.push({
        ...where,
        severity: 'high',
        rule: 'not-action',
        message: `Allow with NotAction grants every action except ${list(statement.NotAction).slice(0, 5).join(', ')}${list(statement.NotAction).length > 5 ? ', …' : ''}.${conditioned}`,
        fix: 'List the allowed actions in Action instead of excluding some with NotAction.',
      });
    }
    if (statement.NotResource !== undefined) {
      findings.push({
        ...where,
        severity: 'medium',
        rule: 'not-resource',
        message: `Allow with NotResource applies to every resource except ${list(statement.NotResource).slice(0, 3).join(', ')}.${conditioned}`,
        fix: 'List the resources in Resource instead of excluding some with NotResource.',
      });
    }
    if (actions.some((action) => action === '*' || action === '*:*')) {
      findings.push({
        ...where,
        severity: 'high',
        rule: 'action-wildcard',
        message: `Action "*" allows every action${anyResource ? ' on every resource: full administrator access, including iam:PassRole on every role' : ` on ${resources.slice(0, 3).join(', ') || 'the listed resources'}`}.${conditioned}`,
        fix: 'Replace "*" with the actions the workload needs (IAM Access Analyzer can generate them from CloudTrail).',
      });
      return;
    }
    const passRole = actions.filter((action) => PASS_ROLE.test(action));
    if (passRole.length && (anyResource || resources.some((resource) => /:role\/\*$/.test(resource)))) {
      findings.push({
        ...where,
        severity: 'high',
        rule: 'passrole-wildcard',
        message: `${passRole.join(', ')} on ${anyResource ? '"*"' : resources.join(', ')} lets the holder pass any role to a service, and so act with that role's permissions.${conditioned}`,
        fix: 'Limit iam:PassRole to the ARNs of the roles the workload passes, and add an iam:PassedToService condition.',
      });
    }
    const serviceWildcards = actions.filter(
      (action) => /^[a-z0-9-]+:\*$/i.test(action) && !(action.toLowerCase() === 'iam:*' && passRole.length),
    );
    if (serviceWildcards.length && anyResource) {
      findings.push({
        ...where,
        severity: serviceWildcards.some((action) => /^(iam|sts|organizations|kms):/i.test(action)) ? 'high' : 'medium',
        rule: 'service-wildcard',
        message: `${serviceWildcards.join(', ')} on Resource "*" allows every action of ${serviceWildcards.length > 1 ? 'those services' : 'that service'} on every resource.${conditioned}`,
        fix: 'Name the actions and the resource ARNs the workload needs.',
      });
      return;
    }
    const writes = actions.filter((action) => !READ_ONLY_ACTION.test(action) && !PASS_ROLE.test(action));
    if (anyResource && writes.length) {
      findings.push({
        ...where,
        severity: 'medium',
        rule: 'resource-wildcard',
        message: `Resource "*" lets ${writes.slice(0, 4).join(', ')}${writes.length > 4 ? ', …' : ''} act on every resource in the account.${conditioned}`,
        fix: 'Scope Resource to the ARNs (or an ARN pattern) the actions need, or add conditions such as aws:ResourceTag.',
      });
    }
  });
  return findings;
}

function principalValues(principal: unknown): string[] {
  if (principal === '*') return ['*'];
  if (!principal || typeof principal !== 'object') return list(principal);
  return Object.values(principal as Record<string, unknown>).flatMap(list);
}

/** Findings for a role's trust policy: principals that match anyone; throws UnreadablePolicyDocumentError. */
export function analyzeTrustPolicy(document: unknown, subject: Omit<Subject, 'policy'>): SecurityFinding[] {
  const findings: SecurityFinding[] = [];
  statementsOf(document).forEach((statement, index) => {
    if (statement.Effect !== 'Allow') return;
    const values = principalValues(statement.Principal);
    const wildcard = values.filter((value) => value === '*' || /^arn:aws[a-z-]*:iam::\*:/.test(value));
    if (!wildcard.length) return;
    const conditioned = statement.Condition !== undefined;
    findings.push({
      resource: subject.resource,
      policy: 'trust policy',
      statement: statementLabel(statement, index),
      severity: conditioned ? 'medium' : 'high',
      rule: 'wildcard-principal',
      message: `Principal ${wildcard.map((value) => `"${value}"`).join(', ')} lets any AWS principal assume this role${conditioned ? ', limited only by its conditions' : ', with no condition'}.`,
      fix: 'Name the trusted accounts, roles or services as principals, and add an sts:ExternalId or aws:PrincipalOrgID condition for third parties.',
    });
  });
  return findings;
}

interface RawPermission {
  IpProtocol?: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges?: Array<{ CidrIp?: string }>;
  Ipv6Ranges?: Array<{ CidrIpv6?: string }>;
}

function portText(permission: RawPermission): string {
  if (permission.IpProtocol === '-1') return 'all traffic';
  if (permission.FromPort === undefined || permission.FromPort === -1) return `${permission.IpProtocol} (all ports)`;
  return permission.FromPort === permission.ToPort
    ? `${permission.IpProtocol}/${permission.FromPort}`
    : `${permission.IpProtocol}/${permission.FromPort}-${permission.ToPort}`;
}

/** Ingress rules of a security group that open admin ports (or everything) to 0.0.0.0/0 or ::/0. */
export function analyzeSecurityGroup(
  group: {
    GroupId?: string;
    GroupName?: string;
    IpPermissions?: RawPermission[];
    Tags?: Array<{ Key?: string; Value?: string }>;
  },
  region: string,
  environment?: string,
): SecurityFinding[] {
  const findings: SecurityFinding[] = [];
  const name =
    group.Tags?.find((tag) => tag.Key === 'Name')?.Value || group.GroupName || group.GroupId || 'security group';
  const resource = { type: 'ec2:security-group', id: String(group.GroupId), name, region, environment };
  for (const permission of group.IpPermissions ?? []) {
    const world = [
      ...(permission.IpRanges ?? []).map((range) => range.CidrIp),
      ...(permission.Ipv6Ranges ?? []).map((range) => range.CidrIpv6),
    ].filter((cidr): cidr is string => cidr === '0.0.0.0/0' || cidr === '::/0');
    if (!world.length) continue;
    const peers = world.join(' and ');
    if (permission.IpProtocol === '-1') {
      findings.push({
        resource,
        severity: 'high',
        rule: 'all-traffic-open',
        message: `Inbound all traffic from ${peers}: every port, including ${Object.values(ADMIN_PORTS).slice(0, 3).join(', ')}, is open to the internet.`,
        fix: 'Remove the rule and allow only the ports the service needs, from known address ranges.',
      });
      continue;
    }
    if (!['tcp', 'udp', '6', '17'].includes(String(permission.IpProtocol))) continue;
    const from = permission.FromPort === undefined || permission.FromPort === -1 ? 0 : permission.FromPort;
    const to = permission.ToPort === undefined || permission.ToPort === -1 ? 65535 : permission.ToPort;
    const exposed = Object.entries(ADMIN_PORTS).filter(([port]) => Number(port) >= from && Number(port) <= to);
    if (!exposed.length) continue;
    findings.push({
      resource,
      severity: 'high',
      rule: 'admin-port-open',
      message: `Inbound ${portText(permission)} from ${peers} opens ${exposed
        .slice(0, 4)
        .map(([port, label]) => `${label} (${port})`)
        .join(', ')}${exposed.length > 4 ? `, and ${exposed.length - 4} more admin ports` : ''} to the internet.`,
      fix: 'Allow these ports only from a VPN or bastion range (or use SSM Session Manager), not from 0.0.0.0/0 or ::/0.',
    });
  }
  return findings;
}

const SEVERITY_ORDER: Record<FindingSeverity, number> = { high: 0, medium: 1, low: 2 };

export function sortFindings(findings: SecurityFinding[]): SecurityFinding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.resource.type.localeCompare(b.resource.type) ||
      a.resource.name!.localeCompare(b.resource.name!),
  );
}

export interface SecurityScanOptions {
  region: string;
  resolveEnvironment: EnvironmentResolver;
  /** Most roles and policies whose documents are read (each is one or more API calls). */
  maxRoles?: number;
  maxPolicies?: number;
  include?: Array<'iam' | 'network'>;
}

interface RawRole {
  RoleName?: string;
  Arn?: string;
  Path?: string;
  AssumeRolePolicyDocument?: unknown;
}

/** Reads roles, customer-managed policies and security groups through the registry and judges them. */
export async function collectSecurityFindings(
  read: ReadOperation,
  options: SecurityScanOptions,
): Promise<SecurityReport> {
  const include = options.include ?? ['iam', 'network'];
  const report: SecurityReport = {
    findings: [],
    checked: { roles: 0, policies: 0, securityGroups: 0 },
    errors: [],
    truncated: false,
    complete: false,
  };
  const attempt = async (what: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      report.errors.push(`${what}: ${(error as Error).message}`);
    }
  };

  if (include.includes('iam')) {
    await attempt('IAM roles', async () => {
      const { items, truncated } = await readAll(read, 'iam.roles.list', {}, options.maxRoles ?? 200);
      report.truncated ||= truncated;
      for (const role of items as RawRole[]) {
        if (!role.RoleName || role.Path?.startsWith('/aws-service-role/')) continue;
        report.checked.roles += 1;
        const resource = { type: 'iam:role', id: role.RoleName, name: role.RoleName, region: 'global', arn: role.Arn };
        await attempt(
          `IAM role ${role.RoleName} trust policy`,
          async () => void report.findings.push(...analyzeTrustPolicy(role.AssumeRolePolicyDocument, { resource })),
        );
        await attempt(`IAM role ${role.RoleName}`, async () => {
          const details = (await read('iam.roles.policies', { roleName: role.RoleName })) as {
            attached?: Array<{ PolicyName?: string; PolicyArn?: string }>;
            inline?: Array<{ policyName: string; document: unknown }>;
          };
          for (const attached of details.attached ?? []) {
            const severity = attached.PolicyName ? BROAD_MANAGED_POLICIES[attached.PolicyName] : undefined;
            if (severity && attached.PolicyArn?.includes(':aws:policy/')) {
              report.findings.push({
                resource,
                severity,
                rule: 'broad-managed-policy',
                policy: attached.PolicyName,
                message: `The AWS-managed policy ${attached.PolicyName} is attached: it grants ${attached.PolicyName === 'PowerUserAccess' ? 'every action except most of IAM and Organizations' : 'full control'}.`,
                fix: 'Attach a policy limited to what the role needs.',
              });
            }
          }
          for (const inline of details.inline ?? [])
            await attempt(
              `IAM role ${role.RoleName} inline policy ${inline.policyName}`,
              async () =>
                void report.findings.push(
                  ...analyzePolicyDocument(inline.document, { resource, policy: `inline policy ${inline.policyName}` }),
                ),
            );
        });
      }
    });
    await attempt('IAM policies', async () => {
      const { items, truncated } = await readAll(read, 'iam.policies.list', {}, options.maxPolicies ?? 200);
      report.truncated ||= truncated;
      for (const policy of items as Array<{ PolicyName?: string; Arn?: string; AttachmentCount?: number }>) {
        if (!policy.Arn) continue;
        report.checked.policies += 1;
        await attempt(`IAM policy ${policy.PolicyName}`, async () => {
          const output = (await read('iam.policies.document', { policyArn: policy.Arn })) as { document?: unknown };
          const resource = {
            type: 'iam:policy',
            id: policy.Arn!,
            name: policy.PolicyName ?? policy.Arn!,
            region: 'global',
            arn: policy.Arn,
          };
          const found = analyzePolicyDocument(output.document, { resource, policy: policy.PolicyName ?? policy.Arn! });
          const unattached = policy.AttachmentCount === 0 ? ' (not attached to anything yet)' : '';
          report.findings.push(...found.map((finding) => ({ ...finding, message: `${finding.message}${unattached}` })));
        });
      }
    });
  }

  if (include.includes('network')) {
    await attempt('Security groups', async () => {
      const { items, truncated } = await readAll(read, 'ec2.securityGroups.list', {}, 2000);
      report.truncated ||= truncated;
      for (const group of items as Array<Parameters<typeof analyzeSecurityGroup>[0]>) {
        report.checked.securityGroups += 1;
        const tags = Object.fromEntries(
          (group.Tags ?? []).filter((tag) => tag.Key).map((tag) => [tag.Key!, tag.Value ?? '']),
        );
        report.findings.push(...analyzeSecurityGroup(group, options.region, options.resolveEnvironment(tags).name));
      }
    });
  }
  report.findings = sortFindings(report.findings);
  report.complete = report.errors.length === 0 && !report.truncated;
  return report;
}

/** What the LM tool hands the model: "incomplete" (never a clean count) when something could not be checked. */
export function securityToolResult(report: SecurityReport): {
  status: 'succeeded' | 'incomplete';
  summary: string;
  data: unknown;
} {
  const checked = `checked ${report.checked.roles} roles, ${report.checked.policies} policies, ${report.checked.securityGroups} security groups`;
  const findings = report.findings.map((finding) => ({
    severity: finding.severity,
    rule: finding.rule,
    resource: finding.resource.id,
    name: finding.resource.name,
    policy: finding.policy,
    statement: finding.statement,
    message: finding.message,
    fix: finding.fix,
  }));
  if (report.complete)
    return { status: 'succeeded', summary: `${report.findings.length} finding(s); ${checked}.`, data: findings };
  const gaps = [
    ...(report.errors.length ? [`could not check: ${report.errors.join('; ')}`] : []),
    ...(report.truncated ? ['some lists were longer than the scan limits and were cut'] : []),
  ];
  return {
    status: 'incomplete',
    summary: `INCOMPLETE: the scan could not run in full, so this is not a clean result. ${gaps.join('. ')}. Among what could be checked: ${report.findings.length} finding(s); ${checked}.`,
    data: { incomplete: true, couldNotCheck: report.errors, truncated: report.truncated, findings },
  };
}
