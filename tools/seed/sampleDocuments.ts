/**
 * The sample recovery plan's SSM Automation documents (samples/recovery-plan/ssm/<Name>.yaml), registered in
 * the emulated account under their file names, as a user would with `aws ssm create-document`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateDocumentCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { SeedTarget } from './target';

export const SAMPLE_DOCUMENTS_DIR = join('samples', 'recovery-plan', 'ssm');

/** Creates every sample document; returns their names. */
export async function seedSampleDocuments(target: SeedTarget, repoRoot: string): Promise<string[]> {
  const dir = join(repoRoot, SAMPLE_DOCUMENTS_DIR);
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort();
  const ssm = new SSMClient({
    region: target.region,
    endpoint: target.endpoint,
    credentials: target.credentials,
    maxAttempts: 3,
  });
  try {
    const names: string[] = [];
    for (const file of files) {
      const name = file.slice(0, -'.yaml'.length);
      await ssm.send(
        new CreateDocumentCommand({
          Name: name,
          DocumentType: 'Automation',
          DocumentFormat: 'YAML',
          Content: readFileSync(join(dir, file), 'utf8'),
        }),
      );
      names.push(name);
    }
    return names;
  } finally {
    ssm.destroy();
  }
}
