import * as vscode from 'vscode';
import type { SourceRange, TfDocument, TfFile, TfSeverity } from '../../../core/iac/terraform';
import { commandRegistrar, UserError } from '../../shared/commands';
import type { PilotLightContext } from '../../shared/pilotLightContext';

export const TERRAFORM_COMMANDS = { checkDrift: 'pilotLight.terraform.checkDrift' } as const;

export const TERRAFORM_LANGUAGE = 'terraform';
const SELECTOR: vscode.DocumentSelector = [{ language: TERRAFORM_LANGUAGE }];
/** Files of one module read for references; more are ignored (and said so in the log). */
const MAX_MODULE_FILES = 200;

type TerraformCore = typeof import('../../../core/iac/terraform');
let corePromise: Promise<TerraformCore> | undefined;
const core = () => (corePromise ??= import('../../../core/iac/terraform'));

export function toRange(range: SourceRange): vscode.Range {
  return new vscode.Range(range.start.line - 1, range.start.column - 1, range.end.line - 1, range.end.column - 1);
}

const severity = (value: TfSeverity): vscode.DiagnosticSeverity =>
  value === 'error'
    ? vscode.DiagnosticSeverity.Error
    : value === 'warning'
      ? vscode.DiagnosticSeverity.Warning
      : vscode.DiagnosticSeverity.Information;

/**
 * Parses and caches .tf files: open documents by version, files on disk by modification time. A module is the
 * folder's .tf files, as Terraform reads them.
 */
export class TerraformWorkspace {
  private readonly cache = new Map<string, { key: string; doc: Promise<TfDocument> }>();

  constructor(private readonly log: vscode.LogOutputChannel) {}

  parse(document: vscode.TextDocument): Promise<TfDocument> {
    return this.cached(document.uri.toString(), `v${document.version}`, () => document.getText());
  }

  private cached(uri: string, key: string, text: () => string | Promise<string>): Promise<TfDocument> {
    const hit = this.cache.get(uri);
    if (hit?.key === key) return hit.doc;
    const doc = (async () => (await core()).parseTerraform(await text()))();
    this.cache.set(uri, { key, doc });
    doc.catch(() => this.cache.delete(uri));
    return doc;
  }

