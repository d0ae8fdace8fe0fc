/** CIS-style account checks, each from registered reads. */
import { analyzeSecurityGroup } from '../../insights/security';
import { accountResource, defineCheck, readEvery, tagValue, type Tags } from './common';

const PAGE = { maxResults: 1000 };

export const rootAccessKeysCheck = defineCheck({
  ruleId: 'cis.rootAccessKeys',
  ruleTitle: 'The root user has no access keys',
  severity: 'critical',
  scope: 'account',
  async evaluate({ read, account }, report) {
    const { summary } = (await read('iam.accountSummary.get', {})) as { summary: Record<string, number> };
    const present = summary.AccountAccessKeysPresent;
    if (typeof present !== 'number') throw new Error('GetAccountSummary did not return AccountAccessKeysPresent.');
    if (present > 0)
      report(
        accountResource(account),
        'The root user has access keys: anyone holding them has unrestricted control of the account.',
        {
          description:
            'Sign in as the root user, delete its access keys (Security credentials → Access keys) and use IAM roles instead.',
        },
      );
    return 1;
  },
});

/** CIS AWS Foundations 3.0: minimum length 14, and no reuse of the last 24 passwords. */
export const PASSWORD_POLICY_MINIMUM = { length: 14, reusePrevention: 24 };

export const passwordPolicyCheck = defineCheck({
  ruleId: 'cis.passwordPolicy',
  ruleTitle: 'The IAM password policy is strong',
  severity: 'medium',
  scope: 'account',
  async evaluate({ read, account }, report) {
    const { policy: passwordPolicy } = (await read('iam.passwordPolicy.get', {})) as {
      policy: { minimumLength?: number; reusePrevention?: number } | null;
    };
    const fix = {
      description: `Set an account password policy with a minimum length of at least ${PASSWORD_POLICY_MINIMUM.length} and password reuse prevention of ${PASSWORD_POLICY_MINIMUM.reusePrevention} (IAM → Account settings).`,
    };
    if (!passwordPolicy) {
      report(
        accountResource(account),
        'The account has no IAM password policy: AWS defaults allow short passwords.',
        fix,
      );
      return 1;
    }
    const problems: string[] = [];
    if ((passwordPolicy.minimumLength ?? 0) < PASSWORD_POLICY_MINIMUM.length)
      problems.push(
        `minimum length is ${passwordPolicy.minimumLength ?? 'not set'} (needs ${PASSWORD_POLICY_MINIMUM.length})`,
      );
    if ((passwordPolicy.reusePrevention ?? 0) < PASSWORD_POLICY_MINIMUM.reusePrevention)
      problems.push(
        `reuse prevention is ${passwordPolicy.reusePrevention ?? 'off'} (needs ${PASSWORD_POLICY_MINIMUM.reusePrevention})`,
      );
    if (problems.length)
      report(accountResource(account), `The IAM password policy is weak: ${problems.join('; ')}.`, fix);
    return 1;
  },
});

interface CredentialUser {
  user: string;
  arn: string;
  consoleAccess: boolean;
  mfaActive: boolean;
}

export const usersWithoutMfaCheck = defineCheck({
  ruleId: 'cis.mfa',
  ruleTitle: 'Users who sign in to the console have MFA',
  severity: 'high',
  scope: 'account',
  async evaluate({ read, account }, report) {
    const { users } = (await read('iam.credentialReport.get', {})) as { users: CredentialUser[] };
    for (const user of users) {
      const root = user.user === '<root_account>';
      if (root) {
        if (!user.mfaActive)
          report(
            { type: 'AWS::::Account', id: account, arn: user.arn, name: 'root user' },
            'The root user has no MFA device.',
            { description: 'Sign in as the root user and assign a (preferably hardware) MFA device.' },
            { severity: 'critical' },
          );
        continue;
      }
      if (user.consoleAccess && !user.mfaActive)
        report(
          { type: 'AWS::IAM::User', id: user.user, arn: user.arn, name: user.user },
          `IAM user ${user.user} can sign in to the console with a password but has no MFA device.`,
          {
            description: `Assign an MFA device to ${user.user} (IAM → Users → Security credentials), or remove the console password.`,
          },
        );
    }
    return users.length;
  },
});

