import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  BackupClient,
  CreateBackupVaultCommand,
  DescribeBackupJobCommand,
  StartBackupJobCommand,
} from '@aws-sdk/client-backup';
import { CreateVolumeCommand, EC2Client } from '@aws-sdk/client-ec2';
import { childrenOf, label, pilotLight as api, walk } from './support/explorerWalk';
import type { ExplorerNode } from '../../src/features/explorer/nodes';

const description = (node: ExplorerNode) => String(node.getTreeItem().description ?? '');

describe('AWS Backup in the explorer', function () {
  this.timeout(90_000);
  const vaultName = `host-vault-${Date.now().toString(36)}`;

  before(async () => {
    const endpoint = vscode.workspace.getConfiguration('pilotLight').get<string>('endpointUrl');
    assert.ok(endpoint, 'the host tests run against the emulator endpoint');
    const config = {
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    };
    const ec2 = new EC2Client(config);
    const backup = new BackupClient(config);
    try {
      await backup.send(new CreateBackupVaultCommand({ BackupVaultName: vaultName }));
      const volumeId = (
        await ec2.send(
          new CreateVolumeCommand({
            AvailabilityZone: 'us-east-1a',
            Size: 20,
            TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'Name', Value: 'orders-db-data' }] }],
          }),
        )
      ).VolumeId!;
      // The recovery point is made by the Backup emulator from a real EBS snapshot in moto.
      const job = await backup.send(
        new StartBackupJobCommand({
          BackupVaultName: vaultName,
          ResourceArn: `arn:aws:ec2:us-east-1:123456789012:volume/${volumeId}`,
          IamRoleArn: 'arn:aws:iam::123456789012:role/backup',
          Lifecycle: { DeleteAfterDays: 35 },
        }),
      );
      for (let i = 0; i < 200; i++) {
        const state = (await backup.send(new DescribeBackupJobCommand({ BackupJobId: job.BackupJobId }))).State;
        if (state === 'COMPLETED') break;
        await new Promise((done) => setTimeout(done, 100));
      }
    } finally {
      ec2.destroy();
      backup.destroy();
    }
    (await api()).explorer.refresh();
  });

  it('lists a vault’s recovery points with resource, creation date, size, status and lifecycle', async () => {
    const { explorer } = await api();
    const folders = await walk(explorer, ['us-east-1', 'AWS Backup']);
    assert.deepEqual(folders.map(label), ['Vaults', 'Plans', 'Backup jobs', 'Restore jobs', 'Copy jobs']);
    const vaults = await childrenOf(explorer, folders[0]);
    const vault = vaults.find((node) => label(node) === vaultName);
    assert.ok(vault, vaults.map(label).join(', '));
    assert.match(description(vault), /^1 recovery points/);
    const points = await childrenOf(explorer, vault);
    assert.equal(points.length, 1, points.map(label).join(', '));
    assert.match(label(points[0]), /^orders-db-data \d{4}-\d{2}-\d{2}$/);
    assert.match(
      description(points[0]),
      /^EBS · COMPLETED · created \d{4}-\d{2}-\d{2} \d{2}:\d{2} · 20\.0 GiB · deleted after 35 d · arn:aws:ec2:us-east-1:123456789012:volume\/vol-/,
    );
    assert.match(String(points[0].getTreeItem().contextValue), /^pilotLight\.resource backup:recovery-point/);
  });
});
