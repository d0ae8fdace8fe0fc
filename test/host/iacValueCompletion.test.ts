import * as assert from 'node:assert/strict';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import * as vscode from 'vscode';
import { eventually } from './support/explorerWalk';
import { ec2, SAMPLE_REGION, testing } from './support/safety';

async function labelsAt(document: vscode.TextDocument, position: vscode.Position): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>(
    'vscode.executeCompletionItemProvider',
    document.uri,
    position,
  );
  return list.items.map((item) => (typeof item.label === 'string' ? item.label : item.label.label));
}

/** The position right after `needle` (the last occurrence) in the document. */
function after(document: vscode.TextDocument, needle: string): vscode.Position {
  const index = document.getText().lastIndexOf(needle);
  assert.ok(index >= 0, `${needle} is not in the document`);
  return document.positionAt(index + needle.length);
}

function workspaceFile(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is open');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

describe('IaC value completion and Terraform count drift', function () {
  this.timeout(120_000);

  it('completes CloudFormation Ref targets, GetAtt attributes and allowed property values', async () => {
    await testing();
    const document = await vscode.workspace.openTextDocument({
      language: 'yaml',
      content: `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Size:
    Type: String
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Web:
    Type: AWS::EC2::Instance
    Properties:
      MetadataOptions:
        HttpTokens: req
      SecurityGroupIds:
        - !Ref 
      SubnetId: !GetAtt Vpc.
      PrivateIpAddress:
        Fn::GetAtt: [Web, 
`,
    });
    const refs = await eventually('Ref completions', async () => {
      const labels = await labelsAt(document, after(document, '- !Ref '));
      return labels.length ? labels : undefined;
    });
    assert.ok(
      ['Size', 'Vpc', 'Web', 'AWS::AccountId'].every((label) => refs.includes(label)),
      refs.join(),
    );
    const getAtt = await labelsAt(document, after(document, '!GetAtt Vpc.'));
    assert.ok(getAtt.includes('Vpc.CidrBlock') && getAtt.includes('Vpc.DefaultSecurityGroup'), getAtt.join());
    const listForm = await labelsAt(document, after(document, 'Fn::GetAtt: [Web, '));
    assert.ok(listForm.includes('PrivateIp'), listForm.join());
    const values = await labelsAt(document, after(document, 'HttpTokens: req'));
    assert.ok(values.includes('required') && values.includes('optional'), values.join());
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('completes Terraform var., local., count.index and attributes after an address', async () => {
    const uri = workspaceFile('terraform-complete', 'main.tf');
    const content = `variable "size" {
  default = "t3.micro"
}
locals {
  tier = "web"
}
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_instance" "web" {
  count         = 2
  instance_type = var.
  subnet_id     = aws_vpc.main.
  tags          = { Tier = local. }
  ami           = count.
}
`;
    await vscode.workspace.fs.writeFile(uri, Buffer.from(content));
    const document = await vscode.workspace.openTextDocument(uri);
    assert.equal(document.getText(), content);
    const variables = await eventually('var. completions', async () => {
      const labels = await labelsAt(document, after(document, 'var.'));
      return labels.length ? labels : undefined;
    });
    assert.ok(variables.includes('size'), variables.join());
    assert.ok((await labelsAt(document, after(document, 'local.'))).includes('tier'));
    const attributes = await labelsAt(document, after(document, 'aws_vpc.main.'));
    assert.ok(attributes.includes('id') && attributes.includes('cidr_block'), attributes.join());
    assert.ok((await labelsAt(document, after(document, 'count.'))).includes('index'));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows drift of one count instance on its line, with the instance key, in Problems and on hover', async () => {
    await testing();
    const client = ec2(SAMPLE_REGION);
    const running = async (name: string) => {
      const { Reservations } = await client.send(
        new DescribeInstancesCommand({
          Filters: [
            { Name: 'tag:Name', Values: [name] },
            { Name: 'instance-state-name', Values: ['running'] },
          ],
        }),
      );
      const instance = Reservations?.[0]?.Instances?.[0];
      assert.ok(instance?.InstanceId && instance.InstanceType, `${name} is seeded`);
      return { id: instance.InstanceId, type: instance.InstanceType };
    };
    const [first, second] = [await running('web-1'), await running('app-1')];
    const wrongType = second.type === 't3.nano' ? 't3.micro' : 't3.nano';
    const folder = workspaceFile('terraform-count');
    const main = `provider "aws" {\n  region = "${SAMPLE_REGION}"\n}\n\nvariable "types" {}\n\nresource "aws_instance" "web" {\n  count         = 2\n  instance_type = var.types[count.index]\n}\n\nlocals {\n  all_types = var.types\n  vpc       = module.net.vpc_id\n}\n`;
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, 'main.tf'), Buffer.from(main));
    await vscode.workspace.fs.writeFile(
      vscode.Uri.joinPath(folder, 'terraform.tfvars'),
      Buffer.from(`types = ["${first.type}", "${wrongType}"]\n`),
    );
    const state = {
      version: 4,
      resources: [
        {
          mode: 'managed',
          type: 'aws_instance',
          name: 'web',
          instances: [
            { index_key: 0, attributes: { id: first.id } },
            { index_key: 1, attributes: { id: second.id } },
          ],
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

    await vscode.commands.executeCommand('pilotLight.terraform.checkDrift', uri);
    const drift = vscode.languages
      .getDiagnostics(uri)
      .filter((diagnostic) => diagnostic.source === 'Pilot Light drift');
    assert.deepEqual(
      drift.map((diagnostic) => [diagnostic.range.start.line, diagnostic.message]),
      [[8, `aws_instance.web[1].instance_type drifted: template ${wrongType}, live ${second.type}.`]],
    );

    const hoverText = async (position: vscode.Position) =>
      (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position))
        .flatMap((hover) => hover.contents)
        .map((content) => (typeof content === 'string' ? content : content.value))
        .join('\n');
    const onValue = await hoverText(document.positionAt(document.getText().indexOf('types[count') + 2));
    assert.match(onValue, /`aws_instance\.web\[0\]`: in sync/);
    const onVariable = await hoverText(
      document.positionAt(document.getText().indexOf('all_types = var.types') + 'all_types = '.length + 2),
    );
    assert.match(
      onVariable,
      new RegExp(`\\*\\*var\\.types\\*\\* = \`\\["${first.type}","${wrongType}"\\]\` \\(from terraform\\.tfvars\\)`),
    );
    const onModule = await hoverText(document.positionAt(document.getText().indexOf('module.net') + 2));
    assert.match(
      onModule,
      /unknown: module output \(module\.net\.vpc_id\)\. Pilot Light never reports an unknown value as drift\./,
    );
    assert.match(
      onValue,
      new RegExp(
        `\`aws_instance\\.web\\[1\\]\`: \\*\\*drifted\\*\\*: template \`${wrongType}\`, live \`${second.type}\``,
      ),
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
