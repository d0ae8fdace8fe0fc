import { ListAccountAliasesCommand } from '@aws-sdk/client-iam';
import { z } from 'zod';
import { organizationsCommand, organizationsService } from '../aws/organizationsService';
import { iamService } from '../aws/services';
import { defineOperation, READ_ONLY } from './define';
import type { OperationContext, TargetResource } from './types';

/** AWS Organizations: the organization tree, account tags and service control policies (SCPs). */

export interface Page<T = unknown> {
  items: T[];
  nextToken?: string;
}

export const accountIdSchema = z.string().regex(/^\d{12}$/, 'Expected a 12-digit AWS account ID.');
export const rootIdSchema = z.string().regex(/^r-[0-9a-z]{4,32}$/, 'Expected an organization root ID such as r-ab12.');
export const unitIdSchema = z
  .string()
  .regex(/^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/, 'Expected an organizational unit ID such as ou-ab12-cd345678.');
export const policyIdSchema = z
  .string()
  .regex(/^p-[0-9a-zA-Z_]{8,128}$/, 'Expected a policy ID such as p-ab12cd34 (or p-FullAWSAccess).');
/** A root, an organizational unit or an account: where policies attach and what contains accounts. */
export const organizationTargetSchema = z.union([rootIdSchema, unitIdSchema, accountIdSchema]);
const parentIdSchema = z.union([rootIdSchema, unitIdSchema]);

const pageFields = {
  maxResults: z.number().int().min(1).max(20).optional().describe('Page size (1-20).'),
  nextToken: z.string().min(1).max(4096).optional(),
};

type Output = Record<string, unknown>;

async function call(ctx: OperationContext, action: string, input: Record<string, unknown>): Promise<Output> {
  const client = await ctx.client(organizationsService);
  return client.send(organizationsCommand(action, input), { abortSignal: ctx.signal });
}

function page(output: Output, key: string): Page {
  return { items: (output[key] as unknown[]) ?? [], nextToken: (output.NextToken as string) || undefined };
}

function kindOfTarget(id: string): string {
  return id.startsWith('r-')
    ? 'organizations:root'
    : id.startsWith('ou-')
      ? 'organizations:unit'
      : 'organizations:account';
}

function tagsOf(output: Output): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of (output.Tags as Array<{ Key?: string; Value?: string }>) ?? [])
    if (tag.Key) tags[tag.Key] = tag.Value ?? '';
  return tags;
}

export const describeOrganization = defineOperation({
  id: 'organizations.organization.describe',
  service: 'organizations',
  title: 'Describe the organization',
  description: 'The AWS organization of the current account: its ID, management account and feature set.',
  ...READ_ONLY,
  input: z.object({}).strict(),
  async handler(ctx) {
    const output = await call(ctx, 'DescribeOrganization', {});
    return (output.Organization as Output) ?? {};
  },
});

export const listRoots = defineOperation({
  id: 'organizations.roots.list',
  service: 'organizations',
  title: 'List organization roots',
  description: 'The roots of the organization (normally one), with the policy types enabled on them.',
  ...READ_ONLY,
  input: z.object({ ...pageFields }).strict(),
  async handler(ctx, input): Promise<Page> {
    return page(await call(ctx, 'ListRoots', { MaxResults: input.maxResults, NextToken: input.nextToken }), 'Roots');
  },
});

export const listUnits = defineOperation({
  id: 'organizations.units.list',
  service: 'organizations',
  title: 'List organizational units',
  description: 'The organizational units (OUs) directly under a root or an OU.',
  ...READ_ONLY,
  input: z.object({ parentId: parentIdSchema, ...pageFields }).strict(),
  async handler(ctx, input): Promise<Page> {
    return page(
      await call(ctx, 'ListOrganizationalUnitsForParent', {
        ParentId: input.parentId,
        MaxResults: input.maxResults,
        NextToken: input.nextToken,
      }),
      'OrganizationalUnits',
    );
  },
});

