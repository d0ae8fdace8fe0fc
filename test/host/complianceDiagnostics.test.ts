import * as assert from 'node:assert/strict';
import { CloudFormationClient, DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import { EC2Client, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import * as vscode from 'vscode';
import type { StackDriftReport } from '../../src/core/iac/drift/stackDrift';
import { deployStack } from '../../tools/seed/threeTier';
import { eventually, pilotLight } from './support/explorerWalk';
import { endpoint, SAMPLE_REGION } from './support/safety';

const STACK = `compliance-iac-${Date.now().toString(36)}`;
const SOURCE = 'Pilot Light compliance';
const FOLDER = 'compliance-iac';
const SSH_RULE = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] };

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Description: One world-open SSH group and one internal-only group
Resources:
  Network:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.73.0.0/16
  OpenSshGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh from anywhere
      VpcId: !Ref Network
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
  InternalGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: https from inside the network
      VpcId: !Ref Network
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 10.73.0.0/16
`;

function target() {
  return {
    endpoint: endpoint(),
    region: SAMPLE_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
}

function complianceDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === SOURCE);
}

function lineOf(document: vscode.TextDocument, pattern: RegExp): number {
  for (let line = 0; line < document.lineCount; line++) if (pattern.test(document.lineAt(line).text)) return line;
  throw new Error(`no line matches ${pattern}`);
}

async function decorationOf(uri: vscode.Uri): Promise<vscode.FileDecoration | undefined> {
  const { compliance } = await pilotLight();
  return (
    (await compliance.decorations.provideFileDecoration(uri, new vscode.CancellationTokenSource().token)) ?? undefined
  );
}

/** The explorer row of a security group (revealed through "Show in explorer"), then the filter is cleared. */
async function explorerRowUri(groupId: string): Promise<vscode.Uri> {
  const { explorerView } = await pilotLight();
  try {
    const revealed = await vscode.commands.executeCommand('pilotLight.chat.showInExplorer', {
      id: groupId,
      type: 'ec2:security-group',
      region: SAMPLE_REGION,
    });
    assert.equal(revealed, true, `security group ${groupId} is found in the explorer`);
    const uri = explorerView.selection[0]?.getTreeItem().resourceUri;
    assert.ok(uri, 'the security group row has a resource URI');
    return uri;
  } finally {
    await vscode.commands.executeCommand('pilotLight.explorer.clearFilter');
  }
}

describe('Compliance findings in a linked CloudFormation template and on explorer rows', function () {
  this.timeout(180_000);
  let uri: vscode.Uri;
  let document: vscode.TextDocument;
  let physicalIds: Record<string, string>;

  before(async () => {
    physicalIds = (await deployStack(target(), STACK, TEMPLATE)).physicalIds;
    assert.ok(physicalIds.OpenSshGroup && physicalIds.InternalGroup, JSON.stringify(physicalIds));
    const folder = vscode.workspace.workspaceFolders![0].uri;
    uri = vscode.Uri.joinPath(folder, FOLDER, 'groups.yaml');
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(folder, FOLDER));
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(folder, '.pilotlight'));
    await vscode.workspace.fs.writeFile(uri, Buffer.from(TEMPLATE, 'utf8'));
    await vscode.workspace.fs.writeFile(
      vscode.Uri.joinPath(folder, '.pilotlight', 'iac.json'),
      Buffer.from(JSON.stringify({ cloudformation: { [`${FOLDER}/groups.yaml`]: STACK } }), 'utf8'),
    );
    document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const folder = vscode.workspace.workspaceFolders![0].uri;
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder, FOLDER), { recursive: true });
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder, '.pilotlight', 'iac.json'));
    const cfn = new CloudFormationClient(target());
    try {
      await cfn.send(new DeleteStackCommand({ StackName: STACK }));
    } finally {
      cfn.destroy();
    }
  });

  it('puts the finding on the flagged resource in the template and its explorer row, not on the compliant one', async () => {
    // The drift check links the template to its stack (logical ID → physical ID).
    const report = (await vscode.commands.executeCommand('pilotLight.iac.checkDrift', uri)) as StackDriftReport;
    assert.equal(report.stackName, STACK);
    const summary = (await vscode.commands.executeCommand('pilotLight.compliance.run')) as { findings: number };
    assert.ok(summary.findings >= 1, JSON.stringify(summary));
    const { compliance } = await pilotLight();
    assert.ok(
      compliance
        .findingsFor(physicalIds.OpenSshGroup)
        .some((finding) => finding.ruleId === 'cis.securityGroupOpenToWorld'),
      'the check flags the world-open SSH group',
    );
    assert.deepEqual(compliance.findingsFor(physicalIds.InternalGroup), [], 'the internal-only group has no findings');

    const openLine = lineOf(document, /^ {2}OpenSshGroup:$/);
    const internalLine = lineOf(document, /^ {2}InternalGroup:$/);
    const onOpen = await eventually('a compliance diagnostic on OpenSshGroup', async () => {
      const found = complianceDiagnostics(uri).filter((d) => d.code === 'cis.securityGroupOpenToWorld');
      return found.length ? found : undefined;
    });
    assert.equal(onOpen.length, 1, onOpen.map((d) => d.message).join(' | '));
    assert.equal(onOpen[0].range.start.line, openLine);
    assert.equal(onOpen[0].range.end.line, openLine);
    assert.equal(
      document.getText(onOpen[0].range),
      'OpenSshGroup',
      'the diagnostic marks the logical ID of the flagged resource',
    );
    assert.equal(onOpen[0].severity, vscode.DiagnosticSeverity.Error);
    assert.match(onOpen[0].message, /^No security group opens admin ports or all traffic to the world: .*Fix: /);
    assert.ok(
      !complianceDiagnostics(uri).some((d) => d.range.start.line === internalLine),
      'no compliance diagnostic on the compliant group',
    );

    const openRow = await explorerRowUri(physicalIds.OpenSshGroup);
    const decoration = await decorationOf(openRow);
    const count = compliance.findingsFor(physicalIds.OpenSshGroup).length;
    assert.equal(decoration?.badge, String(count));
    assert.match(
      decoration?.tooltip ?? '',
      new RegExp(
        `^Compliance: ${count} findings? \\(.*No security group opens admin ports or all traffic to the world.*\\)$`,
      ),
    );
    assert.ok(decoration?.color instanceof vscode.ThemeColor, 'a high finding colours the row');
    assert.equal(await decorationOf(await explorerRowUri(physicalIds.InternalGroup)), undefined);
  });

  it('drops the diagnostic and the row badge once the rule is fixed and the checks run again', async () => {
    assert.ok(
      complianceDiagnostics(uri).some((d) => d.code === 'cis.securityGroupOpenToWorld'),
      'the diagnostic from the first run is still there',
    );
    const ec2 = new EC2Client(target());
    try {
      await ec2.send(
        new RevokeSecurityGroupIngressCommand({ GroupId: physicalIds.OpenSshGroup, IpPermissions: [SSH_RULE] }),
      );
    } finally {
      ec2.destroy();
    }
    await vscode.commands.executeCommand('pilotLight.compliance.run');
    const { compliance } = await pilotLight();
    assert.deepEqual(compliance.findingsFor(physicalIds.OpenSshGroup), []);
    await eventually('the compliance diagnostic to go', async () =>
      complianceDiagnostics(uri).some((d) => d.code === 'cis.securityGroupOpenToWorld') ? undefined : true,
    );
    assert.equal(await decorationOf(await explorerRowUri(physicalIds.OpenSshGroup)), undefined);
  });
});
