import * as vscode from 'vscode';
import { commandRegistrar, UserError } from '../../shared/commands';
import type { PilotLightContext } from '../../shared/pilotLightContext';
import type { CfnLanguageFeature } from '../language/registerCfnLanguage';
import type { DriftController } from './driftController';

/** Delay before templates already open at activation are checked (never inside activate()). */
const STARTUP_DELAY_MS = 400;
/**
 * After a template's diagnostics publish, drift waits this long before it loads (the core, credentials, AWS
 * calls): a busy host would otherwise hold back the diagnostics' delivery to the editor.
 */
const AFTER_DIAGNOSTICS_MS = 150;
const SNIFF_CHARS = 65_536;
const TEMPLATE_SELECTOR: vscode.DocumentSelector = [{ language: 'yaml' }, { language: 'json' }, { language: 'jsonc' }];

/** A cheap look before anything loads: CloudFormation templates name their format version or AWS:: types. */
export function mightBeTemplate(document: vscode.TextDocument): boolean {
  if (!['yaml', 'json', 'jsonc'].includes(document.languageId) || document.uri.scheme !== 'file') return false;
  const head = document.getText().slice(0, SNIFF_CHARS);
  return /AWSTemplateFormatVersion|\bType["']?\s*:\s*["']?AWS::[A-Za-z0-9]+::/.test(head);
}

export interface DriftFeature {
  /** The controller, loaded on the first template (tests). */
  controller(): Promise<DriftController>;
}

/**
 * Drift on CloudFormation templates: lenses, hovers, quick fixes and checks on open and save. Registers
 * providers and commands only; the controller and the core load when the first template shows up.
 */
export let registeredDriftFeature: DriftFeature | undefined;

export function registerIacDrift(ctx: PilotLightContext, cfn: CfnLanguageFeature): DriftFeature {
  let loading: Promise<DriftController> | undefined;
  const controller = (): Promise<DriftController> =>
    (loading ??= import('./driftController').then(({ DriftController }) => {
      const created = new DriftController(ctx, cfn.documents);
      ctx.extension.subscriptions.push(
        created,
        created.onDidChangeCodeLenses(() => lensEmitter.fire()),
      );
      return created;
    }));
  const lensEmitter = new vscode.EventEmitter<void>();
  const command = commandRegistrar(ctx);
  const documentOf = async (uri?: vscode.Uri): Promise<vscode.TextDocument> => {
    const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    if (!target) throw new UserError('Open a CloudFormation template first.');
    const document = await vscode.workspace.openTextDocument(target);
    if (!mightBeTemplate(document))
      throw new UserError(`${vscode.workspace.asRelativePath(target)} is not a CloudFormation template.`);
    return document;
  };
  // The template's own diagnostics publish first; drift (the core, credentials, AWS calls) loads after them.
  const checkQuietly = (document: vscode.TextDocument, trigger: 'open' | 'save'): void => {
    if (!mightBeTemplate(document)) return;
    void cfn.diagnostics
      .settled(document)
      .then(() => new Promise((resolve) => setTimeout(resolve, AFTER_DIAGNOSTICS_MS)))
      .then(controller)
      .then((loaded) => loaded.check(document, trigger))
      .catch((error) => ctx.log.warn(`Drift: ${error instanceof Error ? error.message : String(error)}`));
  };
  const timer = setTimeout(() => {
    for (const editor of vscode.window.visibleTextEditors) checkQuietly(editor.document, 'open');
  }, STARTUP_DELAY_MS);
  timer.unref?.();

  ctx.extension.subscriptions.push(
    { dispose: () => clearTimeout(timer) },
    lensEmitter,
    vscode.workspace.onDidOpenTextDocument((document) => checkQuietly(document, 'open')),
    vscode.workspace.onDidSaveTextDocument((document) => checkQuietly(document, 'save')),
    vscode.languages.registerCodeLensProvider(TEMPLATE_SELECTOR, {
      onDidChangeCodeLenses: lensEmitter.event,
      provideCodeLenses: async (document) => {
        if (!mightBeTemplate(document)) return [];
        await cfn.diagnostics.settled(document);
        return (await controller()).provideCodeLenses(document);
      },
    }),
    vscode.languages.registerHoverProvider(TEMPLATE_SELECTOR, {
      provideHover: async (document, position) =>
        loading && mightBeTemplate(document) ? (await controller()).provideHover(document, position) : undefined,
    }),
    vscode.languages.registerCodeActionsProvider(
      TEMPLATE_SELECTOR,
      {
        provideCodeActions: async (document, range, context) =>
          loading && context.diagnostics.some((diagnostic) => diagnostic.source === 'Pilot Light drift')
            ? (await controller()).provideCodeActions(document, range, context)
            : [],
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
    command('pilotLight.iac.checkDrift', async (uri?: vscode.Uri) => {
      const document = await documentOf(uri);
      return (await controller()).check(document, 'command');
    }),
    command('pilotLight.iac.linkStack', async (uri?: vscode.Uri) =>
      (await controller()).chooseStack(await documentOf(uri)),
    ),
    command('pilotLight.iac.previewChanges', async (uri?: vscode.Uri) =>
      (await controller()).previewChanges(await documentOf(uri)),
    ),
    command('pilotLight.iac.deploy', async (uri?: vscode.Uri) => (await controller()).deploy(await documentOf(uri))),
    command(
      'pilotLight.iac.revertToTemplate',
      async (uri: vscode.Uri, logicalId: string, path: Array<string | number>) =>
        (await controller()).revert(await documentOf(uri), logicalId, path),
    ),
  );
  registeredDriftFeature = { controller };
  return registeredDriftFeature;
}
