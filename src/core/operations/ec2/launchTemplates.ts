import {
  CreateLaunchTemplateVersionCommand,
  DeleteLaunchTemplateVersionsCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  ModifyLaunchTemplateCommand,
  type LaunchTemplate,
} from '@aws-sdk/client-ec2';
import { DescribeSourceServersCommand } from '@aws-sdk/client-drs';
import { z } from 'zod';
import { drsService, ec2Service } from '../../aws/services';
import { decodeUserData } from '../../launchTemplates/userData';
import { defineOperation, READ_ONLY } from '../define';
import { launchTemplateId, plural, tagsToRecord } from '../schemaParts';
import type { OperationContext, TargetResource } from '../types';

// Launch template versions: create from a source version, set the default, delete. The environment comes
// from the template's tags, and from a DRS source server's tags when the change is made for one.

const MAX_DATA_CHARS = 64_000;
const versionNumber = z.number().int().min(1).max(1_000_000);
const sourceServerId = z.string().regex(/^s-[0-9a-zA-Z]{17}$/, 'Expected a source server ID like s-1234567890abcdef0.');

const launchTemplateData = z
  .record(
    z.string().regex(/^[A-Z][A-Za-z0-9]{1,63}$/, 'Expected LaunchTemplateData field names such as InstanceType.'),
    z.unknown(),
  )
  .refine((data) => JSON.stringify(data).length <= MAX_DATA_CHARS, {
    message: `LaunchTemplateData is larger than ${MAX_DATA_CHARS} characters.`,
  })
  .describe(
    'Only the LaunchTemplateData fields that change, in AWS shape (e.g. {"InstanceType": "t3.large"}); every other field is kept from the source version; {} copies the source version. UserData is base64.',
  );

async function describeTemplate(ctx: OperationContext, id: string): Promise<LaunchTemplate> {
  const ec2 = await ctx.client(ec2Service);
  const result = await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [id] }));
  const template = result.LaunchTemplates?.[0];
  if (!template)
    throw Object.assign(new Error(`Launch template ${id} not found.`), { name: 'InvalidLaunchTemplateId.NotFound' });
  return template;
}

async function templateTargets(
  ctx: OperationContext,
  id: string,
  action: string,
  sourceServer?: string,
): Promise<TargetResource[]> {
  const template = await describeTemplate(ctx, id);
  const tags = tagsToRecord(template.Tags);
  const targets: TargetResource[] = [
    {
      type: 'ec2:launch-template',
      id,
      name: template.LaunchTemplateName,
      role: 'target',
      action,
      tags,
      details: [`default version ${template.DefaultVersionNumber}`, `latest version ${template.LatestVersionNumber}`],
    },
  ];
  if (sourceServer) {
    const drs = await ctx.client(drsService);
    const result = await drs.send(
      new DescribeSourceServersCommand({ filters: { sourceServerIDs: [sourceServer] }, maxResults: 1 }),
    );
    const server = result.items?.[0];
    if (!server)
      throw Object.assign(new Error(`Source server ${sourceServer} not found.`), { name: 'ResourceNotFoundException' });
    targets.push({
      type: 'drs:source-server',
      id: sourceServer,
      name: server.sourceProperties?.identificationHints?.hostname,
      role: 'context',
      action: 'launches from',
      tags: { ...(server.tags ?? {}) },
    });
  }
  return targets;
}

async function versionData(ctx: OperationContext, id: string, version: number): Promise<Record<string, unknown>> {
  const ec2 = await ctx.client(ec2Service);
  const result = await ec2.send(
    new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: [String(version)] }),
  );
  const found = result.LaunchTemplateVersions?.[0];
  if (!found)
    throw Object.assign(new Error(`Version ${version} of launch template ${id} not found.`), {
      name: 'InvalidLaunchTemplateVersion.NotFound',
    });
  return (found.LaunchTemplateData ?? {}) as Record<string, unknown>;
}

