import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListPoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  type AttachedPolicy,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { z } from 'zod';
import { iamService } from '../aws/services';
import { defineOperation, READ_ONLY } from './define';
import {
  broadPermissionWarnings,
  decodePolicyDocument,
  policyDocumentSchema,
  trustPolicyWarnings,
} from './iamPolicyDocument';
import { iamName, iamPath, policyArn, tagsSchema, tagsToRecord, toTagList } from './schemaParts';
import type { OperationContext, TargetResource } from './types';

const roleName = iamName('a role name');
const policyName = iamName('a policy name', 128);

/** Policies that give (nearly) full control; attaching them is flagged in the preview. */
const POWERFUL_POLICIES = ['AdministratorAccess', 'IAMFullAccess', 'PowerUserAccess'];

async function roleTarget(ctx: OperationContext, name: string, action: string): Promise<TargetResource[]> {
  const iam = await ctx.client(iamService);
  const { Role } = await iam.send(new GetRoleCommand({ RoleName: name }));
  return [{ type: 'iam:role', id: name, name, action, tags: tagsToRecord(Role?.Tags), details: [Role?.Arn ?? ''] }];
}

export const createRole = defineOperation({
  id: 'iam.roles.create',
  service: 'iam',
  title: 'Create an IAM role',
  description: 'Creates an IAM role with a trust policy (who may assume it). Attach permissions separately.',
  kind: 'write',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: true,
  rollbackNote: 'delete the role',
  input: z
    .object({
      roleName,
      trustPolicy: policyDocumentSchema,
      description: z.string().max(1000).optional(),
      path: iamPath.optional(),
      maxSessionDurationSeconds: z.number().int().min(3600).max(43200).optional(),
      permissionsBoundaryArn: policyArn.optional(),
      tags: tagsSchema.optional(),
    })
    .strict(),
  targets: async (_ctx, input) => [
    { type: 'iam:role', id: input.roleName, name: input.roleName, action: 'create', tags: input.tags ?? {} },
  ],
  preview: (_ctx, input) => ({
    summary: `Create IAM role ${input.roleName}`,
    changes: [
      `new role ${input.path ?? '/'}${input.roleName}`,
      `trusted by: ${JSON.stringify(input.trustPolicy.Statement)}`,
      ...(input.permissionsBoundaryArn ? [`permissions boundary ${input.permissionsBoundaryArn}`] : []),
    ],
    warnings: trustPolicyWarnings(input.trustPolicy),
  }),
  async handler(ctx, input) {
    const iam = await ctx.client(iamService);
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: input.roleName,
        AssumeRolePolicyDocument: JSON.stringify(input.trustPolicy),
        Description: input.description,
        Path: input.path,
        MaxSessionDuration: input.maxSessionDurationSeconds,
        PermissionsBoundary: input.permissionsBoundaryArn,
        Tags: toTagList(input.tags),
      }),
    );
    return { roleName: Role!.RoleName!, arn: Role!.Arn!, roleId: Role!.RoleId };
  },
  resourceIds: (output) => [output.arn],
});

function policyAttachment(change: 'attach' | 'detach') {
  // Chosen when the call runs: the SDK package loads on first use, not when the registry is built.
  const command = (request: { RoleName: string; PolicyArn: string }) =>
    change === 'attach' ? new AttachRolePolicyCommand(request) : new DetachRolePolicyCommand(request);
  return defineOperation({
    id: change === 'attach' ? 'iam.roles.attachPolicy' : 'iam.roles.detachPolicy',
    service: 'iam',
    title: change === 'attach' ? 'Attach a managed policy to a role' : 'Detach a managed policy from a role',
    description:
      change === 'attach'
        ? 'Attaches an AWS- or customer-managed policy to an IAM role.'
        : 'Detaches a managed policy from an IAM role.',
    kind: 'write',
    destructive: false,
    costImpact: 'none',
    rollbackSupported: true,
    rollbackNote: change === 'attach' ? 'detach the policy' : 'attach the policy again',
    input: z.object({ roleName, policyArn }).strict(),
    targets: (ctx, input) => roleTarget(ctx, input.roleName, `${change} policy`),
    preview: (_ctx, input) => {
      const name = input.policyArn.split('/').pop() ?? input.policyArn;
      return {
        summary: `${change === 'attach' ? 'Attach' : 'Detach'} ${name} ${change === 'attach' ? 'to' : 'from'} role ${input.roleName}`,
        changes: [`${change === 'attach' ? '+' : '-'} ${input.policyArn}`],
        warnings:
          change === 'attach' && POWERFUL_POLICIES.includes(name)
            ? [`${name} grants broad control of the account.`]
            : [],
      };
    },
    async handler(ctx, input) {
      const iam = await ctx.client(iamService);
      await iam.send(command({ RoleName: input.roleName, PolicyArn: input.policyArn }));
      return {
        roleName: input.roleName,
        policyArn: input.policyArn,
        [change === 'attach' ? 'attached' : 'detached']: true,
      };
    },
    resourceIds: (output) => [output.roleName, output.policyArn],
  });
}

