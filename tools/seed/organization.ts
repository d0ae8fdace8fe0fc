// Seeds an AWS organization in moto: member accounts (in OUs, tagged), the member role in the accounts that
// should be reachable, EC2 instances per account and region, and optionally an IAM user for the management
// account whose policy may assume only the reachable accounts' roles (for moto's IAM enforcement).
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { OrganizationsClient, organizationsCommand } from '../../src/core/aws/organizationsService';
import { pickAmazonLinuxImage } from './target';

export const MANAGEMENT_CREDENTIALS = Object.freeze({ accessKeyId: 'testing', secretAccessKey: 'testing' });

export interface SeedAccountSpec {
  name: string;
  /** OU name under the root; omitted: directly under the root. */
  unit?: string;
  tags?: Record<string, string>;
  /** Instances to launch per region. */
  instances?: Record<string, number>;
  /** Whether the member role exists and the management user may assume it. Default true. */
  reachable?: boolean;
}

export interface SeededAccount {
  id: string;
  name: string;
  unitId: string;
  instanceIds: Record<string, string[]>;
  reachable: boolean;
}

export interface SeededOrganization {
  managementAccountId: string;
  rootId: string;
  units: Record<string, string>;
  accounts: SeededAccount[];
  /** Keys of the management IAM user (only with `managementUser`). */
  managementUser?: { accessKeyId: string; secretAccessKey: string; arn: string };
}

export interface SeedOrganizationOptions {
  endpoint: string;
  accounts: SeedAccountSpec[];
  roleName?: string;
  /** Also create an IAM user in the management account allowed Organizations, and AssumeRole into reachable accounts only. */
  managementUser?: boolean;
}

function organizationsClient(endpoint: string): OrganizationsClient {
  return new OrganizationsClient({
    region: 'us-east-1',
    endpoint,
    credentials: async () => ({ ...MANAGEMENT_CREDENTIALS }),
  });
}

