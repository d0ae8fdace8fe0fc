/** The launch template editor service: open, save (with conflict detection), default, rollback, delete. */
import type { ApprovalProvider } from '../guardrails/approval';
import type { RunOptions, RunOutcome } from '../operations/runner';
import type { RevealedUserData } from '../operations/ec2/launchTemplates';
import type { Caller } from '../operations/types';
import {
  changedFields,
  formatChanges,
  normalizeVersionForDiff,
  UnsupportedRemovalError,
  type FieldChange,
  type LaunchTemplateData,
} from './delta';

/** OperationRunner.run, or anything with its shape (tests, counting wrappers). */
export type RunFunction = (operationId: string, input: unknown, options: RunOptions) => Promise<RunOutcome>;

/** Who runs the calls and how changes are approved; applies to every call the service makes. */
export interface RunContext {
  caller: Caller;
  approvalProvider?: ApprovalProvider;
  region?: string;
  signal?: AbortSignal;
}

/** Exactly one of id or name. */
export interface TemplateRef {
  launchTemplateId?: string;
  launchTemplateName?: string;
}

export interface TemplateSummary {
  launchTemplateId: string;
  launchTemplateName: string;
  defaultVersion: number;
  latestVersion: number;
  tags: Record<string, string>;
}

export interface VersionSummary {
  versionNumber: number;
  description?: string;
  createdBy?: string;
  /** ISO time. */
  createdAt?: string;
  isDefault: boolean;
}

export interface OpenedTemplate {
  template: TemplateSummary;
  /** Newest first. */
  versions: VersionSummary[];
  /** The chosen version (default: the default version). User data comes back redacted by the runner. */
  selected: { versionNumber: number; data: LaunchTemplateData; text: string };
}

export interface SaveRequest {
  templateId: string;
  /** The version the user edited; the new version is created from it (SourceVersion). */
  baseVersion: number;
  /** The latest version number the user saw when they opened the template. */
  expectedLatestVersion: number;
  /** The full edited data; only the fields that differ from baseVersion are sent. */
  edited: LaunchTemplateData;
  makeDefault?: boolean;
  description?: string;
  /** 'dry-run' previews every call (guardrails evaluated, nothing changed). Default 'execute'. */
  mode?: 'dry-run' | 'execute';
}

export type SaveResult =
  | { status: 'conflict'; conflict: { latest: number; expectedLatest: number; diffText: string; latestText: string } }
  | { status: 'unchanged' }
  | { status: 'dry-run'; changes: FieldChange[]; outcomes: RunOutcome[] }
  | { status: 'saved'; versionNumber: number; madeDefault: boolean; changes: FieldChange[]; outcomes: RunOutcome[] }
  | {
      status: 'refused' | 'failed';
      message: string;
      changes: FieldChange[];
      outcomes: RunOutcome[];
      versionNumber?: number;
    };

export interface RollbackRequest {
  templateId: string;
  version: number;
  /** set-default: make `version` the default again; copy-to-new: a new version with its data, made default. */
  mode: 'set-default' | 'copy-to-new';
  runMode?: 'dry-run' | 'execute';
}

export interface DeleteVersionsRequest {
  templateId: string;
  versions: number[];
  runMode?: 'dry-run' | 'execute';
}

export interface WriteResult {
  status: 'dry-run' | 'succeeded' | 'refused' | 'failed';
  message: string;
  outcomes: RunOutcome[];
  versionNumber?: number;
}

/** Thrown when a read the editor needs was refused or failed; carries the outcome. */
export class OperationFailedError extends Error {
  constructor(readonly outcome: RunOutcome) {
    super(describeOutcome(outcome));
    this.name = 'OperationFailedError';
  }
}

export function describeOutcome(outcome: RunOutcome): string {
  if (outcome.refusal) return `${outcome.operationId} refused: ${outcome.refusal.message}`;
  if (outcome.error)
    return `${outcome.operationId} failed: ${outcome.error.code}: ${outcome.error.message}${outcome.error.hint ? ` ${outcome.error.hint}` : ''}`;
  return `${outcome.operationId}: ${outcome.status}`;
}

