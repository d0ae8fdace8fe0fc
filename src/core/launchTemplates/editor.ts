/** The launch template editor service: open, save (with conflict detection), default, rollback, delete. */
import type { ApprovalProvider } from '../guardrails/approval';
import type { RunOptions, RunOutcome } from '../operations/runner';
import type { Caller } from '../operations/types';
import type { FieldChange, LaunchTemplateData } from './delta';

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
  | { status: 'refused' | 'failed'; message: string; changes: FieldChange[]; outcomes: RunOutcome[]; versionNumber?: number };

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

export class LaunchTemplateEditor {
  constructor(
    private readonly run: RunFunction,
    private readonly context: RunContext,
  ) {}

  /** Template, its versions and the data of one version (default: the default version). */
  async open(ref: TemplateRef, version?: number): Promise<OpenedTemplate> {
    void ref, version, this.run, this.context;
    throw new Error('not implemented yet');
  }

  /** The data of one version and its diff text. */
  async readVersion(templateId: string, version: number): Promise<{ versionNumber: number; data: LaunchTemplateData; text: string }> {
    void templateId, version;
    throw new Error('not implemented yet');
  }

  /**
   * Re-reads LatestVersionNumber; when someone created a version since the user opened the template,
   * returns a conflict. No change creates nothing; otherwise exactly one version (optionally default).
   */
  async save(request: SaveRequest): Promise<SaveResult> {
    void request;
    throw new Error('not implemented yet');
  }

  async rollback(request: RollbackRequest): Promise<WriteResult> {
    void request;
    throw new Error('not implemented yet');
  }

  /** Deletes versions; the default version is refused before any call. */
  async deleteVersions(request: DeleteVersionsRequest): Promise<WriteResult> {
    void request;
    throw new Error('not implemented yet');
  }
}
