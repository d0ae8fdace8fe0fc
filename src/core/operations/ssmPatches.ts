import { DescribeInstancePatchStatesCommand, type InstancePatchState } from '@aws-sdk/client-ssm';
import { z } from 'zod';
import { ssmService } from '../aws/services';
import { awsId } from './schemaParts';
import { defineOperation, READ_ONLY } from './define';

/** SSM Patch Manager: the patch state of managed instances (absent for instances Patch Manager never scanned). */
export const listPatchStates = defineOperation({
  id: 'ssm.patchStates.list',
  service: 'ssm',
  title: 'Read instance patch states',
  description:
    'SSM Patch Manager patch state of up to 50 instances: last scan or install time, missing and failed patch counts.',
  ...READ_ONLY,
  input: z
    .object({
      instanceIds: z.array(awsId('i', 'instance')).min(1).max(50),
    })
    .strict(),
  async handler(ctx, input): Promise<{ items: InstancePatchState[] }> {
    const ssm = await ctx.client(ssmService);
    const items: InstancePatchState[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const result = await ssm.send(
        new DescribeInstancePatchStatesCommand({ InstanceIds: input.instanceIds, NextToken: nextToken }),
      );
      items.push(...(result.InstancePatchStates ?? []));
      nextToken = result.NextToken;
      if (!nextToken) break;
    }
    return { items };
  },
});

export const ssmPatchReadOperations = [listPatchStates];