interface RawVersion {
  VersionNumber?: number;
  VersionDescription?: string;
  CreatedBy?: string;
  CreateTime?: string | Date;
  DefaultVersion?: boolean;
  LaunchTemplateData?: LaunchTemplateData;
}

const MAX_VERSION_PAGES = 20;

export class LaunchTemplateEditor {
  constructor(
    private readonly run: RunFunction,
    private readonly context: RunContext,
  ) {}

  private options(mode: 'dry-run' | 'execute' = 'dry-run') {
    return {
      caller: this.context.caller,
      mode,
      approvalProvider: this.context.approvalProvider,
      region: this.context.region,
      signal: this.context.signal,
    };
  }

  private async read<T>(operationId: string, input: unknown): Promise<T> {
    const outcome = await this.run(operationId, input, this.options('execute'));
    if (outcome.status !== 'succeeded') throw new OperationFailedError(outcome);
    return outcome.output as T;
  }

  /** The template's summary (IDs, default and latest version, tags). */
  async template(ref: TemplateRef): Promise<TemplateSummary> {
    if (Boolean(ref.launchTemplateId) === Boolean(ref.launchTemplateName))
      throw new Error('Give exactly one of launchTemplateId or launchTemplateName.');
    const input = ref.launchTemplateId
      ? { ids: [ref.launchTemplateId] }
      : { filters: [{ name: 'launch-template-name', values: [ref.launchTemplateName!] }] };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw SDK items, read defensively
    const page = await this.read<{ items: Array<Record<string, any>> }>('ec2.launchTemplates.list', input);
    const found = page.items[0];
    if (!found) throw new Error(`Launch template ${ref.launchTemplateId ?? ref.launchTemplateName} not found.`);
    const tags: Record<string, string> = {};
    for (const tag of (found.Tags as Array<{ Key?: string; Value?: string }>) ?? [])
      if (tag.Key) tags[tag.Key] = tag.Value ?? '';
    return {
      launchTemplateId: found.LaunchTemplateId,
      launchTemplateName: found.LaunchTemplateName,
      defaultVersion: Number(found.DefaultVersionNumber),
      latestVersion: Number(found.LatestVersionNumber),
      tags,
    };
  }

  private async versions(templateId: string): Promise<RawVersion[]> {
    const all: RawVersion[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await this.read<{ items: RawVersion[]; nextToken?: string }>('ec2.launchTemplates.versions', {
        launchTemplateId: templateId,
        maxResults: 200,
        nextToken,
      });
      all.push(...page.items);
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken && pages < MAX_VERSION_PAGES);
    return all;
  }

  /** Template, its versions and the data of one version (default: the default version). */
  async open(ref: TemplateRef, version?: number): Promise<OpenedTemplate> {
    const template = await this.template(ref);
    const raw = await this.versions(template.launchTemplateId);
    const versions = raw
      .filter((item) => typeof item.VersionNumber === 'number')
      .map((item) => ({
        versionNumber: item.VersionNumber!,
        description: item.VersionDescription || undefined,
        createdBy: item.CreatedBy || undefined,
        createdAt: item.CreateTime ? new Date(item.CreateTime).toISOString() : undefined,
        isDefault: item.VersionNumber === template.defaultVersion,
      }))
      .sort((a, b) => b.versionNumber - a.versionNumber);
    const wanted = version ?? template.defaultVersion;
    const chosen = raw.find((item) => item.VersionNumber === wanted);
    const selected = chosen
      ? {
          versionNumber: wanted,
          data: chosen.LaunchTemplateData ?? {},
          text: normalizeVersionForDiff(chosen.LaunchTemplateData),
        }
      : await this.readVersion(template.launchTemplateId, wanted);
    return { template, versions, selected };
  }

  /** The data of one version and its diff text. */
  async readVersion(
    templateId: string,
    version: number,
  ): Promise<{ versionNumber: number; data: LaunchTemplateData; text: string }> {
    const page = await this.read<{ items: RawVersion[] }>('ec2.launchTemplates.versions', {
      launchTemplateId: templateId,
      versions: [String(version)],
    });
    const found = page.items[0];
    if (!found) throw new Error(`Version ${version} of launch template ${templateId} not found.`);
    const data = found.LaunchTemplateData ?? {};
    return { versionNumber: version, data, text: normalizeVersionForDiff(data) };
  }

