import * as vscode from 'vscode';
import type { TemplateCompletion, TemplateSymbol } from '../../../core/iac/cloudformation/service';
import type { PilotLightContext } from '../../shared/pilotLightContext';
import { CfnDiagnostics } from './cfnDiagnostics';
import { CFN_SELECTOR, CfnDocuments, loadCfnService } from './cfnDocuments';

export interface CfnLanguageFeature {
  documents: CfnDocuments;
  diagnostics: CfnDiagnostics;
}

/** Opened templates are checked this long after activation, not during it. */
const OPEN_DOCUMENTS_DELAY_MS = 500;

// Built on first use: the enums are read when a template is seen, not when the bundle loads.
const symbolKinds = (): Record<TemplateSymbol['kind'], vscode.SymbolKind> => ({
  section: vscode.SymbolKind.Namespace,
  parameter: vscode.SymbolKind.Variable,
  mapping: vscode.SymbolKind.Struct,
  condition: vscode.SymbolKind.Boolean,
  resource: vscode.SymbolKind.Class,
  output: vscode.SymbolKind.Property,
  rule: vscode.SymbolKind.Function,
});

const completionKinds = (): Record<TemplateCompletion['kind'], vscode.CompletionItemKind> => ({
  'resource-type': vscode.CompletionItemKind.Class,
  property: vscode.CompletionItemKind.Property,
  section: vscode.CompletionItemKind.Module,
  'resource-attribute': vscode.CompletionItemKind.Keyword,
  reference: vscode.CompletionItemKind.Reference,
  attribute: vscode.CompletionItemKind.Field,
  value: vscode.CompletionItemKind.EnumMember,
});

function range(document: vscode.TextDocument, start: number, end: number): vscode.Range {
  return new vscode.Range(document.positionAt(start), document.positionAt(end));
}

/**
 * CloudFormation language features on YAML and JSON documents whose content is a template (the language
 * id stays the user's): outline, definition, references, hover, completion and diagnostics. Registering
 * costs no parse; the core and the type knowledge load when the first template is seen.
 */
export function registerCfnLanguage(ctx: PilotLightContext): CfnLanguageFeature {
  const documents = new CfnDocuments(ctx.extension.extensionPath, ctx.log);
  const diagnostics = new CfnDiagnostics(documents);
  const toSymbol = (document: vscode.TextDocument, symbol: TemplateSymbol): vscode.DocumentSymbol => {
    const result = new vscode.DocumentSymbol(
      symbol.name,
      symbol.detail ?? '',
      symbolKinds()[symbol.kind],
      range(document, symbol.range.start, symbol.range.end),
      range(document, symbol.selection.start, symbol.selection.end),
    );
    result.children = symbol.children.map((child) => toSymbol(document, child));
    return result;
  };
  const timer = setTimeout(() => diagnostics.validateOpenDocuments(), OPEN_DOCUMENTS_DELAY_MS);
  timer.unref?.();

  ctx.extension.subscriptions.push(
    { dispose: () => clearTimeout(timer) },
    documents,
    diagnostics,
    vscode.languages.registerDocumentSymbolProvider(
      CFN_SELECTOR,
      {
        async provideDocumentSymbols(document) {
          const template = await documents.template(document);
          if (!template) return undefined;
          const { documentSymbols } = await loadCfnService();
          return documentSymbols(template).map((symbol) => toSymbol(document, symbol));
        },
      },
      { label: 'CloudFormation' },
    ),
    vscode.languages.registerDefinitionProvider(CFN_SELECTOR, {
      async provideDefinition(document, position) {
        const template = await documents.template(document);
        if (!template) return undefined;
        const { definitionAt } = await loadCfnService();
        const definition = definitionAt(template, document.offsetAt(position));
        return definition
          ? new vscode.Location(document.uri, range(document, definition.keyStart, definition.keyEnd))
          : undefined;
      },
    }),
    vscode.languages.registerReferenceProvider(CFN_SELECTOR, {
      async provideReferences(document, position, context) {
        const template = await documents.template(document);
        if (!template) return undefined;
        const { referencesAt } = await loadCfnService();
        return referencesAt(template, document.offsetAt(position), context.includeDeclaration).map(
          (found) => new vscode.Location(document.uri, range(document, found.start, found.end)),
        );
      },
    }),
    vscode.languages.registerHoverProvider(CFN_SELECTOR, {
      async provideHover(document, position) {
        const template = await documents.template(document);
        if (!template) return undefined;
        const [{ hoverAt }, types] = await Promise.all([loadCfnService(), documents.types()]);
        const hover = hoverAt(template, document.offsetAt(position), types);
        return hover
          ? new vscode.Hover(
              new vscode.MarkdownString(hover.markdown),
              range(document, hover.range.start, hover.range.end),
            )
          : undefined;
      },
    }),
    vscode.languages.registerCompletionItemProvider(
      CFN_SELECTOR,
      {
        async provideCompletionItems(document, position) {
          const template = await documents.template(document);
          if (!template) return undefined;
          const [{ completionsAt }, types, enums] = await Promise.all([
            loadCfnService(),
            documents.types(),
            documents.enums(),
          ]);
          return completionsAt(template, document.offsetAt(position), types, enums).map((found) => {
            const item = new vscode.CompletionItem(found.label, completionKinds()[found.kind]);
            item.range = range(document, found.replace.start, found.replace.end);
            if (found.insertText) {
              item.insertText = found.insertText;
              item.filterText = found.insertText;
            }
            if (found.detail) item.detail = found.detail;
            if (found.documentation) item.documentation = new vscode.MarkdownString(found.documentation);
            if (found.preselect) item.sortText = `0${found.label}`;
            return item;
          });
        },
      },
      ':',
      '.',
    ),
  );
  return { documents, diagnostics };
}