interface Trail {
  Name?: string;
  TrailARN?: string;
  HomeRegion?: string;
  IsMultiRegionTrail?: boolean;
}

/** Reads GetTrailStatus once per multi-region trail: CloudTrail has no batch form of it. */
export const cloudTrailCheck = defineCheck({
  ruleId: 'cis.cloudTrail',
  ruleTitle: 'A multi-region CloudTrail trail is logging',
  severity: 'high',
  scope: 'account',
  async evaluate({ read, account }, report) {
    const { items } = (await read('cloudtrail.trails.list', {})) as { items: Trail[] };
    const trails = [...new Map(items.map((trail) => [trail.TrailARN ?? trail.Name, trail])).values()];
    const multiRegion = trails.filter((trail) => trail.IsMultiRegionTrail);
    const fix = {
      description:
        'Create a multi-region trail (or make an existing trail multi-region) and start logging: CloudTrail → Trails → Create trail, "Enable for all regions".',
    };
    const stopped: Trail[] = [];
    for (const trail of multiRegion) {
      const status = (await read('cloudtrail.trails.status', { trail: trail.TrailARN ?? trail.Name })) as {
        isLogging: boolean;
      };
      if (status.isLogging) return trails.length;
      stopped.push(trail);
    }
    if (!trails.length)
      report(accountResource(account), 'The account has no CloudTrail trail: API activity is not recorded.', fix);
    else if (!multiRegion.length)
      report(
        accountResource(account),
        `No trail covers every region (${trails.map((trail) => trail.Name).join(', ')} ${trails.length > 1 ? 'are' : 'is'} single-region).`,
        fix,
      );
    for (const trail of stopped)
      report(
        {
          type: 'AWS::CloudTrail::Trail',
          id: trail.Name ?? String(trail.TrailARN),
          arn: trail.TrailARN,
          name: trail.Name,
        },
        `Multi-region trail ${trail.Name} is not logging.`,
        { description: `Start logging on trail ${trail.Name} (CloudTrail → Trails → ${trail.Name} → Start logging).` },
      );
    return Math.max(trails.length, 1);
  },
});

export const ebsDefaultEncryptionCheck = defineCheck({
  ruleId: 'cis.ebsDefaultEncryption',
  ruleTitle: 'EBS encryption by default is on',
  severity: 'medium',
  scope: 'region',
  async evaluate({ read, account, region }, report) {
    const { enabled } = (await read('ec2.ebsEncryptionByDefault.get', {})) as { enabled: boolean };
    if (!enabled)
      report(
        { type: 'AWS::::Account', id: account, name: `EBS default encryption (${region})` },
        `New EBS volumes in ${region} are not encrypted by default.`,
        {
          description: `Turn on EBS encryption by default in ${region} (EC2 → Settings → Data protection and security).`,
        },
      );
    return 1;
  },
});

const PUBLIC_ACCESS_FLAGS = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
] as const;

export const s3AccountPublicAccessCheck = defineCheck({
  ruleId: 'cis.s3AccountPublicAccessBlock',
  ruleTitle: 'S3 Block Public Access is on for the account',
  severity: 'high',
  scope: 'account',
  async evaluate({ read, account }, report) {
    const { configuration } = (await read('s3control.publicAccessBlock.get', { accountId: account })) as {
      configuration: Partial<Record<(typeof PUBLIC_ACCESS_FLAGS)[number], boolean>> | null;
    };
    const off = PUBLIC_ACCESS_FLAGS.filter((flag) => configuration?.[flag] !== true);
    if (off.length)
      report(
        { type: 'AWS::S3::AccountPublicAccessBlock', id: account },
        configuration
          ? `Account-level S3 Block Public Access is only partly on: ${off.join(', ')} ${off.length > 1 ? 'are' : 'is'} off.`
          : 'Account-level S3 Block Public Access is not set: bucket policies and ACLs can make data public.',
        {
          description: 'Turn on all four account-level S3 Block Public Access settings.',
          operationId: 's3control.blockPublicAccess',
          input: { accountId: account },
        },
      );
    return 1;
  },
});