  /**
   * One version's user data, decoded, for the person editing the template (an explicit action: opening the
   * user data as text, or comparing versions). Runs the secret-revealing read, which the runner audits
   * without the content and refuses to agents' callers.
   */
  async revealUserData(templateId: string, version: number): Promise<RevealedUserData> {
    const outcome = await this.run(
      'ec2.launchTemplates.revealUserData',
      { launchTemplateId: templateId, version },
      { ...this.options('execute'), revealSecret: true },
    );
    if (outcome.status !== 'succeeded') throw new OperationFailedError(outcome);
    return outcome.output as RevealedUserData;
  }

  /** readVersion with the user data revealed, so the diff text shows it decoded. */
  async readVersionWithUserData(
    templateId: string,
    version: number,
  ): Promise<{ versionNumber: number; data: LaunchTemplateData; text: string }> {
    const [read, revealed] = await Promise.all([
      this.readVersion(templateId, version),
      this.revealUserData(templateId, version),
    ]);
    const data = { ...read.data };
    if (revealed.userData) data.UserData = revealed.userData;
    else delete data.UserData;
    return { versionNumber: version, data, text: normalizeVersionForDiff(data) };
  }

  /**
   * Re-reads LatestVersionNumber; when someone created a version since the user opened the template,
   * returns a conflict. No change creates nothing; otherwise exactly one version (optionally default).
   */
  async save(request: SaveRequest): Promise<SaveResult> {
    const mode = request.mode ?? 'execute';
    const template = await this.template({ launchTemplateId: request.templateId });
    if (template.latestVersion !== request.expectedLatestVersion) {
      const latest = await this.readVersion(request.templateId, template.latestVersion);
      let lines: string[];
      try {
        lines = formatChanges(changedFields(latest.data, request.edited).changes);
      } catch (error) {
        lines = [(error as Error).message];
      }
      const diffText = [
        `Version ${template.latestVersion} was created after you opened version ${request.expectedLatestVersion} as the latest.`,
        `Your edit compared with version ${template.latestVersion}:`,
        ...(lines.length ? lines.map((line) => `  ${line}`) : ['  (no difference)']),
      ].join('\n');
      return {
        status: 'conflict',
        conflict: {
          latest: template.latestVersion,
          expectedLatest: request.expectedLatestVersion,
          diffText,
          latestText: latest.text,
        },
      };
    }
    const base = await this.readVersion(request.templateId, request.baseVersion);
    let changes: FieldChange[];
    let data: LaunchTemplateData;
    try {
      ({ changes, data } = changedFields(base.data, request.edited));
    } catch (error) {
      if (error instanceof UnsupportedRemovalError)
        return { status: 'refused', message: error.message, changes: [], outcomes: [] };
      throw error;
    }
    if (!changes.length) return { status: 'unchanged' };
    const outcomes: RunOutcome[] = [];
    const created = await this.run(
      'ec2.launchTemplates.createVersion',
      {
        launchTemplateId: request.templateId,
        sourceVersion: request.baseVersion,
        launchTemplateData: data,
        versionDescription: request.description,
      },
      this.options(mode),
    );
    outcomes.push(created);
    if (mode === 'dry-run') {
      if (request.makeDefault && created.status === 'dry-run')
        outcomes.push(
          await this.run(
            'ec2.launchTemplates.setDefaultVersion',
            { launchTemplateId: request.templateId, version: template.latestVersion + 1 },
            this.options('dry-run'),
          ),
        );
      const stopped = outcomes.find((outcome) => outcome.status !== 'dry-run');
      if (stopped)
        return {
          status: stopped.status === 'refused' ? 'refused' : 'failed',
          message: describeOutcome(stopped),
          changes,
          outcomes,
        };
      return { status: 'dry-run', changes, outcomes };
    }
    if (created.status !== 'succeeded')
      return {
        status: created.status === 'refused' ? 'refused' : 'failed',
        message: describeOutcome(created),
        changes,
        outcomes,
      };
    const versionNumber = (created.output as { versionNumber: number }).versionNumber;
    if (!request.makeDefault) return { status: 'saved', versionNumber, madeDefault: false, changes, outcomes };
    const defaulted = await this.run(
      'ec2.launchTemplates.setDefaultVersion',
      { launchTemplateId: request.templateId, version: versionNumber },
      this.options('execute'),
    );
    outcomes.push(defaulted);
    if (defaulted.status !== 'succeeded')
      return {
        status: defaulted.status === 'refused' ? 'refused' : 'failed',
        message: `Version ${versionNumber} was created but not made the default: ${describeOutcome(defaulted)}`,
        changes,
        outcomes,
        versionNumber,
      };
    return { status: 'saved', versionNumber, madeDefault: true, changes, outcomes };
  }

