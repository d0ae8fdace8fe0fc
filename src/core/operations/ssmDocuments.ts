import { ListDocumentsCommand, type DocumentIdentifier } from '@aws-sdk/client-ssm';
import { z } from 'zod';
import { ssmService } from '../aws/services';
import { defineOperation, READ_ONLY } from './define';

/** SSM documents of one type (Automation by default): the runbooks a recovery plan's actions can start. */
export const listDocuments = defineOperation({
  id: 'ssm.documents.list',
  service: 'ssm',
  title: 'List SSM documents',
  description:
    'SSM documents of a type (Automation by default), owned by the account or shared: names, versions and owners.',
  ...READ_ONLY,
  input: z
    .object({
      documentType: z.enum(['Automation', 'Command']).optional(),
      owner: z.enum(['Self', 'Amazon', 'Public', 'All']).optional(),
      maxResults: z.number().int().min(1).max(50).optional(),
      nextToken: z.string().max(4096).optional(),
    })
    .strict(),
  async handler(ctx, input): Promise<{ items: DocumentIdentifier[]; nextToken?: string }> {
    const ssm = await ctx.client(ssmService);
    const result = await ssm.send(
      new ListDocumentsCommand({
        Filters: [
          { Key: 'DocumentType', Values: [input.documentType ?? 'Automation'] },
          ...(input.owner && input.owner !== 'All' ? [{ Key: 'Owner', Values: [input.owner] }] : []),
        ],
        MaxResults: input.maxResults ?? 50,
        NextToken: input.nextToken,
      }),
    );
    return { items: result.DocumentIdentifiers ?? [], nextToken: result.NextToken || undefined };
  },
});

export const ssmDocumentOperations = [listDocuments];
