import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { eventually, pilotLight } from './support/explorerWalk';

function workspaceFile(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the host tests open a workspace folder');
  return vscode.Uri.joinPath(folder.uri, ...relative.split('/'));
}

function positionOf(document: vscode.TextDocument, needle: string, shift = 0): vscode.Position {
  const index = document.getText().indexOf(needle);
  assert.ok(index >= 0, `${needle} is not in ${document.fileName}`);
  return document.positionAt(index + shift);
}

const ourDiagnostics = (uri: vscode.Uri) =>
  vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === 'Pilot Light');

function symbolNamed(symbols: vscode.DocumentSymbol[], name: string): vscode.DocumentSymbol | undefined {
  return symbols.find((symbol) => symbol.name === name && symbol.kind === vscode.SymbolKind.Namespace);
}

describe('CloudFormation language features', function () {
  this.timeout(90_000);
  let yaml: vscode.TextDocument;
  let json: vscode.TextDocument;
  let other: vscode.TextDocument;

  before(async () => {
    await pilotLight();
    other = await vscode.workspace.openTextDocument(workspaceFile('cloudformation/not-a-template.yaml'));
    json = await vscode.workspace.openTextDocument(workspaceFile('cloudformation/queue.json'));
    yaml = await vscode.workspace.openTextDocument(workspaceFile('cloudformation/network.yaml'));
    await vscode.window.showTextDocument(yaml);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('recognises templates by content, keeps the language id, and puts diagnostics on the right words', async () => {
    assert.equal(yaml.languageId, 'yaml');
    const diagnostics = await eventually('diagnostics on network.yaml', async () => {
      const found = ourDiagnostics(yaml.uri);
      return found.length >= 2 ? found : undefined;
    });
    const found = diagnostics
      .map((diagnostic) => [String(diagnostic.code), yaml.getText(diagnostic.range), diagnostic.severity])
      .sort();
    assert.deepEqual(found, [
      ['broken-reference', 'Vpcc', vscode.DiagnosticSeverity.Error],
      ['unknown-property', 'Colour', vscode.DiagnosticSeverity.Error],
    ]);
    assert.match(diagnostics.find((d) => d.code === 'broken-reference')!.message, /Did you mean Vpc\?/);
    const jsonDiagnostics = await eventually('diagnostics on queue.json', async () => {
      const found = ourDiagnostics(json.uri);
      return found.length ? found : undefined;
    });
    assert.deepEqual(
      jsonDiagnostics.map((diagnostic) => [diagnostic.code, json.getText(diagnostic.range)]),
      [['unknown-type', '"AWS::CloudWatch::Alarmm"']],
    );
    // Checked in the same pass as the two templates above: a YAML file that is not a template gets nothing.
    assert.deepEqual(ourDiagnostics(other.uri), []);
  });

  it('outlines sections and resources with their types', async () => {
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>(
      'vscode.executeDocumentSymbolProvider',
      yaml.uri,
    );
    const resources = symbolNamed(symbols, 'Resources');
    assert.ok(resources, `no Resources symbol in ${symbols.map((s) => s.name).join(', ')}`);
    assert.deepEqual(
      resources.children.map((child) => [child.name, child.detail, child.kind]),
      [
        ['Vpc', 'AWS::EC2::VPC', vscode.SymbolKind.Class],
        ['Subnet', 'AWS::EC2::Subnet', vscode.SymbolKind.Class],
        ['Group', 'AWS::EC2::SecurityGroup', vscode.SymbolKind.Class],
      ],
    );
    assert.equal(yaml.getText(resources.children[0].selectionRange), 'Vpc');
    const jsonSymbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>(
      'vscode.executeDocumentSymbolProvider',
      json.uri,
    );
    assert.deepEqual(
      symbolNamed(jsonSymbols, 'Resources')?.children.map((child) => child.name),
      ['Queue', 'Alarm'],
    );
  });

  it('goes to the definition of Ref, GetAtt, DependsOn, Sub ${} and conditions', async () => {
    const definitionOf = async (needle: string, shift: number) => {
      const locations = await vscode.commands.executeCommand<Array<vscode.Location | vscode.LocationLink>>(
        'vscode.executeDefinitionProvider',
        yaml.uri,
        positionOf(yaml, needle, shift),
      );
      assert.equal(locations.length, 1, `one definition for ${needle}`);
      const location = locations[0];
      const range = 'targetRange' in location ? location.targetRange : location.range;
      return [yaml.getText(range), range.start.line];
    };
    const vpcLine = positionOf(yaml, '  Vpc:').line;
    assert.deepEqual(await definitionOf('VpcId: !Ref Vpc', 13), ['Vpc', vpcLine]);
    assert.deepEqual(await definitionOf('!GetAtt Vpc.CidrBlock', 9), ['Vpc', vpcLine]);
    assert.deepEqual(await definitionOf('DependsOn: Vpc', 12), ['Vpc', vpcLine]);
    assert.deepEqual(await definitionOf('${Env}', 3), ['Env', positionOf(yaml, '  Env:').line]);
    assert.deepEqual(await definitionOf('Condition: IsProd', 12), ['IsProd', positionOf(yaml, '  IsProd:').line]);
  });

  it('finds every reference to a resource', async () => {
    const locations = await vscode.commands.executeCommand<vscode.Location[]>(
      'vscode.executeReferenceProvider',
      yaml.uri,
      positionOf(yaml, '  Vpc:', 3),
    );
    const lines = locations.map((location) => [yaml.getText(location.range), location.range.start.line]);
    assert.deepEqual(
      lines.sort((a, b) => Number(a[1]) - Number(b[1])),
      [
        ['Vpc', positionOf(yaml, '  Vpc:').line],
        ['Vpc', positionOf(yaml, 'DependsOn: Vpc').line],
        ['Vpc', positionOf(yaml, 'VpcId: !Ref Vpc').line],
        ['Vpc', positionOf(yaml, '!GetAtt Vpc').line],
      ],
    );
  });

  it('completes resource types and properties, and hovers a resource type', async () => {
    const document = await vscode.workspace.openTextDocument({
      language: 'yaml',
      content: 'Resources:\n  Jobs:\n    Type: AWS::SQS::Q\n    Properties:\n      Queue\n',
    });
    const types = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      document.uri,
      new vscode.Position(2, '    Type: AWS::SQS::Q'.length),
    );
    assert.ok(
      types.items.some((item) => item.label === 'AWS::SQS::Queue' && item.kind === vscode.CompletionItemKind.Class),
    );
    const properties = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      document.uri,
      new vscode.Position(4, '      Queue'.length),
    );
    const queueName = properties.items.find((item) => item.label === 'QueueName');
    assert.ok(queueName, `no QueueName in ${properties.items.map((item) => String(item.label)).join(', ')}`);
    assert.equal(queueName.kind, vscode.CompletionItemKind.Property);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      yaml.uri,
      positionOf(yaml, 'AWS::EC2::Subnet', 5),
    );
    const text = hovers
      .flatMap((hover) => hover.contents)
      .map((content) => (typeof content === 'string' ? content : content.value))
      .join('\n');
    assert.match(text, /\*\*AWS::EC2::Subnet\*\*/);
  });
});