  /** The document's module: every .tf file in its folder (open documents as edited). */
  async module(document: vscode.TextDocument): Promise<TfFile[]> {
    const files: TfFile[] = [{ uri: document.uri.toString(), doc: await this.parse(document) }];
    if (document.uri.scheme !== 'file') return files;
    const folder = vscode.Uri.joinPath(document.uri, '..');
    let entries: Array<[string, vscode.FileType]>;
    try {
      entries = await vscode.workspace.fs.readDirectory(folder);
    } catch {
      return files;
    }
    const siblings = entries
      .filter(([name, type]) => type === vscode.FileType.File && name.endsWith('.tf'))
      .map(([name]) => vscode.Uri.joinPath(folder, name))
      .filter((uri) => uri.toString() !== document.uri.toString());
    if (siblings.length > MAX_MODULE_FILES)
      this.log.warn(`Terraform: ${folder.fsPath} has ${siblings.length} .tf files; only ${MAX_MODULE_FILES} are read.`);
    const { MAX_TF_CHARS } = await core();
    for (const uri of siblings.slice(0, MAX_MODULE_FILES)) {
      const open = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === uri.toString());
      try {
        if (open) {
          files.push({ uri: uri.toString(), doc: await this.parse(open) });
          continue;
        }
        const stat = await vscode.workspace.fs.stat(uri);
        if (stat.size > MAX_TF_CHARS * 3) continue;
        const doc = await this.cached(uri.toString(), `m${stat.mtime}:${stat.size}`, async () =>
          new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)),
        );
        files.push({ uri: uri.toString(), doc });
      } catch (error) {
        this.log.debug(`Terraform: skipped ${uri.fsPath}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return files;
  }

  forget(uri: vscode.Uri): void {
    this.cache.delete(uri.toString());
  }
}

// Functions, not tables: `vscode` enums are read when first needed, never at module load.
const symbolKind = (kind: string): vscode.SymbolKind =>
  ({
    resource: vscode.SymbolKind.Class,
    data: vscode.SymbolKind.Interface,
    module: vscode.SymbolKind.Module,
    variable: vscode.SymbolKind.Variable,
    output: vscode.SymbolKind.Property,
    local: vscode.SymbolKind.Constant,
    provider: vscode.SymbolKind.Package,
  })[kind] ?? vscode.SymbolKind.Struct;

const completionKind = (kind: string): vscode.CompletionItemKind =>
  ({
    type: vscode.CompletionItemKind.Class,
    argument: vscode.CompletionItemKind.Property,
    block: vscode.CompletionItemKind.Struct,
    reference: vscode.CompletionItemKind.Reference,
  })[kind] ?? vscode.CompletionItemKind.Field;

/**
 * Terraform (.tf) language features: outline, go to definition, references, diagnostics and completion. The
 * parser (tree-sitter, wasm) and the analysis load when the first .tf file is opened.
 */
export function registerTerraform(ctx: PilotLightContext): TerraformWorkspace {
  const workspace = new TerraformWorkspace(ctx.log);
  const diagnostics = vscode.languages.createDiagnosticCollection('terraform');
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  const refresh = async (document: vscode.TextDocument) => {
    if (document.languageId !== TERRAFORM_LANGUAGE) return;
    try {
      const files = await workspace.module(document);
      const found = (await core()).diagnose(files, document.uri.toString());
      diagnostics.set(
        document.uri,
        found.map((problem) => {
          const diagnostic = new vscode.Diagnostic(toRange(problem.range), problem.message, severity(problem.severity));
          diagnostic.source = 'Pilot Light';
          diagnostic.code = problem.code;
          return diagnostic;
        }),
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      diagnostics.set(document.uri, [
        new vscode.Diagnostic(
          new vscode.Range(0, 0, 0, 0),
          `Not checked: ${message}`,
          vscode.DiagnosticSeverity.Warning,
        ),
      ]);
    }
  };
  const schedule = (document: vscode.TextDocument) => {
    if (document.languageId !== TERRAFORM_LANGUAGE) return;
    const key = document.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        void refresh(document);
      }, 250),
    );
  };

  ctx.extension.subscriptions.push(
    diagnostics,
    { dispose: () => timers.forEach((timer) => clearTimeout(timer)) },
    vscode.workspace.onDidOpenTextDocument((document) => void refresh(document)),
    vscode.workspace.onDidChangeTextDocument((event) => schedule(event.document)),
    vscode.workspace.onDidSaveTextDocument((document) => void refresh(document)),
    vscode.workspace.onDidCloseTextDocument((document) => {
      diagnostics.delete(document.uri);
      workspace.forget(document.uri);
    }),
    vscode.languages.registerDocumentSymbolProvider(SELECTOR, {
      async provideDocumentSymbols(document) {
        const convert = (symbol: import('../../../core/iac/terraform').TfSymbol): vscode.DocumentSymbol => {
          const result = new vscode.DocumentSymbol(
            symbol.name,
            symbol.detail,
            symbolKind(symbol.kind),
            toRange(symbol.range),
            toRange(symbol.selectionRange),
          );
          result.children = symbol.children.map(convert);
          return result;
        };
        return (await core()).documentSymbols(await workspace.parse(document)).map(convert);
      },
    }),
    vscode.languages.registerDefinitionProvider(SELECTOR, {
      async provideDefinition(document, position) {
        const files = await workspace.module(document);
        const definition = (await core()).definitionAt(files, document.uri.toString(), document.offsetAt(position));
        return definition
          ? new vscode.Location(vscode.Uri.parse(definition.uri), toRange(definition.selectionRange))
          : undefined;
      },
    }),
    vscode.languages.registerReferenceProvider(SELECTOR, {
      async provideReferences(document, position, context) {
        const files = await workspace.module(document);
        const terraform = await core();
        const file = files[0];
        const address = terraform.addressAt(file.doc, document.offsetAt(position));
        if (!address) return [];
        return terraform
          .referencesTo(files, address, context.includeDeclaration)
          .map((found) => new vscode.Location(vscode.Uri.parse(found.uri), toRange(found.range)));
      },
    }),
    vscode.languages.registerCompletionItemProvider(
      SELECTOR,
      {
        async provideCompletionItems(document, position) {
          const files = await workspace.module(document);
          const items = (await core()).completionsAt(
            files,
            document.uri.toString(),
            document.getText(),
            document.offsetAt(position),
          );
          return items.map((item) => {
            const completion = new vscode.CompletionItem(item.label, completionKind(item.kind));
            completion.detail = item.detail;
            if (item.insertText) completion.insertText = item.insertText;
            return completion;
          });
        },
      },
      '"',
      '.',
    ),
  );
  registerStateAndDrift(ctx, workspace);
  const open = vscode.workspace.textDocuments;
  if (Array.isArray(open))
    for (const document of open) if (document.languageId === TERRAFORM_LANGUAGE) void refresh(document);
  return workspace;
}

/** `var.x`, `local.x`, `module.x.y` under the cursor: its value as drift would see it, or why it is unknown. */
async function valueHover(
  document: vscode.TextDocument,
  reference: import('../../../core/iac/terraform').TfReference,
  files: import('../../../core/iac/terraform').TfFile[],
): Promise<string> {
  const terraform = await core();
  const folder = folderOf(document);
  let state;
  try {
    // A hover reads the local state file only: it never runs the Terraform CLI.
    state = await terraform.readTerraformState(folder, async () => {
      throw Object.assign(new Error('not run for a hover'), { code: 'ENOENT' });
    });
  } catch {
    state = undefined;
  }
  const variables = terraform.resolveVariables(files, await terraform.readVariableFiles(folder));
  const value = new terraform.TfEvaluator(files, state, variables).evaluate({ kind: 'reference', reference });
  return value.known
    ? `**${reference.text}** = \`${terraform.showValue(value.value).slice(0, 200)}\`${value.source ? ` (from ${value.source})` : ''}`
    : `**${reference.text}**: unknown: ${value.reason}. Pilot Light never reports an unknown value as drift.`;
}

const instanceLabel = (resource: { instanceKey?: number | string }) =>
  resource.instanceKey === undefined
    ? ''
    : `[${typeof resource.instanceKey === 'number' ? resource.instanceKey : JSON.stringify(resource.instanceKey)}] `;

/** `⟵ live: t3.large` after a drifted value; `⟵ live [1]: t3.large` for an instance of count/for_each. */
function driftDecorations(
  document: vscode.TextDocument,
  report: import('../../../core/iac/terraform').TfDriftReport,
): vscode.DecorationOptions[] {
  const byLine = new Map<number, string[]>();
  const uri = document.uri.toString();
  for (const resource of report.resources) {
    if (resource.uri !== uri) continue;
    const texts: Array<[number, string]> =
      resource.status === 'deleted'
        ? [[resource.range.start.line - 1, `⟵ ${instanceLabel(resource)}deleted live`]]
        : resource.attributes
            .filter((attribute) => attribute.status === 'drifted')
            .map((attribute) => [
              attribute.range.start.line - 1,
              attribute.attribute === 'ingress' || attribute.attribute === 'egress'
                ? `⟵ ${instanceLabel(resource)}${attribute.attribute} rules drifted`
                : `⟵ live ${instanceLabel(resource)}: ${showLive(attribute.live)}`.replace(' :', ':'),
            ]);
    for (const [line, text] of texts) byLine.set(line, [...(byLine.get(line) ?? []), text]);
  }
  return [...byLine].map(([line, texts]) => {
    const end = document.lineAt(Math.min(line, document.lineCount - 1)).range.end;
    return { range: new vscode.Range(end, end), renderOptions: { after: { contentText: texts.join('  ') } } };
  });
}

const showLive = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value)).slice(0, 80);

