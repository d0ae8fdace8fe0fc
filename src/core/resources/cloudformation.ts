import type { Stack, StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { inMemoryLister, type ResourceLister, type ResourceSummary, type StateTone } from './model';
import { compact, day, pagedLister, readPage } from './pagedLister';

export function stackStatusTone(status: string | undefined): StateTone {
  if (!status) return 'unknown';
  if (status.endsWith('_IN_PROGRESS')) return 'transitional';
  if (status.includes('FAILED') || status.includes('ROLLBACK')) return 'error';
  if (status === 'DELETE_COMPLETE') return 'stopped';
  return 'ok';
}

export function stackResourceLister(stackName: string): ResourceLister {
  return pagedLister({
    type: 'cloudformation:stack-resource',
    title: 'Resources',
    fetch: (read, { nextToken }) =>
      readPage<StackResourceSummary>(read, 'cloudformation.stacks.resources', { stackName, nextToken }),
    summarize(resource: StackResourceSummary): ResourceSummary {
      const logicalId = resource.LogicalResourceId ?? 'unknown';
      return {
        type: 'cloudformation:stack-resource',
        id: `${stackName}/${logicalId}`,
        name: logicalId,
        state: resource.ResourceStatus,
        stateTone: stackStatusTone(resource.ResourceStatus),
        details: compact([resource.PhysicalResourceId, resource.ResourceType]),
        tags: {},
        raw: resource,
      };
    },
  });
}

function summarizeStack(stack: Stack): ResourceSummary {
  const name = stack.StackName ?? 'unknown';
  const outputs = (stack.Outputs ?? []).map((output) => ({
    type: 'cloudformation:stack-output',
    id: `${name}#${output.OutputKey}`,
    name: output.OutputKey ?? '?',
    details: compact([output.OutputValue, output.ExportName && `export ${output.ExportName}`]),
    tags: {},
    raw: output,
  }));
  return {
    type: 'cloudformation:stack',
    id: stack.StackId ?? name,
    name,
    arn: stack.StackId,
    state: stack.StackStatus,
    stateTone: stackStatusTone(stack.StackStatus),
    details: compact([stack.StackStatus, day(stack.LastUpdatedTime ?? stack.CreationTime)]),
    tags: Object.fromEntries((stack.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
    raw: stack,
    children: [stackResourceLister(name), inMemoryLister('cloudformation:stack-output', 'Outputs', outputs)],
  };
}

export const stackLister = pagedLister({
  type: 'cloudformation:stack',
  title: 'Stacks',
  fetch: (read, { nextToken }) => readPage<Stack>(read, 'cloudformation.stacks.list', { nextToken }),
  summarize: summarizeStack,
  fetchOne: async (read, id) => (await readPage<Stack>(read, 'cloudformation.stacks.list', { stackName: id })).items[0],
});
