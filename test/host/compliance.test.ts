import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import * as vscode from 'vscode';
import type { ComplianceNode } from '../../src/features/compliance/complianceTree';
import { resourceUri } from '../../src/features/shared/resourceUri';
import { pilotLight as api } from './support/explorerWalk';

const labelOf = (node: ComplianceNode) => {
  const label = node.getTreeItem().label;
  return typeof label === 'string' ? label : (label?.label ?? '');
};

describe('Compliance view (checks against moto)', function () {
  this.timeout(120_000);
  let groupId: string;
  let dir: string;

  before(async () => {
    const endpoint = vscode.workspace.getConfiguration('pilotLight').get<string>('endpointUrl');
    assert.ok(endpoint, 'the host tests run against the emulator endpoint');
    const ec2 = new EC2Client({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    try {
      const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.61.0.0/16' }))).Vpc!.VpcId!;
      groupId = (
        await ec2.send(
          new CreateSecurityGroupCommand({
            GroupName: 'compliance-world-ssh',
            Description: 'ssh from anywhere',
            VpcId: vpcId,
          }),
        )
      ).GroupId!;
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        }),
      );
    } finally {
      ec2.destroy();
    }
    dir = mkdtempSync(join(tmpdir(), 'pilot-light-compliance-host-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('groups a world-open security group under its rule, lists checks not run, and exports SARIF', async () => {
    const { compliance, explorerView } = await api();
    const summary = (await vscode.commands.executeCommand('pilotLight.compliance.run')) as {
      findings: number;
      checksNotRun: string[];
    };
    assert.ok(summary.findings >= 1, JSON.stringify(summary));
    const roots = (await compliance.provider.getChildren()) as ComplianceNode[];
    assert.match(labelOf(roots[0]), /\d+ findings?/);
    const rule = roots.find((node) => node.id === 'rule:cis.securityGroupOpenToWorld');
    assert.ok(rule, roots.map(labelOf).join(', '));
    assert.match(String(rule.getTreeItem().description), /^\d+ · (critical|high|medium)$/);
    const findings = (await compliance.provider.getChildren(rule)) as ComplianceNode[];
    const ours = findings.find((node) => labelOf(node).includes(groupId));
    assert.ok(ours, findings.map(labelOf).join(', '));
    assert.match(String(ours.getTreeItem().description), /^us-east-1 · /);
    const notRun = roots.find((node) => node.id === 'group:notRun');
    if (summary.checksNotRun.length) {
      assert.ok(notRun, 'checks that did not run are shown as such');
      const checks = (await compliance.provider.getChildren(notRun)) as ComplianceNode[];
      assert.equal(checks.length, summary.checksNotRun.length);
      assert.match(String(checks[0].getTreeItem().description), /^(not run|failed): /);
    }

    // The finding reaches the explorer row: its resource URI carries the decoration.
    assert.ok(compliance.findingsFor(groupId).some((finding) => finding.ruleId === 'cis.securityGroupOpenToWorld'));
    try {
      const revealed = await vscode.commands.executeCommand('pilotLight.chat.showInExplorer', {
        id: groupId,
        type: 'ec2:security-group',
        region: 'us-east-1',
      });
      assert.equal(revealed, true, 'the security group is found in the explorer');
      const [row] = explorerView.selection;
      assert.equal(String(row.getTreeItem().resourceUri), String(resourceUri(groupId)));
    } finally {
      await vscode.commands.executeCommand('pilotLight.explorer.clearFilter');
    }

    const target = vscode.Uri.file(join(dir, 'report.sarif'));
    const written = await vscode.commands.executeCommand('pilotLight.compliance.export', 'sarif', target);
    assert.equal(written, target.fsPath);
    const sarif = JSON.parse(readFileSync(target.fsPath, 'utf8'));
    assert.equal(sarif.version, '2.1.0');
    const result = sarif.runs[0].results.find(
      (item: { ruleId: string; locations: Array<{ logicalLocations: Array<{ name: string }> }> }) =>
        item.ruleId === 'cis.securityGroupOpenToWorld' && item.locations[0].logicalLocations[0].name === groupId,
    );
    assert.ok(result, 'the SARIF file has the finding');
    assert.equal(sarif.runs[0].invocations[0].executionSuccessful, summary.checksNotRun.length === 0);
  });
});
