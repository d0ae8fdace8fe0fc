// Helpers for the disaster-recovery host tests: files in the test workspace, approvals, emulator access.
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  DescribeJobsCommand,
  DescribeSourceServersCommand,
  DrsClient,
  GetLaunchConfigurationCommand,
  type Job,
} from '@aws-sdk/client-drs';
import * as vscode from 'vscode';
import type { PilotLightTestApi } from '../../../src/extension';
import type { RunState } from '../../../src/core/dr/state';
import type { ApprovalProvider } from '../../../src/core/guardrails/approval';
import { DrsEmulatorAdmin } from '../../../tools/emulators/drs/adminClient';
import { eventually, pilotLight } from './explorerWalk';

export { eventually, pilotLight };

export function emulatorEndpoint(): string {
  const endpoint = process.env.PILOT_LIGHT_TEST_ENDPOINT;
  assert.ok(endpoint, 'PILOT_LIGHT_TEST_ENDPOINT is set by the host test runner');
  return endpoint;
}

export const admin = (): DrsEmulatorAdmin => new DrsEmulatorAdmin(emulatorEndpoint());

export function drsClient(): DrsClient {
  return new DrsClient({
    endpoint: emulatorEndpoint(),
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workbench opens a workspace folder');
  return folder.uri.fsPath;
}

/** Writes a file under the workspace's .pilotlight/dr/ and returns its path. */
export function writeDrFile(relative: string, text: string): string {
  const path = join(workspaceRoot(), '.pilotlight', 'dr', relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

export function removeDrFiles(paths: string[]): void {
  for (const path of paths) rmSync(path, { force: true });
}

export function groupYaml(name: string, role: string): string {
  return `schemaVersion: 2\nkind: ProtectionGroup\nname: ${name}\nregion: us-east-1\nselection:\n  tags: { Role: ${role} }\n`;
}

/**
 * Guardrails protect the sample account (Environment=production): every drill asks for an approval.
 * The tests approve through the safety core's override, echoing the typed confirmation as a person would.
 */
export function approveEverything(api: PilotLightTestApi): {
  requests: { operation: string; confirmation?: string }[];
} {
  const requests: { operation: string; confirmation?: string }[] = [];
  const provider: ApprovalProvider = {
    id: 'host-test',
    kind: 'interactive',
    async requestApproval(request) {
      requests.push({ operation: request.operationTitle, confirmation: request.requiredConfirmation });
      return { approved: true, approver: 'host-test', typedConfirmation: request.requiredConfirmation };
    },
  };
  api.ctx!.safety.approvalOverride = provider; // the DR gateway's approvals (src/features/dr/gatewayFactory.ts)
  api.testing?.setApprovalProvider(provider); // the shared operation service's, for any other change
  return { requests };
}

export function stopApproving(api: PilotLightTestApi): void {
  api.ctx!.safety.approvalOverride = undefined;
  api.testing?.setApprovalProvider(undefined);
}

export async function sourceServerIds(role: string): Promise<string[]> {
  const drs = drsClient();
  try {
    const { items = [] } = await drs.send(new DescribeSourceServersCommand({ filters: {} }));
    return items.filter((server) => server.tags?.Role === role).map((server) => server.sourceServerID!);
  } finally {
    drs.destroy();
  }
}

/** DRS jobs started for one run (the runner tags its jobs with PilotLightRunId). */
export async function jobsOfRun(runId: string): Promise<Job[]> {
  const drs = drsClient();
  try {
    const { items = [] } = await drs.send(new DescribeJobsCommand({ filters: {} }));
    return items.filter((job) => job.tags?.PilotLightRunId === runId);
  } finally {
    drs.destroy();
  }
}

export async function startRecoveryCalls(): Promise<number> {
  return (await admin().stats()).operations.StartRecovery ?? 0;
}

/** The run's live state as the extension sees it. */
export async function runState(api: PilotLightTestApi, runId: string): Promise<RunState | undefined> {
  return (await api.dr.services.manager()).get(runId)?.state;
}

export async function untilRun(
  api: PilotLightTestApi,
  runId: string,
  what: string,
  predicate: (state: RunState) => boolean,
  timeoutMs = 60_000,
): Promise<RunState> {
  return eventually(
    what,
    async () => {
      const state = await runState(api, runId);
      return state && predicate(state) ? state : undefined;
    },
    timeoutMs,
  );
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)),
    ),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Registers source servers for `roles` in a non-protected environment (Environment=staging), launching
 * from the sample account's launch template: drills of them need no approval under the default guardrails.
 */
export async function seedStagingServers(prefix: string, roles: string[]): Promise<void> {
  const [sample] = await sourceServerIds('db');
  const drs = drsClient();
  let templateId: string | undefined;
  try {
    templateId = (await drs.send(new GetLaunchConfigurationCommand({ sourceServerID: sample }))).ec2LaunchTemplateID;
  } finally {
    drs.destroy();
  }
  assert.ok(templateId, 'the sample db server has a launch template');
  await admin().seedSourceServers(
    roles.map((role) => ({
      hostname: `${prefix}-${role}-1`,
      tags: { Role: `${prefix}-${role}`, Environment: 'staging' },
      ec2LaunchTemplateID: templateId,
    })),
  );
}
