import {
  DescribeDocumentCommand,
  GetAutomationExecutionCommand,
  StartAutomationExecutionCommand,
  StopAutomationExecutionCommand,
  type AutomationExecution,
  type DocumentDescription,
} from '@aws-sdk/client-ssm';
import { z } from 'zod';
import { ssmService } from '../aws/services';
import { defineOperation, READ_ONLY } from './define';

const documentName = z
  .string()
  .regex(/^[a-zA-Z0-9_\-.:/]{3,128}$/, 'Expected an SSM document name such as AWS-RestartEC2Instance.');
const executionId = z.string().regex(/^[0-9a-f-]{36}$/, 'Expected an automation execution ID (a UUID).');

export const startAutomation = defineOperation({
  id: 'ssm.automation.start',
  service: 'ssm',
  title: 'Start an SSM Automation runbook',
  description: 'Runs an SSM Automation document with parameters, e.g. a pre- or post-wave action of a recovery plan.',
  kind: 'write',
  destructive: false,
  costImpact: 'variable',
  rollbackSupported: false,
  input: z
    .object({
      documentName,
      documentVersion: z.string().optional(),
      parameters: z.record(z.string(), z.array(z.string())).default({}),
      clientToken: z.string().min(1).max(64).optional(),
      tags: z.record(z.string(), z.string()).optional(),
      /** Tags of the resources the runbook acts on, so their environment decides protection. */
      environmentTags: z.record(z.string(), z.string()).optional(),
    })
    .strict(),
  targets: async (_ctx, input) => [
    {
      type: 'ssm:automation-execution',
      id: `(new execution of ${input.documentName})`,
      role: 'target' as const,
      action: 'run',
      tags: input.environmentTags ?? input.tags ?? {},
    },
  ],
  preview(_ctx, input) {
    const parameters = Object.entries(input.parameters).map(([key, values]) => `${key}=${values.join(',')}`);
    return {
      summary: `Run the SSM Automation document ${input.documentName}${input.documentVersion ? ` (version ${input.documentVersion})` : ''}`,
      changes: parameters.length ? [`Parameters: ${parameters.join('; ')}`] : ['No parameters'],
      warnings: ['The runbook can change any resource it is allowed to; review the document.'],
      cost: { direction: 'variable', note: 'Depends on what the runbook does.' },
    };
  },
  async handler(ctx, input) {
    const ssm = await ctx.client(ssmService);
    const result = await ssm.send(
      new StartAutomationExecutionCommand({
        DocumentName: input.documentName,
        DocumentVersion: input.documentVersion,
        Parameters: input.parameters,
        ClientToken: input.clientToken,
        Tags: input.tags ? Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })) : undefined,
      }),
    );
    if (!result.AutomationExecutionId) throw new Error('StartAutomationExecution returned no execution ID.');
    return { executionId: result.AutomationExecutionId };
  },
  resourceIds: (output) => [output.executionId],
});

export const stopAutomation = defineOperation({
  id: 'ssm.automation.stop',
  service: 'ssm',
  title: 'Stop an SSM Automation execution',
  description: 'Cancels a running SSM Automation execution, e.g. one that exceeded its timeout.',
  kind: 'write',
  destructive: false,
  costImpact: 'none',
  rollbackSupported: false,
  input: z.object({ executionId, environmentTags: z.record(z.string(), z.string()).optional() }).strict(),
  targets: async (_ctx, input) => [
    {
      type: 'ssm:automation-execution',
      id: input.executionId,
      role: 'target' as const,
      action: 'stop',
      tags: input.environmentTags ?? {},
    },
  ],
  preview: (_ctx, input) => ({
    summary: `Stop the automation execution ${input.executionId}`,
    changes: ['Steps still running are cancelled'],
  }),
  async handler(ctx, input) {
    const ssm = await ctx.client(ssmService);
    await ssm.send(new StopAutomationExecutionCommand({ AutomationExecutionId: input.executionId }));
    return { executionId: input.executionId };
  },
});

export const ssmOperations = [startAutomation, stopAutomation];

export const getAutomationExecution = defineOperation({
  id: 'ssm.automation.get',
  service: 'ssm',
  title: 'Get an SSM Automation execution',
  description: 'Status, outputs and failure message of one SSM Automation execution.',
  ...READ_ONLY,
  input: z.object({ executionId }).strict(),
  async handler(ctx, input): Promise<AutomationExecution> {
    const ssm = await ctx.client(ssmService);
    const result = await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: input.executionId }));
    if (!result.AutomationExecution)
      throw new Error(`GetAutomationExecution returned no execution for ${input.executionId}.`);
    return result.AutomationExecution;
  },
});

export const describeDocument = defineOperation({
  id: 'ssm.documents.describe',
  service: 'ssm',
  title: 'Describe an SSM document',
  description:
    'An SSM document (e.g. an Automation runbook): type, status, version and parameters. Fails with InvalidDocument when it does not exist.',
  ...READ_ONLY,
  input: z
    .object({
      name: documentName,
      version: z
        .string()
        .regex(/^[0-9]{1,10}$/, 'Expected a document version number.')
        .optional(),
    })
    .strict(),
  async handler(ctx, input): Promise<DocumentDescription> {
    const ssm = await ctx.client(ssmService);
    const result = await ssm.send(new DescribeDocumentCommand({ Name: input.name, DocumentVersion: input.version }));
    if (!result.Document)
      throw Object.assign(new Error(`DescribeDocument returned no document for ${input.name}.`), {
        name: 'InvalidDocument',
      });
    return result.Document;
  },
});

export const ssmReadOperations = [getAutomationExecution, describeDocument];
