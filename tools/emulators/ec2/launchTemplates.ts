/**
 * CreateLaunchTemplateVersion with SourceVersion, which moto 5.2.5 ignores (its new version holds only the
 * fields sent). As on AWS, the new version keeps every top-level field of the source version that the
 * request does not set: the gateway reads the source version from moto and adds its other fields to the
 * request before moto sees it. A source version that does not exist answers AWS's error, never a version.
 */
import {
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  CreateLaunchTemplateVersionCommand,
} from '@aws-sdk/client-ec2';

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
    await client.send(
      new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: 'lt-00000000', LaunchTemplateData: data as never }),
    );
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
export async function resolveSourceVersion(
  params: URLSearchParams,
  motoEndpoint: string,
  region: string,
): Promise<{ body: string } | { error: { status: number; code: string; message: string } }> {
  const moto = new EC2Client({ region, endpoint: motoEndpoint, credentials: CREDENTIALS, maxAttempts: 1 });
  let source: Record<string, unknown>;
  try {
    const answer = await moto.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: params.get('LaunchTemplateId') ?? undefined,
        LaunchTemplateName: params.get('LaunchTemplateName') ?? undefined,
        Versions: [params.get('SourceVersion')!],
      }),
    );
    const found = answer.LaunchTemplateVersions?.[0];
    if (!found)
      return {
        error: {
          status: 400,
          code: 'InvalidLaunchTemplateVersion.NotFound',
          message: `Source version ${params.get('SourceVersion')} does not exist.`,
        },
      };
    source = (found.LaunchTemplateData ?? {}) as Record<string, unknown>;
  } catch (error) {
    const failure = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    return {
      error: {
        status: failure.$metadata?.httpStatusCode ?? 400,
        code: failure.name ?? 'InvalidLaunchTemplateVersion.NotFound',
        message: failure.message ?? 'Source version not found.',
      },
    };
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

/**
 * DeleteLaunchTemplateVersions, which moto 5.2.5 lacks. The gateway keeps the deleted version numbers per
 * template: it answers the delete as AWS does (the default version and unknown versions fail per version),
 * leaves deleted versions out of DescribeLaunchTemplateVersions answers, and answers NotFound when a request
 * names one (DescribeLaunchTemplateVersions, SourceVersion, ModifyLaunchTemplate). Moto still holds them.
 */
export class LaunchTemplateVersionDeletions {
  private readonly deleted = new Map<string, Set<number>>();

  get active(): boolean {
    return this.deleted.size > 0;
  }

  reset(): void {
    this.deleted.clear();
  }

  private isDeleted(templateId: string | null, version: string | null): boolean {
    return Boolean(
      templateId && version && /^\d+$/.test(version) && this.deleted.get(templateId)?.has(Number(version)),
    );
  }

  /** The NotFound error to answer when the request names a deleted version, if it does. */
  namedDeletedVersion(params: URLSearchParams): { status: number; code: string; message: string } | undefined {
    const templateId = params.get('LaunchTemplateId');
    const action = params.get('Action');
    const named =
      action === 'DescribeLaunchTemplateVersions'
        ? [...params.entries()].filter(([key]) => /^LaunchTemplateVersion\.\d+$/.test(key)).map(([, value]) => value)
        : action === 'CreateLaunchTemplateVersion'
          ? [params.get('SourceVersion')]
          : action === 'ModifyLaunchTemplate'
            ? [params.get('SetDefaultVersion')]
            : [];
    const hit = named.find((version) => this.isDeleted(templateId, version));
    return hit
      ? {
          status: 400,
          code: 'InvalidLaunchTemplateVersion.NotFound',
          message: `Could not find launch template version ${hit} for launch template with ID ${templateId}.`,
        }
      : undefined;
  }

  /** Removes the deleted versions' items from a DescribeLaunchTemplateVersions answer. */
  filterDescribeAnswer(xml: string): string {
    if (!this.active) return xml;
    const open = xml.indexOf('<launchTemplateVersionSet>');
    const close = xml.lastIndexOf('</launchTemplateVersionSet>');
    if (open < 0 || close < 0) return xml;
    const inner = xml.slice(open + '<launchTemplateVersionSet>'.length, close);
    const kept: string[] = [];
    let depth = 0;
    let start = -1;
    const tags = /<(\/?)item>/g;
    for (let match = tags.exec(inner); match; match = tags.exec(inner)) {
      if (!match[1]) {
        if (depth === 0) start = match.index;
        depth += 1;
      } else if (--depth === 0 && start >= 0) {
        const item = inner.slice(start, match.index + match[0].length);
        const templateId = /<launchTemplateId>([^<]+)<\/launchTemplateId>/.exec(item)?.[1] ?? null;
        const version = /<versionNumber>(\d+)<\/versionNumber>/.exec(item)?.[1] ?? null;
        if (!this.isDeleted(templateId, version)) kept.push(item);
      }
    }
    return `${xml.slice(0, open)}<launchTemplateVersionSet>${kept.join('')}${xml.slice(close)}`;
  }

  /** Answers DeleteLaunchTemplateVersions from moto's view of the template. */
  async delete(
    params: URLSearchParams,
    motoEndpoint: string,
    region: string,
  ): Promise<{ status: number; xml: string }> {
    const moto = new EC2Client({ region, endpoint: motoEndpoint, credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      const { DescribeLaunchTemplatesCommand } = await import('@aws-sdk/client-ec2');
      let template;
      try {
        const answer = await moto.send(
          new DescribeLaunchTemplatesCommand({
            LaunchTemplateIds: params.get('LaunchTemplateId') ? [params.get('LaunchTemplateId')!] : undefined,
            LaunchTemplateNames: params.get('LaunchTemplateName') ? [params.get('LaunchTemplateName')!] : undefined,
          }),
        );
        template = answer.LaunchTemplates?.[0];
      } catch (error) {
        const failure = error as { name?: string; message?: string };
        return {
          status: 400,
          xml: ec2ErrorXml(
            failure.name ?? 'InvalidLaunchTemplateId.NotFound',
            failure.message ?? 'Launch template not found.',
          ),
        };
      }
      if (!template?.LaunchTemplateId)
        return { status: 400, xml: ec2ErrorXml('InvalidLaunchTemplateId.NotFound', 'Launch template not found.') };
      const id = template.LaunchTemplateId;
      const name = template.LaunchTemplateName ?? '';
      const versions = [...params.entries()]
        .filter(([key]) => /^LaunchTemplateVersion\.\d+$/.test(key))
        .map(([, value]) => value);
      if (!versions.length)
        return {
          status: 400,
          xml: ec2ErrorXml('MissingParameter', 'The request must contain the parameter LaunchTemplateVersion.'),
        };
      const deleted = this.deleted.get(id) ?? new Set<number>();
      const ok: number[] = [];
      const failed: Array<{ version: string; code: string; message: string }> = [];
      for (const version of versions) {
        const number = Number(version);
        if (!/^\d+$/.test(version) || number < 1 || number > (template.LatestVersionNumber ?? 0) || deleted.has(number))
          failed.push({
            version,
            code: 'launchTemplateVersionDoesNotExist',
            message: 'The specified launch template version does not exist.',
          });
        else if (number === template.DefaultVersionNumber)
          failed.push({
            version,
            code: 'launchTemplateVersionIsDefault',
            message: 'The default version of a launch template cannot be deleted.',
          });
        else {
          deleted.add(number);
          ok.push(number);
        }
      }
      if (deleted.size) this.deleted.set(id, deleted);
      const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
      const xml = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<DeleteLaunchTemplateVersionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>gateway-launch-templates</requestId>',
        `<successfullyDeletedLaunchTemplateVersionSet>${ok.map((number) => `<item><launchTemplateId>${id}</launchTemplateId><launchTemplateName>${escape(name)}</launchTemplateName><versionNumber>${number}</versionNumber></item>`).join('')}</successfullyDeletedLaunchTemplateVersionSet>`,
        `<unsuccessfullyDeletedLaunchTemplateVersionSet>${failed.map((item) => `<item><launchTemplateId>${id}</launchTemplateId><launchTemplateName>${escape(name)}</launchTemplateName><versionNumber>${escape(item.version)}</versionNumber><responseError><code>${item.code}</code><message>${escape(item.message)}</message></responseError></item>`).join('')}</unsuccessfullyDeletedLaunchTemplateVersionSet>`,
        '</DeleteLaunchTemplateVersionsResponse>',
      ].join('');
      return { status: 200, xml };
    } finally {
      moto.destroy();
    }
  }
}

/**
 * DescribeLaunchTemplateVersions without a template ID or name ($Default and/or $Latest of every template):
 * AWS pages it (MaxResults 1–200, NextToken); moto 5.2.5 cuts the list at MaxResults (default 15) and sends
 * no NextToken. The gateway asks moto for the whole list once, answers its first page with a NextToken, and
 * serves the later pages from that list (a cursor, as a token is on AWS; moto's answer for 1,000 versions takes
 * seconds, so asking it again per page would make the emulator, not the extension, the cost). A token whose
 * list was dropped (after 5 minutes, or beyond 20 lists) is served from a fresh list at the same offset.
 */
export const ACCOUNT_WIDE_VERSIONS_PAGE = 200;
const ALL_OF_MOTO = '1000000';
const CURSOR_TTL_MS = 5 * 60_000;
const MAX_CURSORS = 20;

type PageRequest = { offset: number; pageSize: number; cursor?: string };

export function isAccountWideVersionsDescribe(params: URLSearchParams): boolean {
  return (
    params.get('Action') === 'DescribeLaunchTemplateVersions' &&
    !params.get('LaunchTemplateId') &&
    !params.get('LaunchTemplateName')
  );
}

/** The top-level <item>…</item> elements of a set's inner XML. */
function splitItems(inner: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = -1;
  const tags = /<(\/?)item>/g;
  for (let match = tags.exec(inner); match; match = tags.exec(inner)) {
    if (!match[1]) {
      if (depth === 0) start = match.index;
      depth += 1;
    } else if (--depth === 0 && start >= 0) items.push(inner.slice(start, match.index + match[0].length));
  }
  return items;
}

interface VersionList {
  head: string;
  items: string[];
  tail: string;
  expiresAt: number;
}

export class AccountWideVersionPages {
  private readonly lists = new Map<string, VersionList>();
  private sequence = 0;

  /** What to do with a request: an AWS error, a page served from a kept list, or moto's whole list to ask for. */
  plan(
    params: URLSearchParams,
  ):
    | { error: { status: number; code: string; message: string } }
    | { xml: string }
    | { body: string; request: PageRequest } {
    const max = params.get('MaxResults');
    const pageSize = max === null ? ACCOUNT_WIDE_VERSIONS_PAGE : Number(max);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 200)
      return {
        error: {
          status: 400,
          code: 'InvalidParameterValue',
          message: `Value (${max}) for parameter maxResults is invalid. Expecting a value between 1 and 200.`,
        },
      };
    let request: PageRequest = { offset: 0, pageSize };
    const token = params.get('NextToken');
    if (token) {
      const decoded = /^lt-page-(\d{1,9})-(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
      if (!decoded)
        return { error: { status: 400, code: 'InvalidNextToken', message: 'The specified token is invalid.' } };
      request = { cursor: decoded[1], offset: Number(decoded[2]), pageSize };
      this.expire();
      const kept = this.lists.get(decoded[1]);
      if (kept) return { xml: this.page(decoded[1], kept, request) };
    }
    const out = new URLSearchParams(params);
    out.delete('NextToken');
    out.set('MaxResults', ALL_OF_MOTO);
    return { body: out.toString(), request };
  }

  /** Keeps moto's whole answer and answers the requested page of it. */
  fromMoto(xml: string, request: PageRequest): string {
    const open = xml.indexOf('<launchTemplateVersionSet>');
    const close = xml.lastIndexOf('</launchTemplateVersionSet>');
    if (open < 0 || close < 0) return xml;
    const list: VersionList = {
      head: xml.slice(0, open),
      items: splitItems(xml.slice(open + '<launchTemplateVersionSet>'.length, close)),
      tail: xml.slice(close + '</launchTemplateVersionSet>'.length).replace(/<nextToken>[^<]*<\/nextToken>/, ''),
      expiresAt: Date.now() + CURSOR_TTL_MS,
    };
    const cursor = String(++this.sequence);
    this.lists.set(cursor, list);
    while (this.lists.size > MAX_CURSORS) this.lists.delete(this.lists.keys().next().value!);
    return this.page(cursor, list, request);
  }

  reset(): void {
    this.lists.clear();
  }

  private page(cursor: string, list: VersionList, request: PageRequest): string {
    const end = request.offset + request.pageSize;
    const next =
      end < list.items.length
        ? `<nextToken>${Buffer.from(`lt-page-${cursor}-${end}`, 'utf8').toString('base64url')}</nextToken>`
        : '';
    return `${list.head}<launchTemplateVersionSet>${list.items.slice(request.offset, end).join('')}</launchTemplateVersionSet>${next}${list.tail}`;
  }

  private expire(): void {
    const now = Date.now();
    for (const [cursor, list] of this.lists) if (list.expiresAt < now) this.lists.delete(cursor);
  }
}
