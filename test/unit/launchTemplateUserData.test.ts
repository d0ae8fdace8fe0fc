// User data of launch templates: the codec, and the reveal operation that shows it to a person only.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { readAuditTrail } from '../../src/core/audit';
import { createMcpServer } from '../../src/core/agent/mcp/server';
import { allowedOperations, TOOL_SPECS } from '../../src/core/agent/toolCatalog';
import { compactReadOutput, toolResultText } from '../../src/core/agent/toolResults';
import {
  decodeUserData,
  describeUserDataSize,
  encodeUserData,
  LAUNCH_TEMPLATE_OPERATION_IDS,
  USER_DATA_MAX_BASE64_CHARS,
  USER_DATA_MAX_TEXT_BYTES,
  userDataLanguage,
  UserDataTooLargeError,
} from '../../src/core/launchTemplates';
import { createOperationRegistry, type OperationConnection } from '../../src/core/operations';
import { CALLERS } from '../../src/core/operations/types';
import { createRuntime } from '../../src/core/runtime';
import { approvingProvider, FakeAwsClient, tempDir } from '../support/operationHarness';

const REVEAL = LAUNCH_TEMPLATE_OPERATION_IDS.revealUserData;
const TEMPLATE = 'lt-0123456789abcdef0';
const SCRIPT = '#!/bin/bash\nexport DB_PASSWORD=hunter2-not-for-agents\necho "héllo wörld ✓"\n';

// eslint-disable-next-line no-control-regex -- the codec refuses text with these control characters
const CONTROL = /[\u0000-\u0008\u000e-\u001f]/;

describe('launch template user data codec', () => {
  it('round-trips any printable text, unicode and empty included (fast-check)', () => {
    const printable = fc.string({ unit: 'binary', maxLength: 400 }).filter((text) => !CONTROL.test(text));
    fc.assert(
      fc.property(printable, (text) => {
        const encoded = encodeUserData(text);
        assert.match(encoded, /^[A-Za-z0-9+/]*={0,2}$/);
        assert.equal(decodeUserData(encoded), text);
      }),
      { numRuns: 300 },
    );
    assert.equal(encodeUserData(''), '');
    assert.equal(decodeUserData(encodeUserData(SCRIPT)), SCRIPT);
  });

  it('refuses text past the AWS limit and accepts text exactly at it', () => {
    const atLimit = 'a'.repeat(USER_DATA_MAX_TEXT_BYTES);
    assert.equal(encodeUserData(atLimit).length, USER_DATA_MAX_BASE64_CHARS);
    assert.throws(() => encodeUserData(`${atLimit}b`), UserDataTooLargeError);
    // Multi-byte characters count as their UTF-8 bytes.
    assert.throws(() => encodeUserData('✓'.repeat(USER_DATA_MAX_TEXT_BYTES / 3 + 1)), /at most 12288 bytes/);
  });

  it('does not decode binary or non-canonical base64', () => {
    assert.equal(decodeUserData(Buffer.from([0x1f, 0x8b, 0x08, 0x00]).toString('base64')), undefined);
    assert.equal(decodeUserData('YQ'), undefined);
    assert.equal(decodeUserData('[REDACTED]'), undefined);
  });

  it('describes size and language without the content', () => {
    assert.equal(describeUserDataSize(SCRIPT), `3 lines, ${Buffer.byteLength(SCRIPT)} bytes`);
    assert.equal(describeUserDataSize(''), '0 lines, 0 bytes');
    assert.equal(describeUserDataSize('one'), '1 line, 3 bytes');
    assert.equal(userDataLanguage(SCRIPT), 'shellscript');
    assert.equal(userDataLanguage('#!/usr/bin/env bash\n'), 'shellscript');
    assert.equal(userDataLanguage('#cloud-config\npackages: [git]\n'), 'yaml');
    assert.equal(userDataLanguage('<powershell>\nGet-Date\n</powershell>'), 'powershell');
    assert.equal(userDataLanguage('plain'), 'plaintext');
  });
});

