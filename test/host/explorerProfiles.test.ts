// Several profiles side by side: a second profile in another (emulated) account gets its own root, its own
// resources, and its resources' actions run in its account, not the active one's.
import * as assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import {
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import * as vscode from 'vscode';
import type { ExplorerNode } from '../../src/features/explorer/nodes';
import type { InteractiveRunResult } from '../../src/features/shared/interactiveRun';
import { pickAmazonLinuxImage } from '../../tools/seed/target';
import { childrenOf, label } from './support/explorerWalk';
import { approving, endpoint, SAMPLE_REGION, testing, useTempAuditTrail, waitFor } from './support/safety';

const OTHER_ACCOUNT = '111111111111';
const OTHER_PROFILE = 'second-account';

async function below(
  explorer: Awaited<ReturnType<typeof testing>>['api']['explorer'],
  root: ExplorerNode,
  path: string[],
): Promise<ExplorerNode[]> {
  let nodes = await childrenOf(explorer, root);
  for (const step of path) {
    const next = nodes.find((node) => label(node) === step);
    assert.ok(next, `"${step}" found; got ${nodes.map(label).join(', ')}`);
    nodes = await childrenOf(explorer, next);
  }
  return nodes;
}

describe('AWS explorer: several profiles side by side', function () {
  this.timeout(90_000);
  let configFile: string;
  let originalConfig: string;
  let otherEc2: EC2Client;
  let instanceId: string;

  before(async () => {
    configFile = process.env.AWS_CONFIG_FILE!;
    assert.ok(configFile, 'the test runner points AWS_CONFIG_FILE at a throwaway file');
    originalConfig = await readFile(configFile, 'utf8').catch(() => '');
    // moto ties the credentials of an assumed role to the role's account: a second account to show.
    const sts = new STSClient({
      endpoint: endpoint(),
      region: SAMPLE_REGION,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/pilot-light-host-test`,
        RoleSessionName: 'host-test',
      }),
    );
    sts.destroy();
    const credentials = {
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretAccessKey!,
      sessionToken: Credentials!.SessionToken!,
    };
    await appendFile(
      configFile,
      `\n[profile ${OTHER_PROFILE}]\nregion = ${SAMPLE_REGION}\naws_access_key_id = ${credentials.accessKeyId}\naws_secret_access_key = ${credentials.secretAccessKey}\naws_session_token = ${credentials.sessionToken}\n`,
    );
    otherEc2 = new EC2Client({ endpoint: endpoint(), region: SAMPLE_REGION, credentials });
    const imageId = await pickAmazonLinuxImage(otherEc2);
    const { Instances } = await otherEc2.send(
      new RunInstancesCommand({
        ImageId: imageId,
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: [
              { Key: 'Name', Value: 'other-account-1' },
              { Key: 'Environment', Value: 'staging' },
            ],
          },
        ],
      }),
    );
    instanceId = Instances![0].InstanceId!;
  });

  after(async () => {
    await vscode.workspace
      .getConfiguration('pilotLight.explorer')
      .update('profiles', undefined, vscode.ConfigurationTarget.Global);
    await otherEc2?.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] })).catch(() => undefined);
    otherEc2?.destroy();
    await writeFile(configFile, originalConfig);
  });

  it('adds the profile as a second root in its own account, acts on its resources there, and removes it', async () => {
    const { api, testing: hooks } = await testing();
    const { explorer } = api;
    const trail = await useTempAuditTrail();
    try {
      await vscode.commands.executeCommand('pilotLight.explorer.addProfile', OTHER_PROFILE);
      const roots = await waitFor('two profile roots', async () => {
        const found = await childrenOf(explorer);
        return found.length === 2 ? found : undefined;
      });
      assert.equal(label(roots[1]), OTHER_PROFILE);
      assert.equal(roots[1].getTreeItem().description, OTHER_ACCOUNT, 'the second root shows its own account');
      assert.equal(roots[1].getTreeItem().contextValue, 'pilotLight.otherProfile', 'it can be removed from its menu');
      assert.notEqual(roots[0].getTreeItem().description, OTHER_ACCOUNT, 'the active profile keeps its account');
      assert.equal(roots[0].getTreeItem().contextValue, 'pilotLight.profile');

      const otherInstances = await below(explorer, roots[1], [SAMPLE_REGION, 'EC2', 'Instances']);
      assert.deepEqual(otherInstances.map(label), ['other-account-1']);
      const activeInstances = await below(explorer, roots[0], [SAMPLE_REGION, 'EC2', 'Instances']);
      assert.ok(
        activeInstances.length > 0 && !activeInstances.map(label).includes('other-account-1'),
        `the active account's instances only: ${activeInstances.map(label).join(', ')}`,
      );

      hooks.setApprovalProvider(approving());
      const stopped = await vscode.commands.executeCommand<InteractiveRunResult>(
        'pilotLight.action.stopInstance',
        otherInstances[0],
      );
      assert.equal(stopped?.status, 'succeeded', stopped?.message);
      const { Reservations } = await otherEc2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      assert.match(
        String(Reservations?.[0]?.Instances?.[0]?.State?.Name),
        /stopping|stopped/,
        'the instance in the other account was stopped',
      );
      const audited = trail.records().filter((record) => record.correlationId === stopped?.correlationId);
      assert.ok(audited.length > 0, 'the action is in the audit trail');
      assert.ok(
        audited.every((record) => record.account === OTHER_ACCOUNT),
        `audited in the other account: ${JSON.stringify(audited.map((record) => record.account))}`,
      );

      await vscode.commands.executeCommand('pilotLight.explorer.removeProfile', roots[1]);
      const remaining = await waitFor('one root again', async () => {
        const found = await childrenOf(explorer);
        return found.length === 1 ? found : undefined;
      });
      assert.notEqual(label(remaining[0]), OTHER_PROFILE);
    } finally {
      hooks.setApprovalProvider(undefined);
      await trail.restore();
    }
  });

  it('shows an unusable profile as a root with its error, and keeps the active one working', async () => {
    const { api } = await testing();
    await vscode.workspace
      .getConfiguration('pilotLight.explorer')
      .update('profiles', ['not-in-any-config'], vscode.ConfigurationTarget.Global);
    try {
      const roots = await waitFor('two roots', async () => {
        const found = await childrenOf(api.explorer);
        return found.length === 2 ? found : undefined;
      });
      assert.equal(roots[0].getTreeItem().contextValue, 'pilotLight.profile', 'the active profile still loads');
      assert.equal(label(roots[1]), 'not-in-any-config');
      const [error] = await childrenOf(api.explorer, roots[1]);
      assert.equal(error.getTreeItem().contextValue, 'pilotLight.error');
      assert.match(
        String(error.getTreeItem().label),
        /not-in-any-config|credential|profile/i,
        `a specific error: ${String(error.getTreeItem().label)}`,
      );
    } finally {
      await vscode.workspace
        .getConfiguration('pilotLight.explorer')
        .update('profiles', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