export async function seedOrganization(options: SeedOrganizationOptions): Promise<SeededOrganization> {
  const roleName = options.roleName ?? 'OrganizationAccountAccessRole';
  const organizations = organizationsClient(options.endpoint);
  const base = { endpoint: options.endpoint, credentials: { ...MANAGEMENT_CREDENTIALS }, maxAttempts: 1 };
  const organization = (await organizations.send(organizationsCommand('CreateOrganization', { FeatureSet: 'ALL' })))
    .Organization as { MasterAccountId: string };
  const roots = (await organizations.send(organizationsCommand('ListRoots', {}))).Roots as Array<{ Id: string }>;
  const rootId = roots[0].Id;
  const units: Record<string, string> = {};
  for (const unit of new Set(
    options.accounts.map((account) => account.unit).filter((name): name is string => Boolean(name)),
  )) {
    const created = await organizations.send(
      organizationsCommand('CreateOrganizationalUnit', { ParentId: rootId, Name: unit }),
    );
    units[unit] = (created.OrganizationalUnit as { Id: string }).Id;
  }
  const accounts: SeededAccount[] = [];
  const sts = new STSClient({ ...base, region: 'us-east-1' });
  try {
    for (const [index, spec] of options.accounts.entries()) {
      const created = await organizations.send(
        organizationsCommand('CreateAccount', {
          AccountName: spec.name,
          Email: `${spec.name.replace(/[^\w-]/g, '')}-${index}@example.com`,
          // moto creates the member role as AWS does; an unreachable account gets another role name instead.
          RoleName: spec.reachable === false ? 'BreakGlassOnly' : roleName,
          ...(spec.tags ? { Tags: Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
        }),
      );
      const id = (created.CreateAccountStatus as { AccountId: string }).AccountId;
      const unitId = spec.unit ? units[spec.unit] : rootId;
      if (spec.unit)
        await organizations.send(
          organizationsCommand('MoveAccount', { AccountId: id, SourceParentId: rootId, DestinationParentId: unitId }),
        );
      const reachable = spec.reachable ?? true;
      const instanceIds: Record<string, string[]> = {};
      if (reachable || Object.keys(spec.instances ?? {}).length) {
        // Seeding reaches every account (moto's auth is off now); the policy below decides who may later.
        const assumed = await sts.send(
          new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/${roleName}`, RoleSessionName: 'seed' }),
        );
        const credentials = {
          accessKeyId: assumed.Credentials!.AccessKeyId!,
          secretAccessKey: assumed.Credentials!.SecretAccessKey!,
          sessionToken: assumed.Credentials!.SessionToken,
        };
        if (reachable) {
          const iam = new IAMClient({ ...base, region: 'us-east-1', credentials });
          try {
            await iam
              .send(
                new CreateRoleCommand({
                  RoleName: roleName,
                  AssumeRolePolicyDocument: JSON.stringify({
                    Version: '2012-10-17',
                    Statement: [
                      {
                        Effect: 'Allow',
                        Principal: { AWS: `arn:aws:iam::${organization.MasterAccountId}:root` },
                        Action: 'sts:AssumeRole',
                      },
                    ],
                  }),
                }),
              )
              .catch((error: Error) => {
                if (error.name !== 'EntityAlreadyExistsException') throw error;
              });
            await iam.send(
              new PutRolePolicyCommand({
                RoleName: roleName,
                PolicyName: 'read',
                PolicyDocument: JSON.stringify({
                  Version: '2012-10-17',
                  Statement: [{ Effect: 'Allow', Action: ['ec2:Describe*', 'drs:*', 'ssm:*', 'iam:*'], Resource: '*' }],
                }),
              }),
            );
          } finally {
            iam.destroy();
          }
        }
        for (const [region, count] of Object.entries(spec.instances ?? {})) {
          if (count <= 0) continue;
          const ec2 = new EC2Client({ ...base, region, credentials });
          try {
            const imageId = await pickAmazonLinuxImage(ec2);
            const launched = await ec2.send(
              new RunInstancesCommand({
                ImageId: imageId,
                InstanceType: 't3.micro',
                MinCount: count,
                MaxCount: count,
                TagSpecifications: [
                  {
                    ResourceType: 'instance',
                    Tags: [
                      { Key: 'Name', Value: `${spec.name}-web` },
                      ...Object.entries(spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
                    ],
                  },
                ],
              }),
            );
            instanceIds[region] = launched.Instances!.map((instance) => instance.InstanceId!);
          } finally {
            ec2.destroy();
          }
        }
      }
      accounts.push({ id, name: spec.name, unitId, instanceIds, reachable });
    }
  } finally {
    sts.destroy();
  }
  let managementUser: SeededOrganization['managementUser'];
  if (options.managementUser) {
    const iam = new IAMClient({ ...base, region: 'us-east-1' });
    try {
      const user = await iam.send(new CreateUserCommand({ UserName: 'org-admin' }));
      await iam.send(
        new PutUserPolicyCommand({
          UserName: 'org-admin',
          PolicyName: 'organization',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: ['organizations:*', 'ec2:Describe*', 'iam:*'], Resource: '*' },
              {
                Effect: 'Allow',
                Action: 'sts:AssumeRole',
                Resource: accounts
                  .filter((account) => account.reachable)
                  .map((account) => `arn:aws:iam::${account.id}:role/${roleName}`),
              },
            ],
          }),
        }),
      );
      const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'org-admin' }));
      managementUser = {
        accessKeyId: key.AccessKey!.AccessKeyId!,
        secretAccessKey: key.AccessKey!.SecretAccessKey!,
        arn: user.User!.Arn!,
      };
    } finally {
      iam.destroy();
    }
  }
  return { managementAccountId: organization.MasterAccountId, rootId, units, accounts, managementUser };
}

/** Turns moto's IAM enforcement on (after `allowed` more unauthenticated requests) or off (`Infinity`). */
export async function setMotoAuthentication(endpoint: string, unauthenticatedRequests: number): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset-auth`, {
    method: 'POST',
    body: String(Number.isFinite(unauthenticatedRequests) ? unauthenticatedRequests : 'inf'),
  });
  if (!response.ok) throw new Error(`moto reset-auth answered ${response.status}`);
}