export const attachRolePolicy = policyAttachment('attach');
export const detachRolePolicy = policyAttachment('detach');

export const createPolicy = defineOperation({
  id: 'iam.policies.create',
  service: 'iam',
  title: 'Create a customer-managed IAM policy',
  description: 'Creates a customer-managed IAM policy from a policy document.',
  kind: 'write',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: true,
  rollbackNote: 'delete the policy (after detaching it everywhere)',
  input: z
    .object({
      policyName,
      policyDocument: policyDocumentSchema,
      description: z.string().max(1000).optional(),
      path: iamPath.optional(),
      tags: tagsSchema.optional(),
    })
    .strict(),
  targets: async (_ctx, input) => [
    { type: 'iam:policy', id: input.policyName, name: input.policyName, action: 'create', tags: input.tags ?? {} },
  ],
  preview: (_ctx, input) => {
    const statements = Array.isArray(input.policyDocument.Statement) ? input.policyDocument.Statement.length : 1;
    return {
      summary: `Create IAM policy ${input.policyName}`,
      changes: [`new policy ${input.path ?? '/'}${input.policyName} with ${statements} statement(s)`],
      warnings: broadPermissionWarnings(input.policyDocument),
    };
  },
  async handler(ctx, input) {
    const iam = await ctx.client(iamService);
    const { Policy } = await iam.send(
      new CreatePolicyCommand({
        PolicyName: input.policyName,
        PolicyDocument: JSON.stringify(input.policyDocument),
        Description: input.description,
        Path: input.path,
        Tags: toTagList(input.tags),
      }),
    );
    return { policyName: Policy!.PolicyName!, policyArn: Policy!.Arn! };
  },
  resourceIds: (output) => [output.policyArn],
});

const iamPage = {
  maxItems: z.number().int().min(1).max(1000).optional(),
  nextToken: z.string().optional().describe('Marker from the previous page.'),
};

export const listRoles = defineOperation({
  id: 'iam.roles.list',
  service: 'iam',
  title: 'List IAM roles',
  description: 'IAM roles with their trust policies (decoded).',
  ...READ_ONLY,
  input: z.object({ pathPrefix: iamPath.optional(), ...iamPage }).strict(),
  async handler(ctx, input) {
    const iam = await ctx.client(iamService);
    const page = await iam.send(
      new ListRolesCommand({ PathPrefix: input.pathPrefix, Marker: input.nextToken, MaxItems: input.maxItems ?? 100 }),
    );
    return {
      items: (page.Roles ?? []).map((role) => ({
        ...role,
        AssumeRolePolicyDocument: decodePolicyDocument(role.AssumeRolePolicyDocument),
      })),
      nextToken: page.IsTruncated ? page.Marker : undefined,
    };
  },
});

/** One page of a role's policies (attached or inline), as the explorer lists them. */
function rolePolicyPage<Item>(spec: {
  id: string;
  title: string;
  description: string;
  page: (
    iam: Pick<IAMClient, 'send'>,
    request: { RoleName: string; Marker?: string; MaxItems: number },
  ) => Promise<{ items?: Item[]; IsTruncated?: boolean; Marker?: string }>;
}) {
  return defineOperation({
    id: spec.id,
    service: 'iam',
    title: spec.title,
    description: spec.description,
    ...READ_ONLY,
    input: z.object({ roleName, ...iamPage }).strict(),
    async handler(ctx, input) {
      const page = await spec.page(await ctx.client(iamService), {
        RoleName: input.roleName,
        Marker: input.nextToken,
        MaxItems: input.maxItems ?? 100,
      });
      return { items: page.items ?? [], nextToken: page.IsTruncated ? page.Marker : undefined };
    },
  });
}