/** Drift findings of every instance for the attribute under the cursor, from the last check. */
function driftHover(
  report: import('../../../core/iac/terraform').TfDriftReport | undefined,
  uri: string,
  offset: number,
): string | undefined {
  if (!report) return undefined;
  const lines: string[] = [];
  for (const resource of report.resources) {
    if (resource.uri !== uri) continue;
    for (const attribute of resource.attributes) {
      if (offset < attribute.range.offset || offset > attribute.range.endOffset) continue;
      const where = `\`${resource.address}\``;
      if (attribute.status === 'drifted')
        lines.push(
          attribute.attribute === 'ingress' || attribute.attribute === 'egress'
            ? `- ${where}: **drifted**: ${attribute.reason ?? ''}`
            : `- ${where}: **drifted**: template \`${showLive(attribute.expected)}\`, live \`${showLive(attribute.live)}\``,
        );
      else if (attribute.status === 'unknown') lines.push(`- ${where}: unknown: ${attribute.reason ?? 'not resolved'}`);
      else lines.push(`- ${where}: in sync (\`${showLive(attribute.live)}\`)`);
    }
  }
  return lines.length ? `**Terraform drift** (${report.region})\n\n${lines.join('\n')}` : undefined;
}

/** Registered reads through the active profile's runner (guardrails, audit of reads when the policy asks). */
async function activeReads(ctx: PilotLightContext) {
  const { runnerReads } = await import('../../../core/resources/runnerReads');
  const connection = await ctx.connection();
  return {
    region: connection.region,
    reads: runnerReads(
      () => ctx.safety.runner(),
      () => connection.identity(),
      'command',
    ),
  };
}