describe('revealing user data: a person only, never agents', function () {
  this.timeout(30_000);
  const dir = tempDir('pilot-light-userdata-');
  const auditPath = join(dir.path, 'audit.jsonl');
  const ec2 = new FakeAwsClient().on(DescribeLaunchTemplateVersionsCommand, (input) => ({
    LaunchTemplateVersions: [
      {
        LaunchTemplateId: input.LaunchTemplateId,
        VersionNumber: Number(input.Versions?.[0] ?? 1),
        LaunchTemplateData: { InstanceType: 't3.micro', UserData: encodeUserData(SCRIPT) },
      },
    ],
  }));
  const connection: OperationConnection = {
    region: 'us-east-1',
    identity: async () => ({ account: '111122223333', arn: 'arn:aws:iam::111122223333:user/person' }),
    client: async <C>() => ec2 as unknown as C,
  };
  const runtime = createRuntime({
    auditPath,
    approvalProvider: approvingProvider(),
    connection: async () => connection,
  });

  after(() => dir.cleanup());

  it('is registered as a secret-revealing read that no LM tool or MCP router may run', () => {
    const registry = createOperationRegistry();
    const descriptor = registry.describe(REVEAL);
    assert.equal(descriptor?.kind, 'read');
    assert.equal(descriptor?.revealsSecret, true);
    const revealing: string[] = registry
      .list()
      .filter((operation) => operation.revealsSecret)
      .map((operation): string => operation.id);
    assert.equal(revealing.join(', '), REVEAL);
    for (const spec of TOOL_SPECS)
      for (const id of allowedOperations(spec)) assert.ok(!revealing.includes(id), `${spec.name} must not run ${id}`);
  });

  it('returns the decoded text to the editor and audits only that it was revealed', async () => {
    const outcome = await runtime.run(
      REVEAL,
      { launchTemplateId: TEMPLATE, version: 3 },
      { caller: 'command', mode: 'execute', revealSecret: true },
    );
    assert.equal(outcome.status, 'succeeded', JSON.stringify(outcome.refusal ?? outcome.error));
    const output = outcome.output as { state: string; text: string; versionNumber: number };
    assert.equal(output.state, 'text');
    assert.equal(output.text, SCRIPT);
    assert.equal(output.versionNumber, 3);
    const records = await readAuditTrail(auditPath);
    const record = records.find((entry) => entry.correlationId === outcome.correlationId);
    assert.ok(record, 'the reveal is audited although reads are not audited by default');
    assert.deepEqual(record.result, {
      revealed: 'user data',
      launchTemplateId: TEMPLATE,
      versionNumber: 3,
      state: 'text',
      bytes: Buffer.byteLength(SCRIPT),
    });
    const line = JSON.stringify(record);
    assert.ok(!line.includes('hunter2') && !line.includes(encodeUserData(SCRIPT)), 'no content in the audit record');
  });

  it('refuses every agent caller, and a person without revealSecret; the refusal is audited without content', async () => {
    for (const caller of CALLERS) {
      for (const revealSecret of [true, false]) {
        if ((caller === 'command' || caller === 'explorer') && revealSecret) continue;
        const outcome = await runtime.run(
          REVEAL,
          { launchTemplateId: TEMPLATE, version: 1 },
          { caller, mode: 'execute', revealSecret },
        );
        assert.equal(outcome.status, 'refused', `${caller} revealSecret=${revealSecret}`);
        assert.equal(outcome.refusal?.code, 'secret-not-revealed');
        assert.equal(outcome.output, undefined);
      }
    }
    const text = JSON.stringify(await readAuditTrail(auditPath));
    assert.ok(!text.includes('hunter2'));
    assert.ok(!ec2.calls.some((call) => call.input.Versions?.toString() === '1'), 'a refused reveal reads nothing');
  });

  it('gives LM tools and MCP the version read with user data redacted', async () => {
    const outcome = await runtime.run(
      'ec2.launchTemplates.versions',
      { launchTemplateId: TEMPLATE, versions: ['3'] },
      { caller: 'lm-tool', mode: 'execute' },
    );
    assert.equal(outcome.status, 'succeeded');
    const compact = compactReadOutput(
      'ec2.launchTemplates.versions',
      outcome.output,
      'us-east-1',
      () =>
        ({
          name: 'dev',
          source: 'default',
          protected: false,
        }) as never,
    );
    const text = toolResultText({
      tool: 'pilotLight_readResources',
      status: 'succeeded',
      operation: 'ec2.launchTemplates.versions',
      summary: 'Done.',
      data: compact.data,
    });
    assert.ok(text.includes('t3.micro'), `the read itself is shown: ${text.slice(0, 400)}`);
    assert.ok(!text.includes('hunter2') && !text.includes(encodeUserData(SCRIPT)), text);
  });

  it('is neither listed by the MCP server nor runnable through its read tool', async () => {
    const server = createMcpServer({
      runtime,
      readOnly: false,
      allowRecovery: false,
      approvals: 'elicitation',
      clientLabel: 'test',
      describeConnection: async () => ({ account: '111122223333', region: 'us-east-1' }),
    });
    const client = new Client({ name: 'scripted-agent', version: '1.0.0' }, { capabilities: {} });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await server.connect(serverTransport);
    await client.connect(clientTransport);
    try {
      const { tools } = await client.listTools();
      assert.ok(tools.length > 0);
      assert.ok(!JSON.stringify(tools).includes('revealUserData'), 'no tool offers the reveal');
      for (const [name, args] of [
        ['read_resources', { operation: REVEAL, input: { launchTemplateId: TEMPLATE, version: 3 } }],
        ['plan_change', { operation: REVEAL, input: { launchTemplateId: TEMPLATE, version: 3 } }],
      ] as const) {
        const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
        const text = JSON.stringify(result);
        assert.equal(result.isError, true, `${name}: ${text.slice(0, 300)}`);
        assert.ok(!text.includes('hunter2'), `${name} carried no user data`);
      }
      const read = (await client.callTool({
        name: 'read_resources',
        arguments: {
          operation: 'ec2.launchTemplates.versions',
          input: { launchTemplateId: TEMPLATE, versions: ['3'] },
        },
      })) as CallToolResult;
      const readText = JSON.stringify(read);
      assert.ok(readText.includes('t3.micro'), readText.slice(0, 300));
      assert.ok(
        !readText.includes('hunter2') && !readText.includes(encodeUserData(SCRIPT)),
        'MCP read redacts user data',
      );
    } finally {
      await client.close();
    }
  });
});
