// The AWS Organization below a profile root: OUs → accounts (name, ID, environment from its tag) → regions →
// services, each member account read through its assumed role. The organization lives in its own (emulated)
// management account, so the default account used by the other tests stays outside any organization.
import * as assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateAccountAliasCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import * as vscode from 'vscode';
import { prepareToolCall } from '../../src/core/agent/toolInvocation';
import { toolSpec } from '../../src/core/agent/toolCatalog';
import { OrganizationsClient, organizationsCommand } from '../../src/core/aws/organizationsService';
import type { ExplorerNode } from '../../src/features/explorer/nodes';
import { pickAmazonLinuxImage } from '../../tools/seed/target';
import { childrenOf, label } from './support/explorerWalk';
import type { InteractiveRunResult } from '../../src/features/shared/interactiveRun';
import {
  approving,
  askAws,
  endpoint,
  newChat,
  plain,
  SAMPLE_REGION,
  setSetting,
  testing,
  waitFor,
} from './support/safety';

const MANAGEMENT_ACCOUNT = '222222222222';
const PROFILE = 'org-management';

async function assume(
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  account: string,
  role: string,
) {
  const sts = new STSClient({ endpoint: endpoint(), region: SAMPLE_REGION, credentials });
  try {
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${role}`, RoleSessionName: 'host-test' }),
    );
    return {
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretAccessKey!,
      sessionToken: Credentials!.SessionToken!,
    };
  } finally {
    sts.destroy();
  }
}

describe('AWS explorer: the organization tree', function () {
  this.timeout(120_000);
  let configFile: string;
  let originalConfig: string;
  let prodAccount: string;
  let prodInstance: string;
  let managementCredentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

  before(async () => {
    configFile = process.env.AWS_CONFIG_FILE!;
    assert.ok(configFile, 'the test runner points AWS_CONFIG_FILE at a throwaway file');
    originalConfig = await readFile(configFile, 'utf8').catch(() => '');
    const management = await assume(
      { accessKeyId: 'testing', secretAccessKey: 'testing' },
      MANAGEMENT_ACCOUNT,
      'org-admin',
    );
    managementCredentials = management;
    const organizations = new OrganizationsClient({
      region: SAMPLE_REGION,
      endpoint: endpoint(),
      credentials: async () => ({ ...management }),
    });
    await organizations.send(organizationsCommand('CreateOrganization', { FeatureSet: 'ALL' }));
    const rootId = ((await organizations.send(organizationsCommand('ListRoots', {}))).Roots as Array<{ Id: string }>)[0]
      .Id;
    const unit = await organizations.send(
      organizationsCommand('CreateOrganizationalUnit', { ParentId: rootId, Name: 'Workloads' }),
    );
    const unitId = (unit.OrganizationalUnit as { Id: string }).Id;
    const created = await organizations.send(
      organizationsCommand('CreateAccount', {
        AccountName: 'prod-app',
        Email: 'prod-app@example.com',
        Tags: [{ Key: 'Environment', Value: 'production' }],
      }),
    );
    prodAccount = (created.CreateAccountStatus as { AccountId: string }).AccountId;
    await organizations.send(
      organizationsCommand('MoveAccount', {
        AccountId: prodAccount,
        SourceParentId: rootId,
        DestinationParentId: unitId,
      }),
    );
    const member = await assume(management, prodAccount, 'OrganizationAccountAccessRole');
    const ec2 = new EC2Client({ endpoint: endpoint(), region: SAMPLE_REGION, credentials: member });
    const iam = new IAMClient({ endpoint: endpoint(), region: SAMPLE_REGION, credentials: member });
    try {
      await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'acme-prod-app' }));
    } finally {
      iam.destroy();
    }
    try {
      const launched = await ec2.send(
        new RunInstancesCommand({
          ImageId: await pickAmazonLinuxImage(ec2),
          InstanceType: 't3.micro',
          MinCount: 1,
          MaxCount: 1,
          TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'prod-app-web' }] }],
        }),
      );
      prodInstance = launched.Instances![0].InstanceId!;
    } finally {
      ec2.destroy();
    }
    await appendFile(
      configFile,
      `\n[profile ${PROFILE}]\nregion = ${SAMPLE_REGION}\naws_access_key_id = ${management.accessKeyId}\naws_secret_access_key = ${management.secretAccessKey}\naws_session_token = ${management.sessionToken}\n`,
    );
  });

  after(async () => {
    await vscode.workspace
      .getConfiguration('pilotLight.explorer')
      .update('profiles', undefined, vscode.ConfigurationTarget.Global);
    await writeFile(configFile, originalConfig);
  });

  it("shows OUs, accounts with their environment, and a member account's instances through its assumed role", async () => {
    const { api } = await testing();
    const { explorer } = api;
    await vscode.workspace
      .getConfiguration('pilotLight.explorer')
      .update('profiles', [PROFILE], vscode.ConfigurationTarget.Global);
    const root = await waitFor('the management profile root', async () =>
      (await childrenOf(explorer)).find((node) => label(node) === PROFILE),
    );
    const organization = await waitFor('the Organization node', async () =>
      (await childrenOf(explorer, root)).find((node) => label(node) === 'Organization'),
    );
    const active = (await childrenOf(explorer))[0];
    assert.ok(
      !(await childrenOf(explorer, active)).some((node) => label(node) === 'Organization'),
      'the active profile, outside any organization, shows no Organization node',
    );
    const top = await childrenOf(explorer, organization);
    assert.ok(top.some((node) => label(node) === 'Service control policies'));
    const workloads = top.find((node) => label(node) === 'Workloads');
    assert.ok(workloads, `the OU is shown: ${top.map(label).join(', ')}`);
    const management = top.find((node) => String(node.getTreeItem().description).startsWith(MANAGEMENT_ACCOUNT));
    assert.ok(management, 'the management account is shown under the root');
    const accounts = await childrenOf(explorer, workloads);
    const prod = accounts.find((node) => label(node) === 'prod-app') as ExplorerNode;
    assert.ok(prod, `the account is in its OU: ${accounts.map(label).join(', ')}`);
    assert.equal(prod.getTreeItem().description, `${prodAccount} · production (protected)`);
    const regions = await childrenOf(explorer, prod);
    assert.deepEqual(regions.map(label), ['Attached SCPs', SAMPLE_REGION]);
    const attached = await childrenOf(explorer, regions[0]);
    assert.deepEqual(attached.map(label), ['FullAWSAccess']);
    const services = await childrenOf(explorer, regions[1]);
    const ec2 = services.find((node) => label(node) === 'EC2')!;
    const instancesList = (await childrenOf(explorer, ec2)).find((node) => label(node) === 'Instances')!;
    const instances = await waitFor("the member account's instances", async () => {
      const rows = await childrenOf(explorer, instancesList);
      return rows.length && rows.every((row) => !String(label(row)).includes('Loading')) ? rows : undefined;
    });
    assert.deepEqual(instances.map(label), ['prod-app-web'], "only the member account's own instance");
  });

  it("a change in a member account says in bold that it is not the chat's active account, with its alias", async () => {
    const { api } = await testing();
    const operations = api.testing.operations;
    const active = await operations.activeAccount();
    assert.ok(active && active !== prodAccount, 'the active profile is another account');
    // The LM tool's confirmation, through the extension's runtime: the member runner (assumed role), its preview
    // with the account's alias read through it, the chat's active account from the active connection.
    const prepared = await prepareToolCall(
      toolSpec('pilotLight_changeInstanceState')!,
      { operation: 'ec2.instances.stop', input: { instanceIds: [prodInstance] } },
      {
        run: (operationId, input, options) =>
          operations.run(operationId, input, { caller: 'lm-tool', profile: `${PROFILE}::${prodAccount}`, ...options }),
        environmentResolver: () => operations.environmentResolver(),
        currentRegion: () => operations.currentRegion(),
        activeAccount: () => operations.activeAccount(),
      },
    );
    assert.equal(prepared.kind, 'preview', JSON.stringify(prepared).slice(0, 400));
    const { markdown, preview } = prepared as Extract<typeof prepared, { kind: 'preview' }>;
    assert.equal(preview.account, prodAccount);
    assert.equal(preview.accountAlias, 'acme-prod-app');
    assert.equal(preview.accountName, 'prod-app');
    const firstLine = markdown.split('\n')[0];
    assert.ok(
      firstLine.startsWith(`**This change is in account prod\\-app \\(${prodAccount}, alias acme\\-prod\\-app\\)`) ||
        firstLine.startsWith(`**This change is in account prod-app \\(${prodAccount}, alias acme-prod-app\\)`),
      firstLine,
    );
    assert.ok(firstLine.includes(`the chat's active account is ${active}`) && firstLine.endsWith('**'), firstLine);
  });
  it('chat: "stop it" after /resources across accounts runs in the member account, with the bold note', async () => {
    const settings = vscode.workspace.getConfiguration('pilotLight');
    const saved = ['profile', 'region', 'chat.useLanguageModel'].map(
      (key) => [key, settings.inspect(key)?.globalValue] as const,
    );
    await setSetting('profile', PROFILE);
    await setSetting('region', SAMPLE_REGION);
    await setSetting('chat.useLanguageModel', false);
    try {
      await newChat();
      const listed = await askAws(`@aws /resources instances accounts: ${prodAccount}`);
      assert.ok(plain(listed.markdown).includes(prodInstance), listed.markdown);
      assert.match(plain(listed.markdown), /account prod-app/);
      const stop = await askAws('@aws stop it');
      const text = plain(stop.markdown);
      assert.match(text, /Dry-run of "Stop prod-app-web"/, text);
      assert.ok(
        text.includes(`**This change is in account prod-app (${prodAccount}, alias acme-prod-app), a member account`),
        text,
      );
      const run = stop.buttons.find((button) => button.command === 'pilotLight.operations.run');
      assert.ok(run, JSON.stringify(stop.buttons));
      assert.equal((run.arguments?.[0] as { account?: string }).account, prodAccount);
      const { testing: hooks } = await testing();
      const provider = approving();
      hooks.setApprovalProvider(provider);
      try {
        const result = await vscode.commands.executeCommand<InteractiveRunResult>(
          run.command,
          ...(run.arguments ?? []),
        );
        assert.equal(result.status, 'succeeded', result.message);
      } finally {
        hooks.setApprovalProvider(undefined);
      }
      assert.equal(provider.requests[0].account, prodAccount, 'the confirmation names the member account');
      const member = await assume(managementCredentials, prodAccount, 'OrganizationAccountAccessRole');
      const ec2 = new EC2Client({ endpoint: endpoint(), region: SAMPLE_REGION, credentials: member });
      try {
        const state = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [prodInstance] }))).Reservations?.[0]
          ?.Instances?.[0]?.State?.Name;
        assert.ok(state === 'stopping' || state === 'stopped', state);
      } finally {
        ec2.destroy();
      }
    } finally {
      for (const [key, value] of saved) await setSetting(key, value);
    }
  });
});
