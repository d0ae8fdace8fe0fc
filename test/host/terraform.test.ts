import * as assert from 'node:assert/strict';
import { DescribeInstancesCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import * as vscode from 'vscode';
import type { ExplorerNode } from '../../src/features/explorer/nodes';
import { eventually, label, walk } from './support/explorerWalk';
import { ec2, SAMPLE_REGION, testing } from './support/safety';

function workspaceFile(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is open');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

describe('Terraform language features and IaC generation', function () {
  this.timeout(120_000);

  it('outlines a .tf file, goes to definitions in the module, and reports a broken reference', async () => {
    await testing();
    const uri = workspaceFile('terraform', 'main.tf');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    assert.equal(document.languageId, 'terraform');

    const symbols = await eventually('document symbols', async () => {
      const found = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>(
        'vscode.executeDocumentSymbolProvider',
        uri,
      );
      return found?.length ? found : undefined;
    });
    assert.deepEqual(
      symbols.map((symbol) => symbol.name),
      ['aws_vpc.main', 'aws_subnet.a', 'aws_instance.web'],
    );

    const text = document.getText();
    const onVar = document.positionAt(text.indexOf('var.cidr') + 5);
    const toVariable = await vscode.commands.executeCommand<Array<vscode.Location | vscode.LocationLink>>(
      'vscode.executeDefinitionProvider',
      uri,
      onVar,
    );
    assert.equal(toVariable.length, 1);
    const target = toVariable[0] as vscode.Location;
    assert.ok(target.uri.path.endsWith('/terraform/variables.tf'), target.uri.toString());
    assert.equal(target.range.start.line, 0);

    const onVpc = document.positionAt(text.indexOf('aws_vpc.main.id') + 2);
    const toVpc = (
      await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeDefinitionProvider', uri, onVpc)
    )[0];
    assert.equal(toVpc.range.start.line, 1);

    const diagnostics = await eventually('the broken-reference diagnostic', async () => {
      const found = vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === 'Pilot Light');
      return found.length ? found : undefined;
    });
    assert.deepEqual(
      diagnostics.map((diagnostic) => [diagnostic.range.start.line, diagnostic.message]),
      [[13, 'No resource aws_subnet.missing is declared in this module.']],
    );
  });

  it('generates Terraform and CloudFormation for the sample VPC from the explorer as new documents', async () => {
    const { api } = await testing();
    const underVpc = await walk(api.explorer, ['us-east-1', 'VPC']);
    let vpc = underVpc.find(
      (node) =>
        (node as { resource?: { type: string } }).resource?.type === 'ec2:vpc' && label(node) === 'production-vpc',
    );
    if (!vpc) {
      for (const folder of underVpc) {
        const children = (await api.explorer.getChildren(folder)) as ExplorerNode[];
        vpc = children.find((node) => label(node) === 'production-vpc');
        if (vpc) break;
      }
    }
    assert.ok(vpc, 'the sample VPC is in the explorer');

    const terraform = await vscode.commands.executeCommand<vscode.TextDocument>(
      'pilotLight.iac.generateTerraform',
      vpc,
      [vpc],
    );
    assert.ok(terraform, 'the command returns the new document');
    assert.equal(terraform.languageId, 'terraform');
    const tf = terraform.getText();
    assert.match(tf, /resource "aws_vpc" "production_vpc" \{/);
    assert.match(tf, /vpc_id\s+= aws_vpc\.production_vpc\.id/);
    assert.match(tf, /import \{\n {2}to = aws_vpc\.production_vpc\n {2}id = "vpc-[0-9a-f]+"\n\}/);
    // The generated document is itself checked: no broken references or unknown arguments.
    const problems = await eventually('diagnostics of the generated document (none expected)', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return vscode.languages.getDiagnostics(terraform.uri);
    });
    assert.deepEqual(
      problems.map((problem) => problem.message),
      [],
    );

    const cloudFormation = await vscode.commands.executeCommand<vscode.TextDocument>(
      'pilotLight.iac.generateCloudFormation',
      vpc,
      [vpc],
    );
    assert.equal(cloudFormation.languageId, 'yaml');
    const yaml = cloudFormation.getText();
    assert.match(yaml, /AWSTemplateFormatVersion: 2010-09-09/);
    assert.match(yaml, /Type: AWS::EC2::VPC\n {4}DeletionPolicy: Retain/);
    assert.match(yaml, /VpcId: !Ref ProductionVpc/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows the state ID and live state on hover, and drift as "Pilot Light drift" problems', async () => {
    await testing();
    const client = ec2(SAMPLE_REGION);
    const { Vpcs } = await client.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['production-vpc'] }] }),
    );
    const { Reservations } = await client.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag:Name', Values: ['web-1'] },
          { Name: 'instance-state-name', Values: ['running'] },
        ],
      }),
    );
    const vpcId = Vpcs?.[0]?.VpcId;
    const instance = Reservations?.[0]?.Instances?.[0];
    assert.ok(vpcId && instance?.InstanceId, 'the sample VPC and web-1 are seeded');
    const expectedType = instance.InstanceType === 't3.nano' ? 't3.micro' : 't3.nano';
    const folder = workspaceFile('terraform-state');
    await vscode.workspace.fs.writeFile(
      vscode.Uri.joinPath(folder, 'main.tf'),
      Buffer.from(
        `provider "aws" {\n  region = "${SAMPLE_REGION}"\n}\n\nresource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n\nresource "aws_instance" "web" {\n  instance_type = "${expectedType}"\n}\n`,
      ),
    );
    const state = {
      version: 4,
      resources: [
        { mode: 'managed', type: 'aws_vpc', name: 'main', instances: [{ attributes: { id: vpcId } }] },
        {
          mode: 'managed',
          type: 'aws_instance',
          name: 'web',
          instances: [{ attributes: { id: instance.InstanceId } }],
        },
      ],
    };
    await vscode.workspace.fs.writeFile(
      vscode.Uri.joinPath(folder, 'terraform.tfstate'),
      Buffer.from(JSON.stringify(state)),
    );
    const uri = vscode.Uri.joinPath(folder, 'main.tf');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);

    const onWeb = document.positionAt(document.getText().indexOf('"web"') + 2);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, onWeb);
    const hoverText = hovers
      .flatMap((hover) => hover.contents)
      .map((content) => (typeof content === 'string' ? content : content.value))
      .join('\n');
    assert.match(hoverText, new RegExp(`ID \`${instance.InstanceId}\` \\(from terraform\\.tfstate\\)`));
    assert.match(hoverText, /Live: \*\*running\*\*/);
    assert.match(hoverText, new RegExp(`instance_type: \`${instance.InstanceType}\``));

    await vscode.commands.executeCommand('pilotLight.terraform.checkDrift', uri);
    const drift = vscode.languages
      .getDiagnostics(uri)
      .filter((diagnostic) => diagnostic.source === 'Pilot Light drift');
    assert.deepEqual(
      drift.map((diagnostic) => [diagnostic.range.start.line, diagnostic.message]),
      [[9, `aws_instance.web.instance_type drifted: template ${expectedType}, live ${instance.InstanceType}.`]],
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
