import {
  CreateTagsCommand,
  DescribeInstancesCommand,
  DescribeTagsCommand,
  ModifyInstanceMetadataOptionsCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import {
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  type PublicAccessBlockConfiguration,
} from '@aws-sdk/client-s3-control';
import { z } from 'zod';
import { ec2TypeOfId } from '../aws/idPrefixes';
import { ec2Service, s3ControlService } from '../aws/services';
import { defineOperation } from './define';
import { instanceId, plural, tagsSchema, tagsToRecord, toTagList } from './schemaParts';
import type { OperationContext, TargetResource } from './types';

// Remediations offered by compliance findings (fix.operationId). Each is a plain registered write: dry-run
// preview, guardrails (a protected environment needs an approval), audit; nothing runs without confirmation.

async function describeInstance(ctx: OperationContext, id: string): Promise<Instance> {
  const ec2 = await ctx.client(ec2Service);
  const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  const instance = Reservations?.flatMap((reservation) => reservation.Instances ?? []).find(
    (candidate) => candidate.InstanceId === id,
  );
  if (!instance)
    throw Object.assign(new Error(`Instance ${id} was not found in this region.`), {
      name: 'InvalidInstanceID.NotFound',
    });
  return instance;
}

const imdsLabel = (tokens: string | undefined) =>
  tokens === 'required' ? 'IMDSv2 required' : `IMDSv1 allowed (HttpTokens ${tokens ?? 'optional'})`;

export const requireImdsv2 = defineOperation({
  id: 'ec2.requireImdsv2',
  service: 'ec2',
  title: 'Require IMDSv2 on an instance',
  description:
    'Sets the instance metadata options to HttpTokens=required (ModifyInstanceMetadataOptions), so the instance answers only IMDSv2 (session token) requests.',
  kind: 'write',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: true,
  rollbackNote: 'Set HttpTokens back to optional with ModifyInstanceMetadataOptions.',
  input: z.object({ instanceId }).strict(),
  async targets(ctx, input): Promise<TargetResource[]> {
    const instance = await describeInstance(ctx, input.instanceId);
    const tags = tagsToRecord(instance.Tags);
    return [
      {
        type: 'ec2:instance',
        id: input.instanceId,
        name: tags.Name,
        role: 'target',
        action: 'require IMDSv2',
        tags,
        state: instance.State?.Name,
        details: [imdsLabel(instance.MetadataOptions?.HttpTokens)],
      },
    ];
  },
  async preview(ctx, input) {
    const instance = await describeInstance(ctx, input.instanceId);
    const tokens = instance.MetadataOptions?.HttpTokens;
    const warnings = [
      'Software on the instance that still calls the metadata service without a session token (old SDKs, scripts using curl on 169.254.169.254) stops getting metadata and credentials.',
    ];
    if (tokens === 'required') warnings.unshift('The instance already requires IMDSv2; nothing changes.');
    if (instance.MetadataOptions?.HttpEndpoint === 'disabled')
      warnings.push('The metadata endpoint is disabled on this instance; it stays disabled.');
    return {
      summary: `Require IMDSv2 on ${input.instanceId}: ${imdsLabel(tokens)} → IMDSv2 required`,
      changes: [`${input.instanceId}: ${imdsLabel(tokens)} → IMDSv2 required (HttpTokens=required)`],
      warnings,
    };
  },
  checkPermission: (ctx, input) =>
    ctx.probe(
      ec2Service,
      new ModifyInstanceMetadataOptionsCommand({ InstanceId: input.instanceId, HttpTokens: 'required', DryRun: true }),
    ),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    const before = (await describeInstance(ctx, input.instanceId)).MetadataOptions?.HttpTokens;
    const result = await ec2.send(
      new ModifyInstanceMetadataOptionsCommand({ InstanceId: input.instanceId, HttpTokens: 'required' }),
    );
    return {
      instanceId: input.instanceId,
      previousHttpTokens: before ?? 'optional',
      httpTokens: result.InstanceMetadataOptions?.HttpTokens ?? 'required',
    };
  },
  resourceIds: (output) => [output.instanceId],
});

const BLOCK_SETTINGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;
type BlockSettings = Record<(typeof BLOCK_SETTINGS)[number], boolean>;

async function accountPublicAccessBlock(ctx: OperationContext, accountId: string): Promise<BlockSettings | undefined> {
  const s3control = await ctx.client(s3ControlService);
  try {
    const { PublicAccessBlockConfiguration: current } = await s3control.send(
      new GetPublicAccessBlockCommand({ AccountId: accountId }),
    );
    return Object.fromEntries(BLOCK_SETTINGS.map((key) => [key, current?.[key] === true])) as BlockSettings;
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchPublicAccessBlockConfiguration') return undefined;
    throw error;
  }
}

const accountIdSchema = z
  .string()
  .regex(/^\d{12}$/, 'Expected a 12-digit AWS account ID.')
  .describe('AWS account ID (12 digits); the account the profile signs in to');

