import * as vscode from 'vscode';
import type { SourceRange, TfDocument, TfFile, TfSeverity } from '../../../core/iac/terraform';
import type { PilotLightContext } from '../../shared/pilotLightContext';

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
    let entries: Array<[string, vscode.FileType]> = [];
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
        new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `Not checked: ${message}`, vscode.DiagnosticSeverity.Warning),
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
  const open = vscode.workspace.textDocuments;
  if (Array.isArray(open)) for (const document of open) if (document.languageId === TERRAFORM_LANGUAGE) void refresh(document);
  return workspace;
}