export const openSecurityGroupsCheck = defineCheck({
  ruleId: 'cis.securityGroupOpenToWorld',
  ruleTitle: 'No security group opens admin ports or all traffic to the world',
  severity: 'high',
  scope: 'region',
  async evaluate({ read, region }, report) {
    const groups = await readEvery<Parameters<typeof analyzeSecurityGroup>[0] & { VpcId?: string; OwnerId?: string }>(
      read,
      'ec2.securityGroups.list',
      PAGE,
    );
    for (const group of groups)
      for (const finding of analyzeSecurityGroup(group, region))
        report(
          { type: 'AWS::EC2::SecurityGroup', id: String(group.GroupId), name: finding.resource.name },
          finding.message,
          { description: finding.fix },
        );
    return groups.length;
  },
});

interface Volume {
  VolumeId?: string;
  Encrypted?: boolean;
  Tags?: Tags;
}

export const unencryptedVolumesCheck = defineCheck({
  ruleId: 'cis.unencryptedVolume',
  ruleTitle: 'EBS volumes are encrypted',
  severity: 'medium',
  scope: 'region',
  async evaluate({ read }, report) {
    const volumes = await readEvery<Volume>(read, 'ec2.volumes.list', PAGE);
    for (const volume of volumes)
      if (volume.Encrypted !== true)
        report(
          { type: 'AWS::EC2::Volume', id: String(volume.VolumeId), name: tagValue(volume.Tags, 'Name') },
          `Volume ${volume.VolumeId} is not encrypted.`,
          {
            description:
              'Snapshot the volume, copy the snapshot with encryption on, create a volume from the copy and swap it in (volumes cannot be encrypted in place).',
          },
        );
    return volumes.length;
  },
});

interface Instance {
  InstanceId?: string;
  State?: { Name?: string };
  MetadataOptions?: { HttpTokens?: string; HttpEndpoint?: string };
  Tags?: Tags;
}

export const imdsv1Check = defineCheck({
  ruleId: 'cis.imdsv2Required',
  ruleTitle: 'Instances require IMDSv2',
  severity: 'medium',
  scope: 'region',
  async evaluate({ read }, report) {
    const instances = (await readEvery<Instance>(read, 'ec2.instances.list', PAGE)).filter(
      (instance) => instance.State?.Name !== 'terminated' && instance.State?.Name !== 'shutting-down',
    );
    for (const instance of instances) {
      const options = instance.MetadataOptions;
      if (options?.HttpEndpoint === 'disabled' || options?.HttpTokens === 'required') continue;
      report(
        { type: 'AWS::EC2::Instance', id: String(instance.InstanceId), name: tagValue(instance.Tags, 'Name') },
        `Instance ${instance.InstanceId} allows IMDSv1 (HttpTokens is ${options?.HttpTokens ?? 'not reported'}): a server-side request forgery can read its role credentials.`,
        {
          description: 'Require IMDSv2 (HttpTokens = required) after checking the software on it uses IMDSv2.',
          operationId: 'ec2.requireImdsv2',
          input: { instanceId: instance.InstanceId },
        },
      );
    }
    return instances.length;
  },
});

export const CIS_CHECKS = [
  rootAccessKeysCheck,
  passwordPolicyCheck,
  usersWithoutMfaCheck,
  cloudTrailCheck,
  ebsDefaultEncryptionCheck,
  s3AccountPublicAccessCheck,
  openSecurityGroupsCheck,
  unencryptedVolumesCheck,
  imdsv1Check,
];