function shown(field: string, value: unknown): string {
  if (value === undefined) return '(unset)';
  if (field === 'UserData') return '(user data, not shown)';
  const text = JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

export const createLaunchTemplateVersion = defineOperation({
  id: 'ec2.launchTemplates.createVersion',
  service: 'ec2',
  title: 'Create a launch template version',
  description:
    'Creates a new version of a launch template from a source version, sending only the fields that change (every other field is kept). Does not change the default version.',
  kind: 'write',
  destructive: false,
  costImpact: 'variable',
  rollbackSupported: true,
  rollbackNote: 'Versions are immutable; make the previous version the default again, or delete the new version.',
  input: z
    .object({
      launchTemplateId,
      sourceVersion: versionNumber.describe('The version the new one is based on.'),
      launchTemplateData,
      versionDescription: z.string().max(255).optional(),
      sourceServerId: sourceServerId
        .optional()
        .describe('The DRS source server this template launches, whose tags also decide the environment.'),
    })
    .strict(),
  targets: (ctx, input) => templateTargets(ctx, input.launchTemplateId, 'new version', input.sourceServerId),
  async preview(ctx, input) {
    const base = await versionData(ctx, input.launchTemplateId, input.sourceVersion);
    const fields = Object.keys(input.launchTemplateData).sort();
    const same = fields.filter(
      (field) => JSON.stringify(base[field]) === JSON.stringify(input.launchTemplateData[field]),
    );
    return {
      summary: fields.length
        ? `Create a new version of ${input.launchTemplateId} from version ${input.sourceVersion} (${plural(fields.length - same.length, 'changed field')})`
        : `Copy version ${input.sourceVersion} of ${input.launchTemplateId} as a new version`,
      changes: fields
        .filter((field) => !same.includes(field))
        .map((field) => `${field}: ${shown(field, base[field])} → ${shown(field, input.launchTemplateData[field])}`),
      warnings: same.length ? [`Unchanged: ${same.join(', ')}.`] : undefined,
      cost: {
        direction: 'variable',
        note: 'No cost by itself; instances launched from the new version may cost more or less.',
      },
    };
  },
  checkPermission: (ctx, input) =>
    ctx.probe(
      ec2Service,
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: input.launchTemplateId,
        SourceVersion: String(input.sourceVersion),
        LaunchTemplateData: input.launchTemplateData as never,
        DryRun: true,
      }),
    ),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    const result = await ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: input.launchTemplateId,
        SourceVersion: String(input.sourceVersion),
        LaunchTemplateData: input.launchTemplateData as never,
        VersionDescription: input.versionDescription,
        ClientToken: ctx.clientToken('create-version'),
      }),
    );
    const created = result.LaunchTemplateVersion;
    if (!created?.VersionNumber) throw new Error('CreateLaunchTemplateVersion returned no version.');
    return {
      launchTemplateId: input.launchTemplateId,
      versionNumber: created.VersionNumber,
      sourceVersion: input.sourceVersion,
      changedFields: Object.keys(input.launchTemplateData).sort(),
    };
  },
  resourceIds: (output) => [output.launchTemplateId],
});

export const setDefaultLaunchTemplateVersion = defineOperation({
  id: 'ec2.launchTemplates.setDefaultVersion',
  service: 'ec2',
  title: 'Set the default launch template version',
  description: 'Makes a version the default of its launch template (DRS and Auto Scaling launch the default version).',
  kind: 'write',
  destructive: false,
  costImpact: 'variable',
  rollbackSupported: true,
  rollbackNote: 'Set the previous default version again (the preview names it).',
  input: z
    .object({
      launchTemplateId,
      version: versionNumber,
      sourceServerId: sourceServerId
        .optional()
        .describe('The DRS source server this template launches, whose tags also decide the environment.'),
    })
    .strict(),
  targets: (ctx, input) => templateTargets(ctx, input.launchTemplateId, 'set default version', input.sourceServerId),
  preview(_ctx, input, targets) {
    const previous = targets[0]?.details?.[0]?.replace('default version ', '') ?? '?';
    return {
      summary: `Make version ${input.version} the default of ${input.launchTemplateId}`,
      changes: [`DefaultVersion: ${previous} → ${input.version}`],
      warnings: previous === String(input.version) ? [`Version ${input.version} is already the default.`] : undefined,
    };
  },
  checkPermission: (ctx, input) =>
    ctx.probe(
      ec2Service,
      new ModifyLaunchTemplateCommand({
        LaunchTemplateId: input.launchTemplateId,
        DefaultVersion: String(input.version),
        DryRun: true,
      }),
    ),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    const result = await ec2.send(
      new ModifyLaunchTemplateCommand({
        LaunchTemplateId: input.launchTemplateId,
        DefaultVersion: String(input.version),
        ClientToken: ctx.clientToken('set-default'),
      }),
    );
    return {
      launchTemplateId: input.launchTemplateId,
      defaultVersion: result.LaunchTemplate?.DefaultVersionNumber ?? input.version,
    };
  },
  resourceIds: (output) => [output.launchTemplateId],
});

export const deleteLaunchTemplateVersions = defineOperation({
  id: 'ec2.launchTemplates.deleteVersions',
  service: 'ec2',
  title: 'Delete launch template versions',
  description: 'Deletes versions of a launch template. The default version is never deleted (refused).',
  kind: 'delete',
  destructive: true,
  costImpact: 'none',
  rollbackSupported: false,
  rollbackNote: 'A deleted version is gone; create a new version with the same data instead.',
  input: z.object({ launchTemplateId, versions: z.array(versionNumber).min(1).max(200) }).strict(),
  targets: async (ctx, input) =>
    (await templateTargets(ctx, input.launchTemplateId, 'delete versions')).map((target) => ({
      ...target,
      details: [...(target.details ?? []), `versions ${input.versions.join(', ')}`],
    })),
  preview: (_ctx, input) => ({
    summary: `Delete ${plural(input.versions.length, 'version')} of ${input.launchTemplateId}`,
    changes: input.versions.map((version) => `Delete version ${version}`),
  }),
  async checkDependencies(ctx, input) {
    const template = await describeTemplate(ctx, input.launchTemplateId);
    if (!template.DefaultVersionNumber || !input.versions.includes(template.DefaultVersionNumber)) return [];
    return [
      {
        resourceId: input.launchTemplateId,
        dependents: [`version ${template.DefaultVersionNumber}`],
        message: `Version ${template.DefaultVersionNumber} is the default version of ${input.launchTemplateId} and cannot be deleted. Make another version the default first.`,
      },
    ];
  },
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    const result = await ec2.send(
      new DeleteLaunchTemplateVersionsCommand({
        LaunchTemplateId: input.launchTemplateId,
        Versions: input.versions.map(String),
      }),
    );
    const failed = (result.UnsuccessfullyDeletedLaunchTemplateVersions ?? []).map((item) => ({
      version: item.VersionNumber,
      code: item.ResponseError?.Code,
      message: item.ResponseError?.Message,
    }));
    const deleted = (result.SuccessfullyDeletedLaunchTemplateVersions ?? [])
      .map((item) => item.VersionNumber)
      .filter((version): version is number => version !== undefined);
    if (failed.length && !deleted.length)
      throw Object.assign(
        new Error(failed.map((item) => `version ${item.version}: ${item.code} ${item.message}`).join('; ')),
        { name: failed[0].code ?? 'DeleteLaunchTemplateVersionsFailed' },
      );
    return { launchTemplateId: input.launchTemplateId, deleted, failed };
  },
  resourceIds: (output) => [output.launchTemplateId],
});

