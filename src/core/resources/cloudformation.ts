import { DescribeStacksCommand, ListStackResourcesCommand, type Stack, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { cloudFormationService } from '../aws/services';
import { inMemoryLister, type ResourceLister, type ResourceSummary, type StateTone } from './model';
import { compact, pagedLister } from './pagedLister';

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
    service: cloudFormationService,
    async fetch(client, { nextToken }) {
      const response = await client.send(new ListStackResourcesCommand({ StackName: stackName, NextToken: nextToken }));
      return { items: response.StackResourceSummaries ?? [], nextToken: response.NextToken };
    },
    summarize(resource: StackResourceSummary): ResourceSummary {
      const logicalId = resource.LogicalResourceId ?? 'unknown';
      return {
        type: 'cloudformation:stack-resource', id: `${stackName}/${logicalId}`, name: logicalId, state: resource.ResourceStatus,
        stateTone: stackStatusTone(resource.ResourceStatus), details: compact([resource.PhysicalResourceId, resource.ResourceType]), tags: {}, raw: resource,
      };
    },
  });
}

function summarizeStack(stack: Stack): ResourceSummary {
  const name = stack.StackName ?? 'unknown';
  const outputs = (stack.Outputs ?? []).map((output) => ({
    type: 'cloudformation:stack-output', id: `${name}#${output.OutputKey}`, name: output.OutputKey ?? '?',
    details: compact([output.OutputValue, output.ExportName && `export ${output.ExportName}`]), tags: {}, raw: output,
  }));
  return {
    type: 'cloudformation:stack', id: stack.StackId ?? name, name, arn: stack.StackId, state: stack.StackStatus, stateTone: stackStatusTone(stack.StackStatus),
    details: compact([stack.StackStatus, (stack.LastUpdatedTime ?? stack.CreationTime)?.toISOString().slice(0, 10)]),
    tags: Object.fromEntries((stack.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])), raw: stack,
    children: [stackResourceLister(name), inMemoryLister('cloudformation:stack-output', 'Outputs', outputs)],
  };
}

export const stackLister = pagedLister({
  type: 'cloudformation:stack',
  title: 'Stacks',
  service: cloudFormationService,
  async fetch(client, { nextToken }) {
    const response = await client.send(new DescribeStacksCommand({ NextToken: nextToken }));
    return { items: response.Stacks ?? [], nextToken: response.NextToken };
  },
  summarize: summarizeStack,
  async fetchOne(client, id) {
    return (await client.send(new DescribeStacksCommand({ StackName: id }))).Stacks?.[0];
  },
});