function sameAccount(ctx: OperationContext, accountId: string): void {
  if (ctx.account && ctx.account !== accountId)
    throw Object.assign(
      new Error(
        `Account ${accountId} is not the signed-in account (${ctx.account}): run this with a profile of account ${accountId}.`,
      ),
      { name: 'AccountMismatch' },
    );
}

export const blockAccountPublicAccess = defineOperation({
  id: 's3control.blockPublicAccess',
  service: 's3control',
  title: 'Block S3 public access for the account',
  description:
    'Turns on all four account-level S3 Block Public Access settings (PutPublicAccessBlock: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets).',
  kind: 'write',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: true,
  rollbackNote: 'Put the previous settings back with PutPublicAccessBlock (the preview lists them).',
  input: z.object({ accountId: accountIdSchema }).strict(),
  async targets(ctx, input): Promise<TargetResource[]> {
    sameAccount(ctx, input.accountId);
    const current = await accountPublicAccessBlock(ctx, input.accountId);
    return [
      {
        type: 'account',
        id: input.accountId,
        role: 'target',
        action: 'block S3 public access',
        details: [
          current
            ? BLOCK_SETTINGS.map((key) => `${key} ${current[key]}`).join(', ')
            : 'no account-level public access block',
        ],
      },
    ];
  },
  async preview(ctx, input) {
    const current = await accountPublicAccessBlock(ctx, input.accountId);
    const changes = BLOCK_SETTINGS.map(
      (key) => `${key}: ${current ? String(current[key]) : 'not set'} → true${current?.[key] ? ' (unchanged)' : ''}`,
    );
    const warnings = [
      'Buckets of this account that are public by ACL or bucket policy stop being reachable publicly (static websites, public downloads).',
    ];
    if (current && BLOCK_SETTINGS.every((key) => current[key]))
      warnings.unshift('Every setting is already on; nothing changes.');
    return {
      summary: `Block S3 public access for account ${input.accountId}: ${
        current ? `${BLOCK_SETTINGS.filter((key) => current[key]).length} of 4 on` : 'not set'
      } → all 4 on`,
      changes,
      warnings,
    };
  },
  async handler(ctx, input) {
    sameAccount(ctx, input.accountId);
    const s3control = await ctx.client(s3ControlService);
    const before = await accountPublicAccessBlock(ctx, input.accountId);
    const configuration: PublicAccessBlockConfiguration = Object.fromEntries(BLOCK_SETTINGS.map((key) => [key, true]));
    await s3control.send(
      new PutPublicAccessBlockCommand({ AccountId: input.accountId, PublicAccessBlockConfiguration: configuration }),
    );
    return { accountId: input.accountId, previous: before ?? null, now: configuration };
  },
  resourceIds: (output) => [output.accountId],
});

const resourceRef = z.union([
  z.string().min(1).max(2048),
  z
    .object({
      type: z.string().max(256).optional(),
      id: z.string().min(1).max(2048),
      arn: z.string().max(2048).optional(),
      name: z.string().max(256).optional(),
    })
    .strip(),
]);

interface ResolvedResource {
  id: string;
  type: string;
}

/** The EC2 resources of the input, and the others (not supported yet, each with its type). */
function splitResources(resources: z.output<typeof resourceRef>[]): {
  ec2: ResolvedResource[];
  unsupported: ResolvedResource[];
} {
  const ec2: ResolvedResource[] = [];
  const unsupported: ResolvedResource[] = [];
  const seen = new Set<string>();
  for (const resource of resources) {
    const id = typeof resource === 'string' ? resource : resource.id;
    const type = typeof resource === 'string' ? undefined : resource.type;
    if (seen.has(id)) continue;
    seen.add(id);
    const ec2Type = /^[a-z]+(-[a-z]+)?-[0-9a-f]{8,17}$/.test(id) ? ec2TypeOfId(id) : undefined;
    const declaredEc2 = !type || type.startsWith('AWS::EC2::') || type.startsWith('ec2:');
    if (ec2Type && declaredEc2) ec2.push({ id, type: ec2Type });
    else unsupported.push({ id, type: type ?? ec2Type ?? 'unknown type' });
  }
  return { ec2, unsupported };
}

async function currentTags(ctx: OperationContext, ids: string[]): Promise<Map<string, Record<string, string>>> {
  const ec2 = await ctx.client(ec2Service);
  const tagsById = new Map<string, Record<string, string>>(ids.map((id) => [id, {}]));
  for (let start = 0; start < ids.length; start += 200) {
    const batch = ids.slice(start, start + 200);
    let nextToken: string | undefined;
    do {
      const page = await ec2.send(
        new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: batch }], NextToken: nextToken }),
      );
      for (const tag of page.Tags ?? [])
        if (tag.ResourceId && tag.Key) tagsById.get(tag.ResourceId)![tag.Key] = tag.Value ?? '';
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return tagsById;
}

