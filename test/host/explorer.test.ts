import * as assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { childrenOf, label, pilotLight as api, setSetting, walk } from './support/explorerWalk';

describe('AWS explorer in the extension host', function () {
  this.timeout(60_000);

  it('lists the three emulated EC2 instances with their IDs and states', async () => {
    const { explorer } = await api();
    const [root] = await childrenOf(explorer);
    assert.match(String(root.getTreeItem().description), /^\d{12}$/, 'profile root shows the account id');
    const instances = await walk(explorer, ['us-east-1', 'EC2', 'Instances']);
    const labels = instances.map(label).sort();
    assert.deepEqual(labels, ['app-1', 'db-1', 'web-1']);
    for (const instance of instances) {
      const description = String(instance.getTreeItem().description);
      assert.match(description, /i-[0-9a-f]+/, 'description carries the instance id');
      assert.match(description, /running|pending/, 'description carries the state');
      assert.ok(instance.getTreeItem().iconPath instanceof vscode.ThemeIcon, 'has a state icon');
    }
  });

  it('lists the DRS source servers with hostname and replication state', async () => {
    const { explorer } = await api();
    const servers = await walk(explorer, ['us-east-1', 'DRS', 'Source servers']);
    assert.equal(servers.length, 3, `three source servers, got ${servers.map(label).join(', ')}`);
    for (const server of servers) {
      assert.match(label(server), /web|app|db/);
      assert.match(String(server.getTreeItem().description), /CONTINUOUS/);
    }
  });

  it('re-roots the tree when the profile changes, without a reload', async () => {
    const { explorer } = await api();
    const configFile = process.env.AWS_CONFIG_FILE;
    assert.ok(configFile, 'the test runner points AWS_CONFIG_FILE at a throwaway file');
    const original = await readFile(configFile, 'utf8').catch(() => '');
    try {
      await appendFile(
        configFile,
        '\n[profile secondary]\nregion = eu-west-1\naws_access_key_id = testing\naws_secret_access_key = testing\n',
      );
      await setSetting('region', undefined);
      await setSetting('profile', 'secondary');
      const [root] = await childrenOf(explorer);
      assert.equal(label(root), 'secondary');
      const regions = await childrenOf(explorer, root);
      assert.deepEqual(regions.map(label), ['eu-west-1'], 'region comes from the new profile');
    } finally {
      await setSetting('profile', undefined);
      await setSetting('region', 'us-east-1');
      await writeFile(configFile, original);
    }
    const [root] = await childrenOf(explorer);
    assert.notEqual(label(root), 'secondary');
  });

  it('shows the welcome view, not an empty tree or an exception, for a profile without credentials', async () => {
    const { explorer } = await api();
    try {
      await setSetting('profile', 'does-not-exist');
      const roots = await childrenOf(explorer);
      assert.deepEqual(roots, []);
      assert.equal(explorer.needsCredentials, true);
    } finally {
      await setSetting('profile', undefined);
    }
    const roots = await childrenOf(explorer);
    assert.equal(roots.length, 1);
    assert.equal(explorer.needsCredentials, false);
  });

  it('offers "Sign in" for an SSO profile whose token is missing, with the specific error beside it', async () => {
    const { explorer } = await api();
    const configFile = process.env.AWS_CONFIG_FILE;
    assert.ok(configFile);
    const original = await readFile(configFile, 'utf8').catch(() => '');
    try {
      await appendFile(
        configFile,
        '\n[profile corp-sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\nregion = us-east-1\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n',
      );
      await setSetting('profile', 'corp-sso');
      const roots = await childrenOf(explorer);
      assert.deepEqual(roots.map(label)[0], 'Sign in to AWS (profile corp-sso)');
      const signIn = roots[0].getTreeItem();
      assert.equal(signIn.command?.command, 'pilotLight.signIn');
      assert.deepEqual(signIn.command?.arguments, ['corp-sso']);
      assert.equal(roots[1].getTreeItem().contextValue, 'pilotLight.error');
      assert.match(
        String((roots[1].getTreeItem().tooltip as vscode.MarkdownString).value),
        /aws sso login --profile corp-sso/,
      );
    } finally {
      await setSetting('profile', undefined);
      await writeFile(configFile, original);
    }
  });

  it('shows an error node with the AWS error code when the endpoint is unreachable, and recovers on retry', async () => {
    const { explorer } = await api();
    const workingEndpoint = vscode.workspace.getConfiguration('pilotLight').get<string>('endpointUrl');
    try {
      await setSetting('endpointUrl', 'http://127.0.0.1:9');
      const [root] = await childrenOf(explorer);
      const item = root.getTreeItem();
      assert.equal(item.contextValue, 'pilotLight.error');
      assert.match(String(item.label), /ECONNREFUSED/);
      assert.equal(item.command?.command, 'pilotLight.explorer.retry');
    } finally {
      await setSetting('endpointUrl', workingEndpoint);
    }
    const [root] = await childrenOf(explorer);
    assert.equal(root.getTreeItem().contextValue, 'pilotLight.profile');
  });
});
