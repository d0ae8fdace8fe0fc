import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RecoveryPlanEditor } from '../../src/features/editors/recoveryPlan/planEditor';
import type { ToWebview } from '../../src/protocol/recoveryPlan';
import { eventually, groupYaml, removeDrFiles, writeDrFile } from './support/dr';
import { EXTENSION_ID } from './support/explorerWalk';
import { testing } from './support/safety';

const PLAN_TEXT = `# Host test plan: the comments must survive every edit
schemaVersion: 2
kind: RecoveryPlan
name: host-editor-plan # shown in runs
waves:
  - name: db # first
    protectionGroups: [host-editor-db]
  - name: app
    protectionGroups: [host-editor-app]
    dependsOn:
      - db
`;

function lastView(editor: RecoveryPlanEditor): Extract<ToWebview, { type: 'view' }> | undefined {
  return [...editor.messagesSent].reverse().find((m): m is Extract<ToWebview, { type: 'view' }> => m.type === 'view');
}
function lastResult(editor: RecoveryPlanEditor): Extract<ToWebview, { type: 'result' }> | undefined {
  return [...editor.messagesSent]
    .reverse()
    .find((m): m is Extract<ToWebview, { type: 'result' }> => m.type === 'result');
}

describe('recovery plan visual editor (custom text editor)', function () {
  this.timeout(120_000);
  const files: string[] = [];
  let uri: vscode.Uri;
  let editor: RecoveryPlanEditor;

  before(async () => {
    files.push(writeDrFile('groups/host-editor-db.protection-group.yaml', groupYaml('host-editor-db', 'db')));
    files.push(writeDrFile('groups/host-editor-app.protection-group.yaml', groupYaml('host-editor-app', 'app')));
    const path = writeDrFile('plans/host-editor.recovery-plan.yaml', PLAN_TEXT);
    files.push(path);
    uri = vscode.Uri.file(path);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    removeDrFiles(files);
  });

  it('opens with "Open With" as a webview that draws the plan, under the webview rules', async () => {
    const { testing: hooks } = await testing();
    await vscode.commands.executeCommand('vscode.openWith', uri, 'pilotLight.recoveryPlanEditor');
    editor = await eventually('the visual editor of the plan', async () =>
      (await hooks.recoveryPlanEditors()).find((candidate) => candidate.document.uri.fsPath === uri.fsPath),
    );
    await editor.whenRendered(editor.document.version);
    const view = lastView(editor);
    assert.equal(view?.view.status, 'ok');
    assert.deepEqual(view?.view.status === 'ok' ? view.view.waves.map((w) => [w.name, w.layer, w.dependsOn]) : [], [
      ['db', 0, []],
      ['app', 1, ['db']],
    ]);
    const html = editor.panel.webview.html.replace(/&#39;/g, "'");
    assert.match(html, /default-src 'none'/);
    assert.match(html, /script-src 'nonce-[A-Za-z0-9]{16,}'/);
    // Every script and stylesheet is the extension's own dist/webview bundle, served by VS Code's resource host.
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(sources.length, 2);
    const extensionUri = vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri;
    const own = (file: string) =>
      editor.panel.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', file)).toString();
    assert.deepEqual(sources.sort(), [own('recovery-plan.css'), own('recovery-plan.js')].sort());
    assert.ok(
      sources.every((source) => /\/dist\/webview\/recovery-plan\.(js|css)$/.test(source)),
      sources.join(', '),
    );
    const roots = editor.panel.webview.options.localResourceRoots ?? [];
    assert.deepEqual(
      roots.map((root) => root.path.split('/').slice(-2).join('/')),
      ['dist/webview'],
    );
  });

  it('an intent edits the TextDocument minimally, the graph follows, and undo restores the text', async () => {
    const before = editor.document.getText();
    await editor.deliver({
      type: 'intent',
      requestId: 'h1',
      intent: { kind: 'addWave', name: 'web', protectionGroups: ['host-editor-app'], dependsOn: ['app'] },
    });
    assert.equal(lastResult(editor)?.ok, true, JSON.stringify(lastResult(editor)));
    const after = editor.document.getText();
    assert.equal(after, `${before}  - name: web\n    protectionGroups: [host-editor-app]\n    dependsOn: [app]\n`);
    assert.ok(editor.document.isDirty, 'the edit makes the document dirty, as typing would');
    await editor.whenRendered(editor.document.version);
    const view = lastView(editor);
    assert.equal(view?.version, editor.document.version);
    assert.deepEqual(view?.view.status === 'ok' ? view.view.waves.map((w) => w.layer) : [], [0, 1, 2]);

    await editor.deliver({ type: 'intent', requestId: 'h2', intent: { kind: 'connect', from: 'web', to: 'db' } });
    assert.equal(lastResult(editor)?.ok, false);
    assert.match(lastResult(editor)?.message ?? '', /cycle db → web → app → db/);
    assert.equal(editor.document.getText(), after, 'a refused intent changes nothing');

    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    await vscode.commands.executeCommand('undo');
    await eventually(
      'undo restores the text',
      async () => (editor.document.getText() === before ? true : undefined),
      10_000,
    );
    await eventually(
      'the graph follows the undo',
      async () => {
        const current = lastView(editor);
        return current?.version === editor.document.version &&
          current.view.status === 'ok' &&
          current.view.waves.length === 2
          ? true
          : undefined;
      },
      10_000,
    );
    await vscode.commands.executeCommand('redo');
    await eventually(
      'redo applies it again',
      async () => (editor.document.getText() === after ? true : undefined),
      10_000,
    );
    await vscode.commands.executeCommand('undo');
    await eventually('undone again', async () => (editor.document.getText() === before ? true : undefined), 10_000);
  });

  it('text typed elsewhere reaches the graph; invalid YAML is an error state and is never rewritten', async () => {
    const edit = new vscode.WorkspaceEdit();
    const text = editor.document.getText();
    const at = editor.document.positionAt(text.indexOf('  - name: app'));
    edit.insert(uri, at, '  - name: cache\n    protectionGroups: [host-editor-db]\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await eventually('the typed wave in the graph', async () => {
      const view = lastView(editor);
      return view?.version === editor.document.version &&
        view.view.status === 'ok' &&
        view.view.waves.some((w) => w.name === 'cache')
        ? true
        : undefined;
    });

    const broken = new vscode.WorkspaceEdit();
    const brokenAt = editor.document.getText().indexOf('[host-editor-db]');
    broken.replace(
      uri,
      new vscode.Range(editor.document.positionAt(brokenAt), editor.document.positionAt(brokenAt + 16)),
      '[host-editor-db',
    );
    assert.ok(await vscode.workspace.applyEdit(broken));
    const view = await eventually('the error state', async () => {
      const current = lastView(editor);
      return current?.version === editor.document.version && current.view.status === 'error' ? current.view : undefined;
    });
    assert.ok(view.status === 'error' && view.line >= 7, JSON.stringify(view));
    const brokenText = editor.document.getText();
    await editor.deliver({ type: 'intent', requestId: 'h3', intent: { kind: 'removeWave', wave: 'app' } });
    assert.equal(lastResult(editor)?.ok, false);
    assert.match(lastResult(editor)?.message ?? '', /YAML errors/);
    assert.equal(editor.document.getText(), brokenText, 'no rewrite of a file that does not parse');
    await editor.deliver({ type: 'intent', requestId: 'h4', intent: { kind: 'addWave', name: 'a b' } });
    await editor.deliver({ type: 'bogus' });
    const error = [...editor.messagesSent].reverse().find((m) => m.type === 'error');
    assert.match(error?.type === 'error' ? error.message : '', /Invalid message "bogus"/);
  });
});