/** The tags a resource lacks: keys it does not have at all. An existing value is never overwritten. */
export function missingTags(existing: Record<string, string>, wanted: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(wanted).filter(([key]) => !Object.hasOwn(existing, key)));
}

const notSupported = (resource: ResolvedResource) =>
  `${resource.id}: not supported yet for ${resource.type} (add the tags by hand)`;

export const enforceTags = defineOperation({
  id: 'tagging.enforceTags',
  service: 'tagging',
  title: 'Add missing required tags',
  description:
    'Adds the tags a resource lacks (keys it does not have yet); existing values are never overwritten. EC2 resources (CreateTags) only for now; other types are listed as not supported yet.',
  kind: 'write',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: true,
  rollbackNote: 'Remove the added tag keys (ec2.tags.remove); the result lists them per resource.',
  input: z
    .object({
      resources: z.array(resourceRef).min(1).max(1000),
      tags: tagsSchema.refine((tags) => Object.keys(tags).length > 0 && Object.keys(tags).length <= 50, {
        message: 'Give between 1 and 50 tags.',
      }),
    })
    .strict(),
  async targets(ctx, input): Promise<TargetResource[]> {
    const { ec2, unsupported } = splitResources(input.resources);
    if (!ec2.length)
      throw Object.assign(
        new Error(
          `Enforcing tags is not supported yet for ${[...new Set(unsupported.map((resource) => resource.type))].join(', ')}: only EC2 resources can be tagged by Pilot Light today.`,
        ),
        { name: 'NotSupported' },
      );
    const tagsById = await currentTags(
      ctx,
      ec2.map((resource) => resource.id),
    );
    return ec2.map((resource) => {
      const tags = tagsById.get(resource.id) ?? {};
      return {
        type: resource.type,
        id: resource.id,
        name: tags.Name,
        role: 'target',
        action: 'add missing tags',
        tags,
        setsTags: missingTags(tags, input.tags),
      };
    });
  },
  preview(_ctx, input, targets) {
    const { unsupported } = splitResources(input.resources);
    const changes: string[] = [];
    const kept: string[] = [];
    for (const target of targets) {
      const existing = target.tags ?? {};
      for (const [key, value] of Object.entries(input.tags)) {
        if (!Object.hasOwn(existing, key)) changes.push(`${target.id}: add ${key} = "${value}"`);
        else if (existing[key] !== value)
          kept.push(
            `${target.id}: ${key} stays "${existing[key]}" (existing values are never overwritten; wanted "${value}")`,
          );
      }
    }
    const toTag = targets.filter((target) => Object.keys(target.setsTags ?? {}).length).length;
    return {
      summary: `Add missing tags to ${plural(toTag, 'resource')} (${plural(changes.length, 'tag')})`,
      changes: changes.length ? changes : ['Nothing to add: every resource already has these tag keys.'],
      warnings: [...kept, ...unsupported.map(notSupported)],
    };
  },
  checkPermission(ctx, input, targets) {
    const ids = targets.filter((target) => Object.keys(target.setsTags ?? {}).length).map((target) => target.id);
    return ctx.probe(
      ec2Service,
      new CreateTagsCommand({
        Resources: ids.length ? ids : [targets[0].id],
        Tags: toTagList(input.tags),
        DryRun: true,
      }),
    );
  },
  async handler(ctx, input) {
    const { ec2: resources, unsupported } = splitResources(input.resources);
    const ec2 = await ctx.client(ec2Service);
    // Read again right before writing: a tag added since the preview is kept, not overwritten.
    const tagsById = await currentTags(
      ctx,
      resources.map((resource) => resource.id),
    );
    const byMissing = new Map<string, { tags: Record<string, string>; ids: string[] }>();
    for (const resource of resources) {
      const missing = missingTags(tagsById.get(resource.id) ?? {}, input.tags);
      if (!Object.keys(missing).length) continue;
      const key = JSON.stringify(Object.keys(missing).sort());
      const group = byMissing.get(key) ?? { tags: missing, ids: [] };
      group.ids.push(resource.id);
      byMissing.set(key, group);
    }
    const tagged: Array<{ resourceId: string; added: string[] }> = [];
    for (const group of byMissing.values())
      for (let start = 0; start < group.ids.length; start += 1000) {
        const ids = group.ids.slice(start, start + 1000);
        await ec2.send(new CreateTagsCommand({ Resources: ids, Tags: toTagList(group.tags) }));
        tagged.push(...ids.map((resourceId) => ({ resourceId, added: Object.keys(group.tags) })));
      }
    return {
      tagged,
      alreadyTagged: resources
        .filter((resource) => !tagged.some((item) => item.resourceId === resource.id))
        .map((r) => r.id),
      notSupported: unsupported.map((resource) => ({
        id: resource.id,
        type: resource.type,
        reason: `not supported yet for ${resource.type}`,
      })),
    };
  },
  resourceIds: (output) => output.tagged.map((item) => item.resourceId),
});

export const remediationOperations = [requireImdsv2, blockAccountPublicAccess, enforceTags];
