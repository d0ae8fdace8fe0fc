import { z } from 'zod';
import { tagsToRecord } from '../aws/tags';

/** An EC2-style ID with a fixed prefix, e.g. i-0123456789abcdef0. */
export function awsId(prefix: string, label: string) {
  return z
    .string()
    .regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), `Expected ${label} ID like ${prefix}-0123456789abcdef0.`)
    .describe(`${label} ID (${prefix}-…)`);
}

export const instanceId = awsId('i', 'an EC2 instance');
export const securityGroupId = awsId('sg', 'a security group');
export const vpcId = awsId('vpc', 'a VPC');
export const subnetId = awsId('subnet', 'a subnet');
export const volumeId = awsId('vol', 'an EBS volume');
export const snapshotId = awsId('snap', 'an EBS snapshot');
export const allocationId = awsId('eipalloc', 'an Elastic IP allocation');
export const launchTemplateId = awsId('lt', 'a launch template');

/** Any taggable EC2 resource ID (i-, vol-, sg-, vpc-, subnet-, snap-, ami-, eipalloc-, …). */
export const ec2ResourceId = z
  .string()
  .regex(
    /^[a-z]+(-[a-z]+)?-[0-9a-f]{8,17}$/,
    'Expected an EC2 resource ID such as i-0123456789abcdef0 or vol-0123456789abcdef0.',
  )
  .describe('EC2 resource ID');

export const tagKey = z
  .string()
  .min(1)
  .max(128)
  .refine((key) => !key.toLowerCase().startsWith('aws:'), {
    message: 'Tag keys starting with "aws:" are reserved by AWS.',
  });

export const tagsSchema = z.record(tagKey, z.string().max(256)).describe('Tags as {"Key": "Value"}.');

export const availabilityZone = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, 'Expected an availability zone such as us-east-1a.');

export const iamName = (label: string, max = 64) =>
  z
    .string()
    .regex(new RegExp(`^[\\w+=,.@-]{1,${max}}$`), `Expected ${label}: 1-${max} letters, digits or + = , . @ _ -.`);

export const iamPath = z.string().regex(/^\/([\x21-\x7e]*\/)?$/, 'Expected an IAM path that starts and ends with "/".');

export const policyArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/.+$/,
    'Expected an IAM policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess.',
  );

/** Paging and filters shared by the EC2 list reads. */
export const ec2Filters = z
  .array(z.object({ name: z.string().min(1), values: z.array(z.string()).min(1) }).strict())
  .max(50)
  .describe('EC2 API filters, e.g. [{"name": "tag:Environment", "values": ["prod"]}].');

export const pageFields = {
  maxResults: z.number().int().min(5).max(1000).optional().describe('Page size.'),
  nextToken: z.string().optional().describe('Token from the previous page.'),
};

export function toTagList(tags: Record<string, string> | undefined): Array<{ Key: string; Value: string }> {
  return Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
}

export function tagSpecifications(resourceType: string, tags: Record<string, string> | undefined) {
  const list = toTagList(tags);
  return list.length ? [{ ResourceType: resourceType as never, Tags: list }] : undefined;
}

export { tagsToRecord };

export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : pluralNoun}`;
}

export function nameOf(tags: Record<string, string> | undefined, fallback: string): string {
  return tags?.Name || fallback;
}
