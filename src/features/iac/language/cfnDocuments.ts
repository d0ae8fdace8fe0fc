import { join } from 'node:path';
import * as vscode from 'vscode';
import { mightBeCloudFormationTemplate } from '../../../core/iac/cloudformation/recognize';
import type { CfnEnums, CfnTemplate, CfnTypeKnowledge } from '../../../core/iac/cloudformation/service';

/** The CloudFormation core for the editor: parser, checks and language answers, loaded on first use. */
export const loadCfnService = () => import('../../../core/iac/cloudformation/service');

/** Documents that may hold a template: YAML or JSON (the language id is the user's; the content decides). */
export const CFN_SELECTOR: vscode.DocumentSelector = [
  { language: 'yaml', scheme: 'file' },
  { language: 'yaml', scheme: 'untitled' },
  { language: 'json', scheme: 'file' },
  { language: 'json', scheme: 'untitled' },
  { language: 'jsonc', scheme: 'file' },
  { language: 'jsonc', scheme: 'untitled' },
];

const LANGUAGES = new Set(['yaml', 'json', 'jsonc']);

/**
 * Parsed templates of open documents (one parse per document version), recognised by content, and the
 * type knowledge (dist/iac/cfn-types.json.br), read when the first template is seen.
 */
export class CfnDocuments implements vscode.Disposable {
  private readonly cache = new Map<string, { version: number; template: CfnTemplate }>();
  private typesPromise?: Promise<CfnTypeKnowledge | undefined>;
  private enumsPromise?: Promise<CfnEnums | undefined>;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly extensionPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = vscode.workspace.onDidCloseTextDocument((document) =>
      this.cache.delete(document.uri.toString()),
    );
  }

  /** A cheap test before anything is loaded: language, scheme, and a look at the text. */
  isCandidate(document: vscode.TextDocument): boolean {
    return (
      LANGUAGES.has(document.languageId) &&
      (document.uri.scheme === 'file' || document.uri.scheme === 'untitled') &&
      mightBeCloudFormationTemplate(document.getText())
    );
  }

  /** The document's template, or undefined when the document is not a CloudFormation template. */
  async template(document: vscode.TextDocument): Promise<CfnTemplate | undefined> {
    if (!this.isCandidate(document)) return undefined;
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached?.version === document.version) return cached.template.isCloudFormation ? cached.template : undefined;
    const { parseTemplate } = await loadCfnService();
    const template = parseTemplate(document.getText());
    this.cache.set(key, { version: document.version, template });
    return template.isCloudFormation ? template : undefined;
  }

  /** Resource types and properties; undefined (logged once) when the file cannot be read. */
  types(): Promise<CfnTypeKnowledge | undefined> {
    this.typesPromise ??= loadCfnService()
      .then(({ loadCfnTypeKnowledge }) =>
        loadCfnTypeKnowledge(join(this.extensionPath, 'dist', 'iac', 'cfn-types.json.br')),
      )
      .catch((error: unknown) => {
        this.log.error(`CloudFormation: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      });
    return this.typesPromise;
  }

  /** Allowed property values (dist/iac/cfn-enums.json.br), read on the first completion; undefined (logged) when missing. */
  enums(): Promise<CfnEnums | undefined> {
    this.enumsPromise ??= loadCfnService()
      .then(({ loadCfnEnums }) => loadCfnEnums(join(this.extensionPath, 'dist', 'iac', 'cfn-enums.json.br')))
      .catch((error: unknown) => {
        this.log.error(`CloudFormation: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      });
    return this.enumsPromise;
  }

  dispose(): void {
    this.subscription.dispose();
    this.cache.clear();
  }
}
