import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { cliSettings, CliUsageError } from '../../src/cli/mcp';
import { workspaceSettingsLayer } from '../../src/cli/mcpTools';
import { createRuntime, readPolicyFiles } from '../../src/core/runtime';
import { tempDir } from '../support/operationHarness';

describe('pilot-light-mcp command line', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir('pilot-light-mcp-cli-')));
  afterEach(() => dir.cleanup());

  it('requires --stdio and explains the flags', async () => {
    await assert.rejects(
      cliSettings([], dir.path),
      (error: Error) => error instanceof CliUsageError && /--stdio/.test(error.message),
    );
    await assert.rejects(cliSettings(['--stdio', '--bogus'], dir.path), CliUsageError);
    assert.equal(await cliSettings(['--help'], dir.path), 'help');
  });

  it('reads a config file; flags win over it; paths are resolved', async () => {
    writeFileSync(
      join(dir.path, 'mcp.json'),
      '{ // comments allowed\n "profile": "file-profile", "region": "eu-west-1", "readOnly": true, "audit": "trail.jsonl", "workspaces": ["repo"], "guardrails": { "protectedEnvironments": ["prod", "staging"] } }',
    );
    const settings = await cliSettings(['--stdio', '--config', 'mcp.json', '--profile', 'flag-profile'], dir.path);
    assert.ok(settings !== 'help');
    assert.equal(settings.profile, 'flag-profile');
    assert.equal(settings.region, 'eu-west-1');
    assert.equal(settings.readOnly, true);
    assert.equal(settings.auditPath, join(dir.path, 'trail.jsonl'));
    assert.deepEqual(settings.workspaces, [join(dir.path, 'repo')]);
    assert.deepEqual(settings.guardrails, { protectedEnvironments: ['prod', 'staging'] });
  });

  it('the member role: flag over environment over config file, default OrganizationAccountAccessRole, checked', async () => {
    writeFileSync(join(dir.path, 'org.json'), '{ "memberRoleName": "FileRole", "externalId": "file-id" }');
    const read = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
      const settings = await cliSettings(['--stdio', ...argv], dir.path, env);
      assert.ok(settings !== 'help');
      return [settings.memberRoleName, settings.externalId];
    };
    assert.deepEqual(await read([]), ['OrganizationAccountAccessRole', undefined]);
    assert.deepEqual(await read(['--config', 'org.json']), ['FileRole', 'file-id']);
    assert.deepEqual(
      await read(['--config', 'org.json'], { PILOTLIGHT_MEMBER_ROLE: 'EnvRole', PILOTLIGHT_EXTERNAL_ID: 'env-id' }),
      ['EnvRole', 'env-id'],
    );
    assert.deepEqual(
      await read(['--config', 'org.json', '--member-role', 'FlagRole', '--external-id', 'flag-id'], {
        PILOTLIGHT_MEMBER_ROLE: 'EnvRole',
      }),
      ['FlagRole', 'flag-id'],
    );
    for (const bad of [
      ['--member-role', 'arn:aws:iam::111122223333:role/Admin'],
      ['--member-role', 'a'.repeat(65)],
      ['--external-id', 'x'],
      ['--external-id', 'has space'],
    ])
      await assert.rejects(cliSettings(['--stdio', ...bad], dir.path, {}), CliUsageError, bad.join(' '));
    assert.match(
      String(
        await cliSettings(['--stdio', '--member-role', 'bad role'], dir.path, {}).catch(
          (error: Error) => error.message,
        ),
      ),
      /not an IAM role name.*--member-role/,
    );
  });

  it('refuses a config file with unknown or mistyped fields, or that is not an object', async () => {
    for (const text of ['{"readonly": true}', '{"readOnly": "yes"}', '[1]', '{"workspaces": "repo"}', '{ broken']) {
      writeFileSync(join(dir.path, 'bad.json'), text);
      await assert.rejects(cliSettings(['--stdio', '--config', 'bad.json'], dir.path), CliUsageError, text);
    }
    await assert.rejects(cliSettings(['--stdio', '--config', 'missing.json'], dir.path), /Cannot read the config file/);
  });

  it('a workspace can only tighten: its files add protection, never remove it', async () => {
    const repo = join(dir.path, 'repo');
    mkdirSync(join(repo, '.pilotlight'), { recursive: true });
    mkdirSync(join(repo, '.vscode'), { recursive: true });
    writeFileSync(
      join(repo, '.pilotlight', 'guardrails.json'),
      JSON.stringify({ protectedEnvironments: [], maxResourcesPerOperation: 50 }),
    );
    writeFileSync(
      join(repo, '.vscode', 'settings.json'),
      '{\n  // JSONC like VS Code writes it\n  "pilotLight.guardrails": { "protectedEnvironments": ["dev"], "maxResourcesPerOperation": 4 },\n}',
    );
    const files = await readPolicyFiles([repo]);
    const layer = await workspaceSettingsLayer(repo);
    assert.ok(layer);
    const runtime = createRuntime({
      auditPath: join(dir.path, 'a.jsonl'),
      settings: { maxResourcesPerOperation: 8 },
      policyFiles: [...files, layer],
      approvalProvider: {
        id: 'x',
        kind: 'interactive',
        requestApproval: async () => ({ approved: false, reason: 'no' }),
      },
      connection: async () => {
        throw new Error('unused');
      },
    });
    assert.deepEqual([...runtime.policy.protectedEnvironments].sort(), ['dev', 'prod', 'production']);
    assert.equal(runtime.policy.maxResourcesPerOperation, 4);
  });

  it('never throws anything but a usage error on arbitrary config text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), fc.string({ maxLength: 200 })), async (text) => {
        writeFileSync(join(dir.path, 'any.json'), text);
        try {
          const settings = await cliSettings(['--stdio', '--config', 'any.json'], dir.path);
          assert.ok(settings !== 'help' && typeof settings.auditPath === 'string');
        } catch (error) {
          assert.ok(error instanceof CliUsageError, String(error));
        }
      }),
      { numRuns: 150 },
    );
  });
});
