import * as assert from 'assert';
import * as vscode from 'vscode';

const EXTENSION_ID = 'pilot-light.pilot-light';
const COMMAND_PREFIX = 'pilotLight.';

interface ContributedCommand {
  command: string;
}

function pilotLight(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not loaded in this VS Code`);
  return extension;
}

describe('Pilot Light in a real VS Code extension host', () => {
  it('is loaded', () => {
    assert.strictEqual(pilotLight().id, EXTENSION_ID);
  });

  it('activates', async () => {
    const extension = pilotLight();
    await extension.activate();
    assert.strictEqual(extension.isActive, true);
  });

  it('registers its commands', async () => {
    await pilotLight().activate();
    const registered = new Set(await vscode.commands.getCommands(true));
    const ours = [...registered].filter((id) => id.startsWith(COMMAND_PREFIX));
    assert.ok(ours.length > 0, `no ${COMMAND_PREFIX}* command is registered`);

    const contributed: ContributedCommand[] = pilotLight().packageJSON.contributes?.commands ?? [];
    const notRegistered = contributed.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepStrictEqual(notRegistered, [], 'contributed commands without a registered handler');
  });

  it('is pointed at loopback, never at real AWS', () => {
    const endpointUrl = vscode.workspace.getConfiguration('pilotLight').get<string>('endpointUrl');
    assert.ok(endpointUrl, 'pilotLight.endpointUrl is not set for the test workbench');
    assert.strictEqual(new URL(endpointUrl).hostname, '127.0.0.1');
    if (process.env.PILOT_LIGHT_TEST_ENDPOINT) {
      assert.strictEqual(endpointUrl, process.env.PILOT_LIGHT_TEST_ENDPOINT);
    }
    assert.strictEqual(process.env.AWS_ACCESS_KEY_ID, 'testing');
  });
});
