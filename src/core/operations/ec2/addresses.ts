import { AllocateAddressCommand, ReleaseAddressCommand } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { ec2Service } from '../../aws/services';
import { addressAssociations } from '../../guardrails/dependencyChecks';
import { monthly, usd } from '../costs';
import { defineOperation } from '../define';
import { allocationId, tagsSchema, tagSpecifications } from '../schemaParts';
import { addressTargets } from './targets';
import { PriceBook } from '../../cost/priceBook';

export const allocateAddress = defineOperation({
  id: 'ec2.addresses.allocate',
  service: 'ec2',
  title: 'Allocate an Elastic IP',
  description: 'Allocates a public IPv4 Elastic IP address for use in a VPC.',
  kind: 'write',
  destructive: false,
  costImpact: 'increase',
  rollbackSupported: true,
  rollbackNote: 'release the address',
  input: z.object({ tags: tagsSchema.optional(), networkBorderGroup: z.string().min(1).optional() }).strict(),
  targets: async (_ctx, input) => [
    {
      type: 'ec2:elastic-ip',
      id: '(new Elastic IP)',
      name: input.tags?.Name,
      action: 'allocate',
      tags: input.tags ?? {},
    },
  ],
  preview: (ctx) => {
    const prices = new PriceBook(ctx.region);
    const cost = monthly(prices.publicIpv4Hourly().usd);
    return {
      summary: 'Allocate an Elastic IP address',
      changes: ['new public IPv4 address (VPC)'],
      cost: {
        direction: 'increase',
        monthlyUsd: cost,
        note: `About ${usd(cost)}/month while allocated. ${prices.note()}`,
      },
    };
  },
  checkPermission: (ctx, input) =>
    ctx.probe(
      ec2Service,
      new AllocateAddressCommand({ Domain: 'vpc', NetworkBorderGroup: input.networkBorderGroup, DryRun: true }),
    ),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    const address = await ec2.send(
      new AllocateAddressCommand({
        Domain: 'vpc',
        NetworkBorderGroup: input.networkBorderGroup,
        TagSpecifications: tagSpecifications('elastic-ip', input.tags),
      }),
    );
    return { allocationId: address.AllocationId!, publicIp: address.PublicIp };
  },
  resourceIds: (output) => [output.allocationId],
});

export const releaseAddress = defineOperation({
  id: 'ec2.addresses.release',
  service: 'ec2',
  title: 'Release an Elastic IP',
  description: 'Releases an Elastic IP address that is not associated with anything.',
  kind: 'delete',
  destructive: true,
  costImpact: 'decrease',
  rollbackSupported: false,
  rollbackNote: 'a released address may go to another AWS customer',
  input: z.object({ allocationId }).strict(),
  targets: (ctx, input) => addressTargets(ctx, [input.allocationId], 'release'),
  preview: (ctx, input, targets) => {
    const cost = monthly(new PriceBook(ctx.region).publicIpv4Hourly().usd);
    return {
      summary: `Release Elastic IP ${targets[0]?.details?.[0] ?? input.allocationId}`,
      changes: [`release ${input.allocationId}`],
      cost: { direction: 'decrease', monthlyUsd: -cost, note: `Saves about ${usd(cost)}/month.` },
    };
  },
  checkPermission: (ctx, input) =>
    ctx.probe(ec2Service, new ReleaseAddressCommand({ AllocationId: input.allocationId, DryRun: true })),
  checkDependencies: (ctx, input) => addressAssociations(ctx, [input.allocationId]),
  async handler(ctx, input) {
    const ec2 = await ctx.client(ec2Service);
    await ec2.send(new ReleaseAddressCommand({ AllocationId: input.allocationId }));
    return { released: input.allocationId };
  },
});

export const addressOperations = [allocateAddress, releaseAddress];