export const listAccounts = defineOperation({
  id: 'organizations.accounts.list',
  service: 'organizations',
  title: 'List organization accounts',
  description:
    'The accounts of the organization (name, ID, e-mail, status), or only those directly under a root or OU (parentId).',
  ...READ_ONLY,
  input: z.object({ parentId: parentIdSchema.optional(), ...pageFields }).strict(),
  async handler(ctx, input): Promise<Page> {
    const paging = { MaxResults: input.maxResults, NextToken: input.nextToken };
    return page(
      input.parentId
        ? await call(ctx, 'ListAccountsForParent', { ParentId: input.parentId, ...paging })
        : await call(ctx, 'ListAccounts', paging),
      'Accounts',
    );
  },
});

export const listOrganizationTags = defineOperation({
  id: 'organizations.tags.list',
  service: 'organizations',
  title: 'List tags of an account, OU or root',
  description: 'The tags Organizations keeps on an account, organizational unit, root or policy (e.g. Environment).',
  ...READ_ONLY,
  input: z.object({ resourceId: z.union([organizationTargetSchema, policyIdSchema]) }).strict(),
  async handler(ctx, input): Promise<{ tags: Record<string, string> }> {
    const tags: Record<string, string> = {};
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const output = await call(ctx, 'ListTagsForResource', { ResourceId: input.resourceId, NextToken: nextToken });
      Object.assign(tags, tagsOf(output));
      nextToken = (output.NextToken as string) || undefined;
    } while (nextToken && ++pages < 20);
    return { tags };
  },
});

export const listPolicies = defineOperation({
  id: 'organizations.policies.list',
  service: 'organizations',
  title: 'List service control policies',
  description: 'The service control policies (SCPs) of the organization.',
  ...READ_ONLY,
  input: z.object({ ...pageFields }).strict(),
  async handler(ctx, input): Promise<Page> {
    return page(
      await call(ctx, 'ListPolicies', {
        Filter: 'SERVICE_CONTROL_POLICY',
        MaxResults: input.maxResults,
        NextToken: input.nextToken,
      }),
      'Policies',
    );
  },
});

export const listPoliciesForTarget = defineOperation({
  id: 'organizations.policies.forTarget',
  service: 'organizations',
  title: 'List the SCPs attached to an account, OU or root',
  description: 'The service control policies attached directly to an account, organizational unit or root.',
  ...READ_ONLY,
  input: z.object({ targetId: organizationTargetSchema, ...pageFields }).strict(),
  async handler(ctx, input): Promise<Page> {
    return page(
      await call(ctx, 'ListPoliciesForTarget', {
        TargetId: input.targetId,
        Filter: 'SERVICE_CONTROL_POLICY',
        MaxResults: input.maxResults,
        NextToken: input.nextToken,
      }),
      'Policies',
    );
  },
});

export const describePolicy = defineOperation({
  id: 'organizations.policies.describe',
  service: 'organizations',
  title: 'Show a service control policy',
  description: "A service control policy's name, description and JSON document.",
  ...READ_ONLY,
  input: z.object({ policyId: policyIdSchema }).strict(),
  async handler(ctx, input) {
    const output = await call(ctx, 'DescribePolicy', { PolicyId: input.policyId });
    return (output.Policy as Output) ?? {};
  },
});

const SCP_PROTECTION =
  'Service control policies limit every account under their target, so changing them always needs an approval.';

function parsesAsPolicyDocument(text: string): boolean {
  try {
    const document = JSON.parse(text) as { Statement?: unknown };
    return Boolean(document && typeof document === 'object' && document.Statement);
  } catch {
    return false;
  }
}

