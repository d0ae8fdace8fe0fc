// Helpers for the safety and chat host tests: approval providers, an EC2 client for the emulators,
// a throwaway audit trail, chat queries and their recorded answers.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import * as vscode from 'vscode';
import type { PilotLightTestApi } from '../../../src/extension';
import type { AuditRecord } from '../../../src/core/audit/types';
import type { ApprovalDecision, ApprovalProvider, ApprovalRequest } from '../../../src/core/guardrails/approval';
import type { PilotLightTestingApi } from '../../../src/features/shared/testingApi';
import { pickAmazonLinuxImage } from '../../../tools/seed/target';
import { pilotLight, setSetting } from './explorerWalk';

export { pilotLight, setSetting };

/** A region the sample account does not use, so the explorer tests still see it as seeded. */
export const SCRATCH_REGION = 'eu-west-1';
export const SAMPLE_REGION = 'us-east-1';

export function endpoint(): string {
  const value = process.env.PILOT_LIGHT_TEST_ENDPOINT;
  assert.ok(value, 'PILOT_LIGHT_TEST_ENDPOINT is set by the host test runner');
  return value;
}

export function ec2(region = SCRATCH_REGION): EC2Client {
  return new EC2Client({
    endpoint: endpoint(),
    region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}

export async function testing(): Promise<{ api: PilotLightTestApi; testing: PilotLightTestingApi }> {
  const api = await pilotLight();
  assert.ok(api.testing, 'the extension runs in test mode and exposes its testing API');
  return { api, testing: api.testing };
}

/** An approval provider that records every request and answers with `decide`. */
export class RecordingApprovals implements ApprovalProvider {
  readonly id = 'host-test';
  readonly kind = 'interactive' as const;
  readonly requests: ApprovalRequest[] = [];
  constructor(private readonly decide: (request: ApprovalRequest) => ApprovalDecision) {}
  async requestApproval(request: ApprovalRequest): Promise<ApprovalDecision> {
    this.requests.push(request);
    return this.decide(request);
  }
}

/** Approves like a person: types the environment name asked for. */
export const approving = () =>
  new RecordingApprovals((request) => ({
    approved: true,
    approver: 'host-test',
    typedConfirmation: request.requiredConfirmation,
  }));
/** Says no, as a person pressing Escape would. */
export const denying = () =>
  new RecordingApprovals(() => ({ approved: false, reason: 'denied by the host test', approver: 'host-test' }));
/** Approves but types the wrong environment name. */
export const mistyping = () =>
  new RecordingApprovals(() => ({ approved: true, approver: 'host-test', typedConfirmation: 'prod' }));

/** Points the audit trail at a fresh temp file for the duration of a suite. */
export async function useTempAuditTrail(): Promise<{
  path: string;
  records(): AuditRecord[];
  restore(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'pilot-light-audit-'));
  const path = join(dir, 'audit.jsonl');
  await setSetting('audit.path', path);
  return {
    path,
    records: () => {
      try {
        return readFileSync(path, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as AuditRecord);
      } catch {
        return [];
      }
    },
    restore: async () => {
      await setSetting('audit.path', undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchInstance(tags: Record<string, string>, region = SCRATCH_REGION): Promise<string> {
  const client = ec2(region);
  try {
    const imageId = await pickAmazonLinuxImage(client);
    const { Instances } = await client.send(
      new RunInstancesCommand({
        ImageId: imageId,
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [
          { ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]): Tag => ({ Key, Value })) },
        ],
      }),
    );
    return Instances![0].InstanceId!;
  } finally {
    client.destroy();
  }
}

export async function instanceStates(
  ids: string[],
  region = SCRATCH_REGION,
): Promise<Record<string, string | undefined>> {
  const client = ec2(region);
  try {
    const { Reservations } = await client.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    return Object.fromEntries(
      (Reservations ?? [])
        .flatMap((reservation) => reservation.Instances ?? [])
        .map((instance) => [instance.InstanceId!, instance.State?.Name]),
    );
  } finally {
    client.destroy();
  }
}

export async function instanceIdByName(name: string, region = SAMPLE_REGION): Promise<string> {
  const client = ec2(region);
  try {
    const { Reservations } = await client.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag:Name', Values: [name] },
          { Name: 'instance-state-name', Values: ['running', 'pending', 'stopped'] },
        ],
      }),
    );
    const id = Reservations?.[0]?.Instances?.[0]?.InstanceId;
    assert.ok(id, `instance ${name} exists in ${region}`);
    return id;
  } finally {
    client.destroy();
  }
}

export async function terminateDirectly(ids: string[], region = SCRATCH_REGION): Promise<void> {
  if (!ids.length) return;
  const client = ec2(region);
  try {
    await client.send(new TerminateInstancesCommand({ InstanceIds: ids }));
  } finally {
    client.destroy();
  }
}

/** Sends a query to the Chat view and waits for the whole answer. */
export async function ask(query: string): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.chat.open', { query, blockOnResponse: true });
}

export async function newChat(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.chat.newChat');
}

/** The last answer @aws streamed (recorded in test mode), after asking `query`. */
export async function askAws(query: string): Promise<ReturnType<PilotLightTestingApi['chatResponses']>[number]> {
  const { testing: hooks } = await testing();
  const before = hooks.chatResponses().length;
  await ask(query);
  const responses = hooks.chatResponses();
  assert.ok(responses.length > before, `@aws answered "${query}"`);
  return responses[responses.length - 1];
}

/** Markdown with backslash escapes removed, for matching names. */
export function plain(markdown: string): string {
  return markdown.replace(/\\([\\`*_{}[\]()<>#|!~])/g, '$1');
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