const folderOf = (document: vscode.TextDocument) => vscode.Uri.joinPath(document.uri, '..').fsPath;

/**
 * Terraform state on hover (live ID from the state, live state and key attributes from one registered read) and
 * *Check Terraform Drift* (diagnostics from the source "Pilot Light drift"; re-checked on save once run).
 */
function registerStateAndDrift(ctx: PilotLightContext, workspace: TerraformWorkspace): void {
  const command = commandRegistrar(ctx);
  const drift = vscode.languages.createDiagnosticCollection('terraform-drift');
  const checkedFolders = new Set<string>();
  /** The last drift report per .tf file URI, for hovers and decorations. */
  const reports = new Map<string, import('../../../core/iac/terraform').TfDriftReport>();
  const decoration = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', color: new vscode.ThemeColor('editorWarning.foreground'), fontStyle: 'italic' },
  });
  const decorate = (editor: vscode.TextEditor) => {
    const report = reports.get(editor.document.uri.toString());
    editor.setDecorations(decoration, report ? driftDecorations(editor.document, report) : []);
  };

  const checkDrift = async (document: vscode.TextDocument, quiet = false) => {
    if (document.uri.scheme !== 'file')
      throw new UserError('Save the Terraform file first: drift is read for a folder with its state.');
    const terraform = await core();
    const folder = folderOf(document);
    const state = await terraform.readTerraformState(folder);
    if (!state) {
      if (!quiet)
        void vscode.window.showInformationMessage(
          `No Terraform state for ${folder}: no terraform.tfstate, and the Terraform CLI is not installed (or has no state). Nothing was checked.`,
        );
      return undefined;
    }
    const files = await workspace.module(document);
    const variables = terraform.resolveVariables(files, await terraform.readVariableFiles(folder));
    const { reads, region } = await activeReads(ctx);
    const report = await terraform.terraformDrift(files, state, reads, region, { variables });
    checkedFolders.add(folder);
    const byUri = new Map<string, vscode.Diagnostic[]>();
    const push = (uri: string, diagnostic: vscode.Diagnostic) => {
      diagnostic.source = 'Pilot Light drift';
      (byUri.get(uri) ?? byUri.set(uri, []).get(uri)!).push(diagnostic);
    };
    for (const resource of report.resources) {
      if (resource.status === 'deleted')
        push(
          resource.uri,
          new vscode.Diagnostic(
            toRange(resource.range),
            `${resource.address} (${resource.id}) no longer exists live.`,
            vscode.DiagnosticSeverity.Error,
          ),
        );
      for (const attribute of resource.attributes) {
        if (attribute.status !== 'drifted') continue;
        const message =
          attribute.attribute === 'ingress' || attribute.attribute === 'egress'
            ? `${resource.address} ${attribute.attribute} drifted: ${attribute.reason}. Missing live: ${(attribute.expected as string[]).join('; ') || 'none'}. Only live: ${(attribute.live as string[]).join('; ') || 'none'}.`
            : `${resource.address}.${attribute.attribute} drifted: template ${terraform.showValue(attribute.expected)}, live ${terraform.showValue(attribute.live)}.`;
        push(resource.uri, new vscode.Diagnostic(toRange(attribute.range), message, vscode.DiagnosticSeverity.Warning));
      }
    }
    for (const problem of report.variableProblems) {
      const uri = vscode.Uri.joinPath(vscode.Uri.file(folder), problem.file).toString();
      push(
        uri,
        new vscode.Diagnostic(
          new vscode.Range(0, 0, 0, 0),
          `${problem.message} Variables are unknown until it parses; they are never reported as drift.`,
          vscode.DiagnosticSeverity.Warning,
        ),
      );
    }
    for (const file of files) {
      drift.set(vscode.Uri.parse(file.uri), byUri.get(file.uri) ?? []);
      reports.set(file.uri, report);
    }
    for (const [uri, diagnostics] of byUri)
      if (!files.some((file) => file.uri === uri)) drift.set(vscode.Uri.parse(uri), diagnostics);
    for (const editor of vscode.window.visibleTextEditors) decorate(editor);
    const drifted = report.resources.filter(
      (resource) => resource.status === 'drifted' || resource.status === 'deleted',
    ).length;
    const unchecked = report.resources.filter(
      (resource) => resource.status === 'not-checked' || resource.status === 'not-in-state',
    ).length;
    const variableNote = report.variableProblems.length
      ? ` ${report.variableProblems.map((problem) => problem.message).join(' ')} (variables unknown).`
      : '';
    const summary = `Terraform drift (${state.source === 'state-file' ? 'terraform.tfstate' : 'terraform show'}, ${report.region}): ${drifted ? `${drifted} resource instance(s) drifted` : 'no drift'}; ${report.resources.length - unchecked} checked, ${unchecked} not checked; ${report.apiCalls} read call(s).${variableNote}`;
    ctx.log.info(summary);
    if (!quiet) void vscode.window.showInformationMessage(summary);
    return report;
  };

  ctx.extension.subscriptions.push(
    drift,
    decoration,
    vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach(decorate)),
    vscode.workspace.onDidChangeTextDocument((event) => {
      // Ranges move with edits: drop the decorations until the next check (on save).
      if (event.contentChanges.length && reports.delete(event.document.uri.toString()))
        for (const editor of vscode.window.visibleTextEditors) if (editor.document === event.document) decorate(editor);
    }),
    command(TERRAFORM_COMMANDS.checkDrift, async (uri?: unknown) => {
      const document =
        uri instanceof vscode.Uri
          ? await vscode.workspace.openTextDocument(uri)
          : vscode.window.activeTextEditor?.document;
      if (!document || document.languageId !== TERRAFORM_LANGUAGE)
        throw new UserError('Open a Terraform (.tf) file first.');
      return checkDrift(document);
    }),
    vscode.workspace.onDidSaveTextDocument((document) => {
      if (document.languageId === TERRAFORM_LANGUAGE && checkedFolders.has(folderOf(document)))
        checkDrift(document, true).catch((error) =>
          ctx.log.warn(`Terraform drift: ${error instanceof Error ? error.message : String(error)}`),
        );
    }),
    vscode.languages.registerHoverProvider(SELECTOR, {
      async provideHover(document, position) {
        const terraform = await core();
        const doc = await workspace.parse(document);
        const offset = document.offsetAt(position);
        const findings = driftHover(reports.get(document.uri.toString()), document.uri.toString(), offset);
        if (findings) return new vscode.Hover(new vscode.MarkdownString(findings));
        const reference = terraform.referenceAt(doc, offset);
        if (reference && reference.kind !== 'resource' && reference.kind !== 'data' && document.uri.scheme === 'file')
          return new vscode.Hover(
            new vscode.MarkdownString(await valueHover(document, reference, await workspace.module(document))),
          );
        const block = doc.blocks.find(
          (candidate) =>
            candidate.kind === 'resource' &&
            candidate.address &&
            (candidate.labels.some((label) => label.range.offset <= offset && offset <= label.range.endOffset) ||
              (candidate.keywordRange.offset <= offset && offset <= candidate.keywordRange.endOffset)),
        );
        if (!block?.address || document.uri.scheme !== 'file') return undefined;
        const markdown = new vscode.MarkdownString();
        markdown.appendMarkdown(`**${block.address}**\n\n`);
        let state;
        try {
          state = await terraform.readTerraformState(folderOf(document));
        } catch (error) {
          markdown.appendMarkdown(`State not read: ${error instanceof Error ? error.message : String(error)}`);
          return new vscode.Hover(markdown);
        }
        const instances = [...(state?.resources.values() ?? [])].filter(
          (resource) => resource.blockAddress === block.address && resource.indexKey !== undefined,
        );
        if (state && instances.length) {
          markdown.appendMarkdown(
            `${instances.length} instance(s) (from ${state.source === 'state-file' ? 'terraform.tfstate' : 'terraform show'}):\n\n`,
          );
          for (const instance of instances.slice(0, 50))
            markdown.appendMarkdown(`- \`${instance.address}\`: \`${instance.id ?? 'no ID'}\`\n`);
          return new vscode.Hover(markdown);
        }
        const entry = state?.resources.get(block.address);
        if (!state || !entry?.id) {
          markdown.appendMarkdown(
            state
              ? 'Not in the Terraform state (not applied yet?).'
              : 'No Terraform state here (no terraform.tfstate, no Terraform CLI).',
          );
          return new vscode.Hover(markdown);
        }
        markdown.appendMarkdown(
          `ID \`${entry.id}\` (from ${state.source === 'state-file' ? 'terraform.tfstate' : 'terraform show'})\n\n`,
        );
        try {
          const files = await workspace.module(document);
          const { reads, region } = await activeReads(ctx);
          const live = await terraform.readLiveSummary(
            reads,
            terraform.providerRegion(files) ?? region,
            block.labels[0].value,
            entry.id,
          );
          if (!live) {
            markdown.appendMarkdown(
              terraform.LIVE_MAPPINGS[block.labels[0].value]
                ? 'Live: **not found** (deleted?)'
                : `Live state: not supported yet for ${block.labels[0].value}.`,
            );
          } else {
            markdown.appendMarkdown(`Live${live.state ? `: **${live.state}**` : ''}\n\n`);
            for (const [name, value] of Object.entries(live.attributes)) {
              if (name === 'tags' || value === undefined) continue;
              markdown.appendMarkdown(`- ${name}: \`${terraform.showValue(value).slice(0, 120)}\`\n`);
            }
          }
        } catch (error) {
          markdown.appendMarkdown(`Live state not read: ${error instanceof Error ? error.message : String(error)}`);
        }
        return new vscode.Hover(markdown);
      },
    }),
  );
}
