// The Insights view in the real VS Code host: seeded problems in moto become insights with a badge count,
// dismissing one hides it and lowers the badge, and "what should I look at?" in @aws answers without a model.
import * as assert from 'node:assert/strict';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVolumeCommand,
  DeleteSecurityGroupCommand,
  DeleteVolumeCommand,
} from '@aws-sdk/client-ec2';
import * as vscode from 'vscode';
import type { InsightsSnapshot } from '../../src/features/insights/registerInsights';
import type { InsightNode, InsightsNode } from '../../src/features/insights/insightsView';
import { fakeChat } from './support/fakeChatModel';
import { askAws, ec2, newChat, plain, SCRATCH_REGION, setSetting, testing, waitFor } from './support/safety';

describe('Insights view', function () {
  this.timeout(120_000);
  const volumeIds: string[] = [];
  let groupId: string;

  before(async () => {
    await (await fakeChat()).reset();
    await setSetting('region', SCRATCH_REGION);
    const client = ec2();
    try {
      for (const size of [40, 60])
        volumeIds.push(
          (
            await client.send(
              new CreateVolumeCommand({
                AvailabilityZone: `${SCRATCH_REGION}a`,
                Size: size,
                VolumeType: 'gp3',
                TagSpecifications: [
                  { ResourceType: 'volume', Tags: [{ Key: 'Name', Value: `ht-insight-disk-${size}` }] },
                ],
              }),
            )
          ).VolumeId!,
        );
      groupId = (
        await client.send(
          new CreateSecurityGroupCommand({ GroupName: 'ht-insight-open-rdp', Description: 'RDP from anywhere' }),
        )
      ).GroupId!;
      await client.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        }),
      );
    } finally {
      client.destroy();
    }
  });

  after(async () => {
    await vscode.commands.executeCommand('pilotLight.insights.restoreDismissed').then(undefined, () => undefined);
    const client = ec2();
    for (const volumeId of volumeIds)
      await client.send(new DeleteVolumeCommand({ VolumeId: volumeId })).catch(() => undefined);
    if (groupId) await client.send(new DeleteSecurityGroupCommand({ GroupId: groupId })).catch(() => undefined);
    client.destroy();
    await setSetting('region', undefined);
  });

  async function roots(): Promise<InsightsNode[]> {
    const feature = await (await testing()).testing.insights();
    assert.ok(feature, 'the Insights feature is registered');
    return (await feature.provider.getChildren()) as InsightsNode[];
  }

  const labelOf = (node: InsightsNode) => String(node.getTreeItem().label);

  it('shows seeded insights with the badge count; dismissing one hides it and lowers the badge', async () => {
    await vscode.commands.executeCommand('pilotLight.insights.focus');
    const checked = (await vscode.commands.executeCommand('pilotLight.insights.refresh')) as InsightsSnapshot;
    const feature = (await (await testing()).testing.insights())!;

    const volumes = checked.visible.find(
      (insight) => insight.id.startsWith('unused:unattached-volume:') && insight.id.endsWith(SCRATCH_REGION),
    );
    assert.ok(volumes, 'an unattached-volumes insight');
    assert.ok(volumeIds.every((id) => volumes.resources.some((resource) => resource.id === id)));
    assert.match(volumes.title, /^\d+ unattached EBS volumes cost about \$[\d.,]+\/month$/);
    const open = checked.visible.find((insight) => insight.resources.some((resource) => resource.id === groupId));
    assert.ok(open, 'an insight for the group open to the internet');
    assert.equal(open.severity, 'high');
    assert.equal(open.fix?.operationId, 'ec2.securityGroups.revokeIngress');

    // The badge counts what the view shows, and the view shows every visible insight.
    assert.equal(checked.badge, checked.visible.length);
    assert.equal(feature.view.badge?.value, checked.visible.length);
    // (The extension's classes come from its bundle: recognise insight rows by shape, not instanceof.)
    const shown = (await roots()).filter((node): node is InsightNode => 'insight' in node);
    assert.deepEqual(
      shown.map((node) => node.insight.id),
      checked.visible.map((insight) => insight.id),
    );
    assert.ok((await roots()).map(labelOf).includes(volumes.title));

    // An insight links to its resources and to the fix's dry-run.
    const volumeNode = shown.find((node) => node.insight.id === volumes.id)!;
    const children = volumeNode.getChildren();
    assert.ok(children.some((child) => child.getTreeItem().command?.command === 'pilotLight.chat.showInExplorer'));
    assert.ok(children.some((child) => child.getTreeItem().command?.command === 'pilotLight.insights.previewFix'));

    const before = checked.visible.length;
    const afterDismiss = (await vscode.commands.executeCommand(
      'pilotLight.insights.dismiss',
      volumeNode,
    )) as InsightsSnapshot;
    assert.equal(afterDismiss.badge ?? 0, before - 1);
    assert.equal(feature.view.badge?.value ?? 0, before - 1);
    assert.equal(afterDismiss.dismissedCount, 1);
    assert.ok(!(await roots()).map(labelOf).includes(volumes.title), 'the dismissed insight is gone from the view');

    // Checking again keeps it dismissed while nothing changed.
    const again = (await vscode.commands.executeCommand('pilotLight.insights.refresh')) as InsightsSnapshot;
    assert.ok(!again.visible.some((insight) => insight.id === volumes.id));
    assert.equal(again.badge ?? 0, before - 1);

    // A new unattached volume changes its fingerprint: it shows again.
    const client = ec2();
    try {
      volumeIds.push(
        (
          await client.send(
            new CreateVolumeCommand({ AvailabilityZone: `${SCRATCH_REGION}a`, Size: 5, VolumeType: 'gp3' }),
          )
        ).VolumeId!,
      );
    } finally {
      client.destroy();
    }
    const changed = (await vscode.commands.executeCommand('pilotLight.insights.refresh')) as InsightsSnapshot;
    assert.ok(
      changed.visible.some((insight) => insight.id === volumes.id),
      'a changed insight shows again',
    );
    assert.equal(changed.badge, changed.visible.length);
    // Dismiss it again for the chat test below.
    await vscode.commands.executeCommand('pilotLight.insights.dismiss', volumes.id);
  });

  it('answers "what should I look at?" in @aws without a model, leaving dismissed insights out', async () => {
    await newChat();
    const response = await askAws('@aws what should I look at?');
    assert.equal(response.usedModel, false);
    const text = plain(response.markdown);
    assert.match(text, /Here is what I would look at first/);
    assert.match(text, /Security group ht-insight-open-rdp is open to the internet/);
    assert.doesNotMatch(text, /unattached EBS volume/);
    assert.match(text, /1 dismissed insight is hidden/);
    assert.ok(
      response.buttons.some(
        (button) =>
          button.command === 'pilotLight.operations.dryRun' &&
          (button.arguments?.[0] as { operationId?: string })?.operationId === 'ec2.securityGroups.revokeIngress',
      ),
      'the fix is offered as a dry-run',
    );
  });

  it('runs background checks only when the user enables them, and skips protected accounts until included', async () => {
    const { testing: hooks } = await testing();
    const feature = (await hooks.insights())!;
    const config = () => vscode.workspace.getConfiguration('pilotLight');
    try {
      // A workspace cannot turn background checks on.
      await config().update('insights.enabled', true, vscode.ConfigurationTarget.Workspace);
      assert.equal((await feature.settings()).settings.enabled, false);
      const off = await feature.backgroundCheckNow();
      assert.equal(off.run, false);
      assert.match(feature.snapshot().backgroundNote ?? '', /Background checks are off/);

      // The user can; then the background step checks.
      await setSetting('insights.enabled', true);
      const before = feature.snapshot().report?.checkedAt;
      assert.equal((await feature.backgroundCheckNow()).run, true);
      const ran = feature.snapshot().report?.checkedAt;
      assert.ok(ran && ran !== before, 'a new check ran');

      // An account mapped to a protected environment is skipped until includeProtected is set.
      await setSetting('guardrails.accountEnvironments', { '123456789012': 'production' });
      await setSetting('guardrails.protectedEnvironments', ['production']);
      await waitFor('the policy to map the account', async () =>
        (await hooks.operations.policy()).policy.accountEnvironments['123456789012'] === 'production'
          ? true
          : undefined,
      );
      const skipped = await feature.backgroundCheckNow();
      assert.equal(skipped.run, false);
      assert.match(
        feature.snapshot().backgroundNote ?? '',
        /skip this account: it maps to a protected environment \(production\)/,
      );
      assert.equal(feature.snapshot().report?.checkedAt, ran, 'no check ran in the protected account');
      await setSetting('insights.includeProtected', true);
      assert.equal((await feature.backgroundCheckNow()).run, true);
    } finally {
      await config().update('insights.enabled', undefined, vscode.ConfigurationTarget.Workspace);
      for (const key of [
        'insights.enabled',
        'insights.includeProtected',
        'guardrails.accountEnvironments',
        'guardrails.protectedEnvironments',
      ])
        await setSetting(key, undefined);
    }
  });
});