export const listAttachedRolePolicies = rolePolicyPage({
  id: 'iam.roles.attachedPolicies',
  title: "List a role's attached policies",
  description: 'The managed policies attached to one IAM role (names and ARNs), one page at a time.',
  page: async (iam, request) => {
    const output = await iam.send(new ListAttachedRolePoliciesCommand(request));
    return { ...output, items: output.AttachedPolicies };
  },
});

export const listInlineRolePolicies = rolePolicyPage({
  id: 'iam.roles.inlinePolicies',
  title: "List a role's inline policy names",
  description: "The names of one IAM role's inline policies, one page at a time (documents: iam.roles.policies).",
  page: async (iam, request) => {
    const output = await iam.send(new ListRolePoliciesCommand(request));
    return { ...output, items: output.PolicyNames };
  },
});

export const getRolePolicies = defineOperation({
  id: 'iam.roles.policies',
  service: 'iam',
  title: "Show an IAM role's policies",
  description: "A role's trust policy, attached managed policies and inline policies (documents decoded).",
  ...READ_ONLY,
  input: z.object({ roleName }).strict(),
  async handler(ctx, input) {
    const iam = await ctx.client(iamService);
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: input.roleName }));
    const attached: AttachedPolicy[] = [];
    let marker: string | undefined;
    do {
      const page = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: input.roleName, Marker: marker }));
      attached.push(...(page.AttachedPolicies ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    const inlineNames: string[] = [];
    do {
      const page = await iam.send(new ListRolePoliciesCommand({ RoleName: input.roleName, Marker: marker }));
      inlineNames.push(...(page.PolicyNames ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    const inline = [];
    for (const name of inlineNames) {
      const policy = await iam.send(new GetRolePolicyCommand({ RoleName: input.roleName, PolicyName: name }));
      inline.push({ policyName: name, document: decodePolicyDocument(policy.PolicyDocument) });
    }
    return {
      roleName: input.roleName,
      arn: Role?.Arn,
      trustPolicy: decodePolicyDocument(Role?.AssumeRolePolicyDocument),
      tags: tagsToRecord(Role?.Tags),
      attached,
      inline,
    };
  },
});

export const listPolicies = defineOperation({
  id: 'iam.policies.list',
  service: 'iam',
  title: 'List customer-managed IAM policies',
  description: 'Customer-managed IAM policies in this account.',
  ...READ_ONLY,
  input: z.object({ onlyAttached: z.boolean().optional(), pathPrefix: iamPath.optional(), ...iamPage }).strict(),
  async handler(ctx, input) {
    const iam = await ctx.client(iamService);
    const page = await iam.send(
      new ListPoliciesCommand({
        Scope: 'Local',
        OnlyAttached: input.onlyAttached,
        PathPrefix: input.pathPrefix,
        Marker: input.nextToken,
        MaxItems: input.maxItems ?? 100,
      }),
    );
    return { items: page.Policies ?? [], nextToken: page.IsTruncated ? page.Marker : undefined };
  },
});

export const getPolicyDocument = defineOperation({
  id: 'iam.policies.document',
  service: 'iam',
  title: "Show a managed policy's document",
  description: "The default version's document of a managed policy.",
  ...READ_ONLY,
  input: z.object({ policyArn }).strict(),
  async handler(ctx, input) {
    const iam = await ctx.client(iamService);
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: input.policyArn }));
    const { PolicyVersion } = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: input.policyArn, VersionId: Policy?.DefaultVersionId }),
    );
    return {
      policyArn: input.policyArn,
      policyName: Policy?.PolicyName,
      versionId: PolicyVersion?.VersionId,
      document: decodePolicyDocument(PolicyVersion?.Document),
    };
  },
});

export const iamOperations = [
  createRole,
  attachRolePolicy,
  detachRolePolicy,
  createPolicy,
  listRoles,
  listAttachedRolePolicies,
  listInlineRolePolicies,
  getRolePolicies,
  listPolicies,
  getPolicyDocument,
];
