import { CreateTagsCommand, DeleteTagsCommand } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { ec2Service } from '../../aws/services';
import { defineOperation } from '../define';
import { ec2ResourceId, plural, tagKey, tagsSchema, toTagList } from '../schemaParts';
import { taggedResourceTargets } from './targets';

const resourceIds = z.array(ec2ResourceId).min(1).max(1000);

export const addTags = defineOperation({
  id: 'ec2.tags.add',
  service: 'ec2',
  title: 'Add or change tags',
  description: 'Adds tags to EC2 resources, replacing the value of a key that already exists.',
  kind: 'write',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: true,
  rollbackNote: 'remove the tags, or set the old values again',
  input: z
    .object({
      resourceIds,
      tags: tagsSchema.refine((tags) => Object.keys(tags).length > 0, { message: 'Give at least one tag.' }),
    })
    .strict(),
  targets: async (ctx, input) =>
    (await taggedResourceTargets(ctx, input.resourceIds, 'tag')).map((target) => ({ ...target, setsTags: input.tags })),
  preview: (_ctx, input, targets) => ({
    summary: `Set ${plural(Object.keys(input.tags).length, 'tag')} on ${plural(input.resourceIds.length, 'resource')}`,
    changes: targets.flatMap((target) =>
      Object.entries(input.tags).map(
        ([key, value]) =>
          `${target.id}: ${key} = "${value}"${target.tags?.[key] !== undefined ? ` (was "${target.tags[key]}")` : ''}`,
      ),
    ),
  }),
  checkPermission: (ctx, input) =>
    ctx.probe(
      ec2Service,
      new CreateTagsCommand({ Resources: input.resourceIds, Tags: toTagList(input.tags), DryRun: true }),
    ),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    await ec2.send(new CreateTagsCommand({ Resources: input.resourceIds, Tags: toTagList(input.tags) }));
    return { tagged: input.resourceIds, keys: Object.keys(input.tags) };
  },
});

export const removeTags = defineOperation({
  id: 'ec2.tags.remove',
  service: 'ec2',
  title: 'Remove tags',
  description:
    'Removes tags (by key) from EC2 resources. Removing a protection tag such as DoNotDelete needs an approval.',
  kind: 'write',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: true,
  rollbackNote: 'add the tags again (the preview lists their values)',
  input: z.object({ resourceIds, keys: z.array(tagKey).min(1).max(50) }).strict(),
  targets: async (ctx, input) =>
    (await taggedResourceTargets(ctx, input.resourceIds, 'untag')).map((target) => ({
      ...target,
      removesTags: input.keys,
    })),
  preview: (_ctx, input, targets) => ({
    summary: `Remove ${plural(input.keys.length, 'tag key')} from ${plural(input.resourceIds.length, 'resource')}`,
    changes: targets.flatMap((target) =>
      input.keys.map(
        (key) =>
          `${target.id}: remove ${key}${target.tags?.[key] !== undefined ? ` (was "${target.tags[key]}")` : ' (not set)'}`,
      ),
    ),
  }),
  checkPermission: (ctx, input) =>
    ctx.probe(
      ec2Service,
      new DeleteTagsCommand({ Resources: input.resourceIds, Tags: input.keys.map((Key) => ({ Key })), DryRun: true }),
    ),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    await ec2.send(new DeleteTagsCommand({ Resources: input.resourceIds, Tags: input.keys.map((Key) => ({ Key })) }));
    return { untagged: input.resourceIds, keys: input.keys };
  },
});

export const tagOperations = [addTags, removeTags];
