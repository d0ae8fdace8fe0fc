/** Where seeding goes: an AWS-compatible endpoint (the gateway) plus the DRS emulator's admin API. */
import { DescribeImagesCommand, EC2Client, type Tag } from '@aws-sdk/client-ec2';
import type { DrsEmulatorAdmin } from '../emulators/drs/adminClient';

export interface SeedTarget {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  admin: DrsEmulatorAdmin;
}

export function ec2ClientFor(target: SeedTarget): EC2Client {
  return new EC2Client({
    region: target.region,
    endpoint: target.endpoint,
    credentials: target.credentials,
    maxAttempts: 3,
  });
}

export function toTags(tags: Record<string, string>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function fromTags(tags: Tag[] | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key && !tag.Key.startsWith('aws:')) result[tag.Key] = tag.Value ?? '';
  return result;
}

/** An Amazon Linux AMI that moto knows, preferring Amazon Linux 2. */
export async function pickAmazonLinuxImage(ec2: EC2Client): Promise<string> {
  for (const pattern of ['amzn2-ami-hvm-*-x86_64-gp2', 'amzn-ami-hvm-*-x86_64-gp2']) {
    const { Images } = await ec2.send(
      new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: [pattern] }] }),
    );
    const image = Images?.find((i) => i.ImageId);
    if (image?.ImageId) return image.ImageId;
  }
  const { Images } = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  const any = Images?.find((i) => i.ImageId);
  if (!any?.ImageId) throw new Error('the EC2 endpoint lists no Amazon-owned images to launch from');
  return any.ImageId;
}

/** Runs `work` over `items` with at most `limit` in flight, keeping result order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
