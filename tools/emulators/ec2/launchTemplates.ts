/**
 * CreateLaunchTemplateVersion with SourceVersion, which moto 5.2.5 ignores (its new version holds only the
 * fields sent). As on AWS, the new version keeps every top-level field of the source version that the
 * request does not set: the gateway reads the source version from moto and adds its other fields to the
 * request before moto sees it. A source version that does not exist answers AWS's error, never a version.
 */
import { DescribeLaunchTemplateVersionsCommand, EC2Client, CreateLaunchTemplateVersionCommand } from '@aws-sdk/client-ec2';

const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const DATA_PREFIX = 'LaunchTemplateData.';

class Serialized extends Error {
  constructor(readonly body: string) {
    super('serialized');
  }
}

/** EC2 query parameters for LaunchTemplateData, serialized by the SDK itself (no network). */
async function serializeData(region: string, data: Record<string, unknown>): Promise<URLSearchParams> {
  const client = new EC2Client({ region, endpoint: 'http://127.0.0.1:9', credentials: CREDENTIALS, maxAttempts: 1 });
  client.middlewareStack.add(
    () => async (args) => {
      throw new Serialized(String((args.request as { body?: unknown }).body ?? ''));
    },
    { step: 'build', priority: 'low', name: 'captureSerializedBody' },
  );
  try {
    await client.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: 'lt-00000000', LaunchTemplateData: data as never }));
  } catch (error) {
    if (error instanceof Serialized) return new URLSearchParams(error.body);
    throw error;
  } finally {
    client.destroy();
  }
  throw new Error('The SDK sent a request instead of stopping after serialization.');
}

function topLevelQueryName(key: string): string | undefined {
  return key.startsWith(DATA_PREFIX) ? key.slice(DATA_PREFIX.length).split('.')[0] : undefined;
}

export function isSourceVersionCreate(params: URLSearchParams): boolean {
  return params.get('Action') === 'CreateLaunchTemplateVersion' && params.has('SourceVersion');
}

/** An EC2 query-protocol error body, as AWS sends it. */
export function ec2ErrorXml(code: string, message: string): string {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escape(code)}</Code><Message>${escape(message)}</Message></Error></Errors><RequestID>gateway-launch-templates</RequestID></Response>`;
}

/**
 * The request without SourceVersion and with the source version's other fields added, or an AWS error
 * to answer instead.
 */
export async function resolveSourceVersion(params: URLSearchParams, motoEndpoint: string, region: string): Promise<{ body: string } | { error: { status: number; code: string; message: string } }> {
  const moto = new EC2Client({ region, endpoint: motoEndpoint, credentials: CREDENTIALS, maxAttempts: 1 });
  let source: Record<string, unknown>;
  try {
    const answer = await moto.send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: params.get('LaunchTemplateId') ?? undefined, LaunchTemplateName: params.get('LaunchTemplateName') ?? undefined, Versions: [params.get('SourceVersion')!] }),
    );
    const found = answer.LaunchTemplateVersions?.[0];
    if (!found) return { error: { status: 400, code: 'InvalidLaunchTemplateVersion.NotFound', message: `Source version ${params.get('SourceVersion')} does not exist.` } };
    source = (found.LaunchTemplateData ?? {}) as Record<string, unknown>;
  } catch (error) {
    const failure = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    return { error: { status: failure.$metadata?.httpStatusCode ?? 400, code: failure.name ?? 'InvalidLaunchTemplateVersion.NotFound', message: failure.message ?? 'Source version not found.' } };
  } finally {
    moto.destroy();
  }
  const sent = new Set([...params.keys()].map(topLevelQueryName).filter((name): name is string => Boolean(name)));
  const out = new URLSearchParams(params);
  out.delete('SourceVersion');
  for (const [field, value] of Object.entries(source)) {
    if (value === undefined || value === null) continue;
    const serialized = await serializeData(region, { [field]: value });
    const entries = [...serialized.entries()].filter(([key]) => key.startsWith(DATA_PREFIX));
    if (!entries.length || sent.has(topLevelQueryName(entries[0][0])!)) continue;
    for (const [key, item] of entries) out.append(key, item);
  }
  return { body: out.toString() };
}
