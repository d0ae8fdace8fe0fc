import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import type { StackDriftReport } from '../../src/core/iac/drift/stackDrift';
import { changeIngressPort, changeInstanceType, deployStack } from '../../tools/seed/threeTier';
import { approving, endpoint, SAMPLE_REGION, testing } from './support/safety';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const STACK = `drift-host-${Date.now().toString(36)}`;
const SOURCE = 'Pilot Light drift';

function target() {
  return {
    endpoint: endpoint(),
    region: SAMPLE_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
}

function driftDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === SOURCE);
}

function lineOf(document: vscode.TextDocument, pattern: RegExp, after = 0): number {
  for (let line = after; line < document.lineCount; line++) if (pattern.test(document.lineAt(line).text)) return line;
  throw new Error(`no line matches ${pattern}`);
}

describe('CloudFormation drift on the template (lenses, hover, diagnostics, decorations, quick fixes)', function () {
  this.timeout(180_000);
  let uri: vscode.Uri;
  let document: vscode.TextDocument;
  let physicalIds: Record<string, string>;
  const original = readFileSync(join(REPO_ROOT, 'samples', 'three-tier', 'template.yaml'), 'utf8');

  before(async () => {
    const { testing: api } = await testing();
    api.setApprovalProvider(approving());
    physicalIds = (await deployStack(target(), STACK, original, { EnvironmentName: STACK })).physicalIds;
    await changeInstanceType(target(), physicalIds.WebInstance, 't3.large');
    await changeIngressPort(
      target(),
      physicalIds.WebSecurityGroup,
      { protocol: 'tcp', from: 443, to: 443, cidr: '0.0.0.0/0' },
      8443,
    );
    const folder = vscode.workspace.workspaceFolders![0].uri;
    uri = vscode.Uri.joinPath(folder, 'infra', 'three-tier.yaml');
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(folder, 'infra'));
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(folder, '.pilotlight'));
    await vscode.workspace.fs.writeFile(uri, Buffer.from(original, 'utf8'));
    await vscode.workspace.fs.writeFile(
      vscode.Uri.joinPath(folder, '.pilotlight', 'iac.json'),
      Buffer.from(JSON.stringify({ cloudformation: { 'infra/three-tier.yaml': STACK } }), 'utf8'),
    );
    document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
  });

  after(async () => {
    const { testing: api } = await testing();
    api.setApprovalProvider(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const folder = vscode.workspace.workspaceFolders![0].uri;
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder, 'infra'), { recursive: true });
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder, '.pilotlight', 'iac.json'));
  });

  it('reports the out-of-band changes as diagnostics and decorations on the template lines', async () => {
    const report = (await vscode.commands.executeCommand('pilotLight.iac.checkDrift', uri)) as StackDriftReport;
    assert.equal(report.stackName, STACK);
    assert.deepEqual(
      report.resources
        .filter((resource) => resource.status === 'drifted')
        .map((resource) => resource.logicalId)
        .sort(),
      ['WebInstance', 'WebSecurityGroup'],
    );
    const diagnostics = driftDiagnostics(uri);
    const webStart = lineOf(document, /^ {2}WebInstance:$/);
    const typeLine = lineOf(document, /^ {6}InstanceType: /, webStart);
    const typeDiagnostic = diagnostics.find((diagnostic) => diagnostic.range.start.line === typeLine);
    assert.ok(typeDiagnostic, `a diagnostic on line ${typeLine + 1}: ${diagnostics.map((d) => d.message).join(' | ')}`);
    assert.match(typeDiagnostic.message, /template says t3\.micro, live is t3\.large/);
    const groupStart = lineOf(document, /^ {2}WebSecurityGroup:$/);
    const ruleLine = lineOf(document, /IpProtocol: tcp/, groupStart);
    assert.ok(
      diagnostics.some(
        (diagnostic) => diagnostic.range.start.line === ruleLine && /not found live/.test(diagnostic.message),
      ),
    );
    assert.ok(
      diagnostics.some((diagnostic) => /8443/.test(diagnostic.message)),
      'the extra live rule is named',
    );

    const controller = (await (await testing()).testing.driftController())!;
    const decorations = controller.decorationsOf(document);
    const onType = decorations.find((decoration) => decoration.range.start.line === typeLine);
    assert.equal(onType?.renderOptions?.after?.contentText, '⟵ live: t3.large');
  });

  it('shows the stack and each resource in code lenses, and live state on hover', async () => {
    const lenses = (await vscode.commands.executeCommand(
      'vscode.executeCodeLensProvider',
      uri,
      100,
    )) as vscode.CodeLens[];
    const titles = lenses.map((lens) => lens.command?.title ?? '');
    for (const title of [`$(cloud) Stack ${STACK} · CREATE_COMPLETE`, 'Check drift', 'Preview changes', 'Deploy'])
      assert.ok(titles.includes(title), `lens "${title}" in ${titles.join(' | ')}`);
    const webLine = lineOf(document, /^ {2}WebInstance:$/);
    const onWeb = lenses.filter((lens) => lens.range.start.line === webLine).map((lens) => lens.command?.title);
    assert.ok(onWeb.includes(`${physicalIds.WebInstance} · running`), onWeb.join(' | '));
    assert.ok(
      onWeb.some((title) => /1 property drifted/.test(title ?? '')),
      onWeb.join(' | '),
    );
    assert.ok(onWeb.includes('Show in explorer'));
    const appLine = lineOf(document, /^ {2}AppInstance:$/);
    assert.ok(lenses.some((lens) => lens.range.start.line === appLine && /in sync/.test(lens.command?.title ?? '')));
    const routeLine = lineOf(document, /^ {2}PublicDefaultRoute:$/);
    assert.ok(lenses.some((lens) => lens.range.start.line === routeLine && /in sync/.test(lens.command?.title ?? '')));

    const hovers = (await vscode.commands.executeCommand(
      'vscode.executeHoverProvider',
      uri,
      new vscode.Position(webLine, 4),
    )) as vscode.Hover[];
    const text = hovers
      .flatMap((hover) => hover.contents.map((content) => (typeof content === 'string' ? content : content.value)))
      .join('\n');
    assert.match(text, new RegExp(`Live ID: \`${physicalIds.WebInstance}\``));
    assert.match(text, /State: running/);
    assert.match(text, /\| Type \| t3\\\.large \|/);
  });

  it('reverts a live security-group rule to the template through the safety core', async () => {
    const ruleLine = lineOf(document, /IpProtocol: tcp/, lineOf(document, /^ {2}WebSecurityGroup:$/));
    const diagnostic = driftDiagnostics(uri).find((d) => d.range.start.line === ruleLine)!;
    const actions = (await vscode.commands.executeCommand(
      'vscode.executeCodeActionProvider',
      uri,
      diagnostic.range,
      vscode.CodeActionKind.QuickFix.value,
    )) as vscode.CodeAction[];
    const revert = actions.find((action) => action.title.startsWith('Revert the live resource to the template'));
    assert.ok(revert?.command, actions.map((action) => action.title).join(' | '));
    const { testing: api } = await testing();
    const approvals = approving();
    api.setApprovalProvider(approvals);
    const result = (await vscode.commands.executeCommand(
      revert.command.command,
      ...(revert.command.arguments ?? []),
    )) as {
      status: string;
    };
    assert.equal(result.status, 'succeeded');
    assert.equal(approvals.requests[0]?.operationId, 'ec2.securityGroups.authorizeIngress');
    const report = (await vscode.commands.executeCommand('pilotLight.iac.checkDrift', uri)) as StackDriftReport;
    const group = report.resources.find((resource) => resource.logicalId === 'WebSecurityGroup')!;
    assert.deepEqual(
      group.properties.filter((p) => p.status === 'drifted').map((p) => [p.path.join('.'), p.reason]),
      [['SecurityGroupIngress', 'live has an extra entry']],
      'the template rule is back; the out-of-band rule is still there',
    );
  });

  it('accepts the live value into the template with a minimal edit, and the saved template is in sync', async () => {
    const typeLine = lineOf(document, /^ {6}InstanceType: /, lineOf(document, /^ {2}WebInstance:$/));
    const diagnostic = driftDiagnostics(uri).find((d) => d.range.start.line === typeLine)!;
    const actions = (await vscode.commands.executeCommand(
      'vscode.executeCodeActionProvider',
      uri,
      diagnostic.range,
      vscode.CodeActionKind.QuickFix.value,
    )) as vscode.CodeAction[];
    const accept = actions.find((action) => action.title === 'Accept live value t3.large into the template');
    assert.ok(accept?.edit, actions.map((action) => action.title).join(' | '));
    const before = document.getText();
    assert.ok(await vscode.workspace.applyEdit(accept.edit));
    const after = document.getText();
    const beforeLines = before.split('\n');
    const afterLines = after.split('\n');
    assert.equal(afterLines.length, beforeLines.length);
    const changed = afterLines.map((line, index) => index).filter((index) => afterLines[index] !== beforeLines[index]);
    assert.deepEqual(changed, [typeLine]);
    assert.equal(afterLines[typeLine], '      InstanceType: t3.large');
    assert.ok(await document.save());
    const report = (await vscode.commands.executeCommand('pilotLight.iac.checkDrift', uri)) as StackDriftReport;
    const web = report.resources.find((resource) => resource.logicalId === 'WebInstance')!;
    assert.equal(web.status, 'in-sync');
    assert.ok(!driftDiagnostics(uri).some((d) => d.range.start.line === typeLine));
  });

  it('previews the template change as a change set and deploys it through the safety core', async () => {
    const preview = (await vscode.commands.executeCommand('pilotLight.iac.previewChanges', uri)) as {
      created: { status: string };
      changeSet?: { status?: string; summary: string[] };
    };
    assert.equal(preview.created.status, 'succeeded');
    assert.equal(preview.changeSet?.status, 'CREATE_COMPLETE');
    assert.ok(
      preview.changeSet!.summary.some((line) => /Modify WebInstance/.test(line)),
      preview.changeSet!.summary.join('\n'),
    );
    const { testing: api } = await testing();
    const approvals = approving();
    api.setApprovalProvider(approvals);
    const deployed = (await vscode.commands.executeCommand('pilotLight.iac.deploy', uri)) as { status: string };
    assert.equal(deployed.status, 'succeeded');
    const confirmation = approvals.requests.find(
      (request) => request.operationId === 'cloudformation.changeSets.execute',
    );
    assert.ok(
      confirmation?.preview?.changes.some((line) => /Modify WebInstance/.test(line)),
      'the change set is shown before it runs',
    );
  });
});
