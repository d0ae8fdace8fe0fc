/** Launch template and DRS launch configuration changes over many source servers. */
import type { ProtectionGroup } from '../dr/model';
import type { ServerInfo } from '../dr/selection';
import type { FieldChange, LaunchTemplateData } from './delta';
import type { RunContext, RunFunction } from './editor';
import type { RecoveryFinding } from './recoveryValidation';

export interface ServerSelector {
  /** Servers carrying all these tags. */
  tags?: Record<string, string>;
  sourceServerIds?: string[];
  /** A protection group (its explicit IDs and tag selector). */
  protectionGroup?: ProtectionGroup;
}

export type BulkServer = Pick<ServerInfo, 'sourceServerId' | 'hostname' | 'tags'>;

export interface BulkChange {
  /** Launch template fields to set in a new version of each server's template. */
  templateData?: LaunchTemplateData;
  /** DRS launch configuration settings to set. */
  launchConfiguration?: { launchDisposition?: 'STOPPED' | 'STARTED'; targetInstanceTypeRightSizingMethod?: 'NONE' | 'BASIC' | 'IN_AWS'; copyPrivateIp?: boolean; copyTags?: boolean; osByol?: boolean };
  /** Make the new version the default (DRS launches the default). Default true. */
  makeDefault?: boolean;
  description?: string;
}

export interface BulkDryRunEntry {
  sourceServerId: string;
  hostname: string;
  launchTemplateId?: string;
  baseVersion?: number;
  templateChanges: FieldChange[];
  launchConfigurationChanges: FieldChange[];
  /** Findings for the server as it would be after the change. */
  findings: RecoveryFinding[];
  /** Set when the server could not be read. */
  error?: string;
}

export interface BulkDryRunReport {
  entries: BulkDryRunEntry[];
  apiCalls: number;
  apiCallsPerServer: number;
}

export interface BulkApplyEntry {
  sourceServerId: string;
  hostname: string;
  status: 'applied' | 'unchanged' | 'refused' | 'failed';
  launchTemplateId?: string;
  createdVersion?: number;
  message?: string;
}

export interface BulkApplyReport {
  change: BulkChange;
  entries: BulkApplyEntry[];
  /** The servers to pass to retryFailed. */
  failed: BulkServer[];
}

export async function selectSourceServers(run: RunFunction, context: RunContext, selector: ServerSelector): Promise<BulkServer[]> {
  void run, context, selector;
  throw new Error('not implemented yet');
}

export async function bulkDryRun(run: RunFunction, context: RunContext, servers: BulkServer[], change: BulkChange): Promise<BulkDryRunReport> {
  void run, context, servers, change;
  throw new Error('not implemented yet');
}

export async function bulkApply(run: RunFunction, context: RunContext, servers: BulkServer[], change: BulkChange): Promise<BulkApplyReport> {
  void run, context, servers, change;
  throw new Error('not implemented yet');
}

/** Applies the report's change again to the servers that failed or were refused; keeps the others' results. */
export async function retryFailed(run: RunFunction, context: RunContext, report: BulkApplyReport): Promise<BulkApplyReport> {
  void run, context, report;
  throw new Error('not implemented yet');
}