  /** set-default makes `version` the default again; copy-to-new creates a copy of it as a new version and makes that the default. */
  async rollback(request: RollbackRequest): Promise<WriteResult> {
    const mode = request.runMode ?? 'execute';
    const outcomes: RunOutcome[] = [];
    const finish = (versionNumber?: number): WriteResult => {
      const stopped = outcomes.find((outcome) => outcome.status !== (mode === 'dry-run' ? 'dry-run' : 'succeeded'));
      if (stopped)
        return {
          status: stopped.status === 'refused' ? 'refused' : 'failed',
          message: describeOutcome(stopped),
          outcomes,
          versionNumber,
        };
      return {
        status: mode === 'dry-run' ? 'dry-run' : 'succeeded',
        message: outcomes.map((outcome) => outcome.preview?.summary ?? outcome.operationId).join('; '),
        outcomes,
        versionNumber,
      };
    };
    if (request.mode === 'set-default') {
      outcomes.push(
        await this.run(
          'ec2.launchTemplates.setDefaultVersion',
          { launchTemplateId: request.templateId, version: request.version },
          this.options(mode),
        ),
      );
      return finish(request.version);
    }
    const template = await this.template({ launchTemplateId: request.templateId });
    const created = await this.run(
      'ec2.launchTemplates.createVersion',
      {
        launchTemplateId: request.templateId,
        sourceVersion: request.version,
        launchTemplateData: {},
        versionDescription: `Copy of version ${request.version} (rollback)`,
      },
      this.options(mode),
    );
    outcomes.push(created);
    const expected = mode === 'dry-run' ? 'dry-run' : 'succeeded';
    if (created.status !== expected) return finish();
    const versionNumber =
      mode === 'dry-run' ? template.latestVersion + 1 : (created.output as { versionNumber: number }).versionNumber;
    outcomes.push(
      await this.run(
        'ec2.launchTemplates.setDefaultVersion',
        { launchTemplateId: request.templateId, version: versionNumber },
        this.options(mode),
      ),
    );
    return finish(versionNumber);
  }

  /** Deletes versions; the default version is refused before any change is attempted. */
  async deleteVersions(request: DeleteVersionsRequest): Promise<WriteResult> {
    const template = await this.template({ launchTemplateId: request.templateId });
    if (request.versions.includes(template.defaultVersion)) {
      return {
        status: 'refused',
        message: `Version ${template.defaultVersion} is the default version of ${request.templateId} and is never deleted. Make another version the default first.`,
        outcomes: [],
      };
    }
    const mode = request.runMode ?? 'execute';
    const outcome = await this.run(
      'ec2.launchTemplates.deleteVersions',
      { launchTemplateId: request.templateId, versions: request.versions },
      this.options(mode),
    );
    const ok = outcome.status === (mode === 'dry-run' ? 'dry-run' : 'succeeded');
    return {
      status: ok ? (mode === 'dry-run' ? 'dry-run' : 'succeeded') : outcome.status === 'refused' ? 'refused' : 'failed',
      message: ok ? (outcome.preview?.summary ?? 'Deleted.') : describeOutcome(outcome),
      outcomes: [outcome],
    };
  }
}