export const listInstanceTypeOfferings = defineOperation({
  id: 'ec2.instanceTypeOfferings.list',
  service: 'ec2',
  title: 'List instance type offerings',
  description: 'The instance types offered in an availability zone (or region), optionally only the given types.',
  ...READ_ONLY,
  input: z
    .object({
      locationType: z.enum(['availability-zone', 'availability-zone-id', 'region']).default('availability-zone'),
      locations: z.array(z.string().min(1).max(64)).min(1).max(50).optional().describe('e.g. ["us-east-1a"]'),
      instanceTypes: z
        .array(z.string().regex(/^[a-z0-9-]+\.[a-z0-9-]+$/, 'Expected an instance type such as t3.micro.'))
        .min(1)
        .max(200)
        .optional(),
    })
    .strict(),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    const filters = [
      ...(input.locations ? [{ Name: 'location', Values: input.locations }] : []),
      ...(input.instanceTypes ? [{ Name: 'instance-type', Values: input.instanceTypes }] : []),
    ];
    const items: Array<{ instanceType: string; location: string }> = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const result = await ec2.send(
        new DescribeInstanceTypeOfferingsCommand({
          LocationType: input.locationType,
          Filters: filters.length ? filters : undefined,
          MaxResults: 1000,
          NextToken: nextToken,
        }),
      );
      for (const offering of result.InstanceTypeOfferings ?? [])
        if (offering.InstanceType && offering.Location)
          items.push({ instanceType: offering.InstanceType, location: offering.Location });
      nextToken = result.NextToken || undefined;
      pages += 1;
    } while (nextToken && pages < 20);
    return { items, truncated: Boolean(nextToken) };
  },
});

/** One version's user data as the person asked to see it: base64 as stored and, when it is text, decoded. */
export interface RevealedUserData {
  launchTemplateId: string;
  versionNumber: number;
  /** unset: the version has none; text: printable UTF-8; binary: e.g. gzip, not editable as text. */
  state: 'unset' | 'text' | 'binary';
  /** Base64 as AWS stores it. */
  userData?: string;
  text?: string;
  /** Decoded size in bytes. */
  bytes: number;
}

export const revealLaunchTemplateUserData = defineOperation({
  id: 'ec2.launchTemplates.revealUserData',
  service: 'ec2',
  title: 'Reveal the user data of a launch template version',
  description:
    'Reads one launch template version and returns its user data decoded, for the person editing it. User data is a secret: this runs only from the launch-template editor, never for chat, LM tools or MCP; the audit trail records that it was revealed, never its content.',
  ...READ_ONLY,
  input: z.object({ launchTemplateId, version: versionNumber }).strict(),
  async handler(ctx, input): Promise<RevealedUserData> {
    const data = await versionData(ctx, input.launchTemplateId, input.version);
    const base = { launchTemplateId: input.launchTemplateId, versionNumber: input.version };
    const stored = typeof data.UserData === 'string' && data.UserData ? data.UserData : undefined;
    if (!stored) return { ...base, state: 'unset', bytes: 0 };
    const text = decodeUserData(stored);
    return text === undefined
      ? { ...base, state: 'binary', userData: stored, bytes: Buffer.from(stored, 'base64').byteLength }
      : { ...base, state: 'text', userData: stored, text, bytes: Buffer.byteLength(text, 'utf8') };
  },
  resourceIds: (_output, input) => [input.launchTemplateId],
  secretOutput: {
    auditSummary: (output) => ({
      revealed: 'user data',
      launchTemplateId: output.launchTemplateId,
      versionNumber: output.versionNumber,
      state: output.state,
      bytes: output.bytes,
    }),
  },
});

export const launchTemplateOperations = [
  createLaunchTemplateVersion,
  setDefaultLaunchTemplateVersion,
  deleteLaunchTemplateVersions,
  listInstanceTypeOfferings,
  revealLaunchTemplateUserData,
];