export const createPolicy = defineOperation({
  id: 'organizations.policies.create',
  service: 'organizations',
  title: 'Create a service control policy',
  description:
    'Creates a service control policy (SCP) from a JSON policy document. It limits nothing until it is attached. Protected: always needs an approval.',
  kind: 'write',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: false,
  rollbackNote: 'Delete the policy (it is not attached anywhere yet).',
  protectedByDefault: SCP_PROTECTION,
  input: z
    .object({
      name: z.string().trim().min(1).max(128),
      description: z.string().max(512).default(''),
      content: z
        .string()
        .min(2)
        .max(5120, 'An SCP document may have at most 5,120 characters.')
        .refine(parsesAsPolicyDocument, 'Expected a JSON policy document with a Statement.'),
    })
    .strict(),
  async targets(_ctx, input): Promise<TargetResource[]> {
    return [{ type: 'organizations:policy', id: '(new service control policy)', name: input.name, action: 'create' }];
  },
  preview(_ctx, input) {
    const statements = (JSON.parse(input.content) as { Statement: unknown }).Statement;
    const count = Array.isArray(statements) ? statements.length : 1;
    return {
      summary: `Create the service control policy "${input.name}"`,
      changes: [`New SCP "${input.name}" with ${count} statement${count === 1 ? '' : 's'}; it applies once attached.`],
      cost: { direction: 'none', note: 'No cost.' },
    };
  },
  async handler(ctx, input) {
    const output = await call(ctx, 'CreatePolicy', {
      Name: input.name,
      Description: input.description,
      Content: input.content,
      Type: 'SERVICE_CONTROL_POLICY',
    });
    const summary = ((output.Policy as Output)?.PolicySummary as Output) ?? {};
    return { policyId: summary.Id as string, arn: summary.Arn as string, name: summary.Name as string };
  },
  resourceIds: (output) => (output.policyId ? [output.policyId] : []),
});

export const attachPolicy = defineOperation({
  id: 'organizations.policies.attach',
  service: 'organizations',
  title: 'Attach a service control policy',
  description:
    'Attaches a service control policy to an account, organizational unit or root: it then limits every account under it. Protected: always needs an approval.',
  kind: 'write',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: true,
  rollbackNote: 'Detach the policy from the target.',
  protectedByDefault: SCP_PROTECTION,
  input: z.object({ policyId: policyIdSchema, targetId: organizationTargetSchema }).strict(),
  async targets(ctx, input): Promise<TargetResource[]> {
    const [policy, tags] = await Promise.all([
      call(ctx, 'DescribePolicy', { PolicyId: input.policyId }),
      call(ctx, 'ListTagsForResource', { ResourceId: input.targetId }),
    ]);
    const summary = ((policy.Policy as Output)?.PolicySummary as Output) ?? {};
    return [
      { type: kindOfTarget(input.targetId), id: input.targetId, action: 'attach policy to', tags: tagsOf(tags) },
      {
        type: 'organizations:policy',
        id: input.policyId,
        name: summary.Name as string | undefined,
        action: 'attach',
        role: 'context',
      },
    ];
  },
  preview(_ctx, input, targets) {
    const name = targets.find((target) => target.role === 'context')?.name ?? input.policyId;
    const where =
      kindOfTarget(input.targetId) === 'organizations:account'
        ? `account ${input.targetId}`
        : kindOfTarget(input.targetId) === 'organizations:unit'
          ? `organizational unit ${input.targetId} and every account under it`
          : `root ${input.targetId}: every account of the organization`;
    return {
      summary: `Attach the SCP "${name}" to ${input.targetId}`,
      changes: [`"${name}" (${input.policyId}) will limit ${where}.`],
      warnings: ['An SCP can deny actions to every identity in those accounts, including administrators.'],
      cost: { direction: 'none', note: 'No cost.' },
    };
  },
  async handler(ctx, input) {
    await call(ctx, 'AttachPolicy', { PolicyId: input.policyId, TargetId: input.targetId });
    return { attached: true, policyId: input.policyId, targetId: input.targetId };
  },
  resourceIds: (_output, input) => [input.targetId],
});

/** The account's IAM alias (an account has at most one), named beside the account ID in answers and previews. */
export const listAccountAliases = defineOperation({
  id: 'iam.accountAliases.list',
  service: 'iam',
  title: 'List the account alias',
  description: 'The IAM account alias of the current account (at most one): the name shown beside its ID.',
  ...READ_ONLY,
  input: z.object({}).strict(),
  async handler(ctx): Promise<Page<string>> {
    const iam = await ctx.client(iamService);
    const output = await iam.send(new ListAccountAliasesCommand({}), { abortSignal: ctx.signal });
    return { items: (output.AccountAliases ?? []).filter((alias) => typeof alias === 'string').slice(0, 1) };
  },
});

export const organizationsReadOperations = [
  describeOrganization,
  listRoots,
  listUnits,
  listAccounts,
  listOrganizationTags,
  listPolicies,
  listPoliciesForTarget,
  describePolicy,
  listAccountAliases,
] as const;

export const organizationsWriteOperations = [createPolicy, attachPolicy] as const;
