import * as vscode from 'vscode';
import type {
  LaunchTemplateData,
  LaunchTemplateEditor,
  OpenedTemplate,
  RevealedUserData,
  RunFunction,
} from '../../../core/launchTemplates';
import type { OperationPreview } from '../../../core/operations/preview';
import type { RunOutcome } from '../../../core/operations/runner';
import type { Caller } from '../../../core/operations/types';
import type {
  DrsLaunchSettings,
  EditorState,
  Finding,
  LaunchTemplateForm,
  ToHost,
  ToWebview,
  UserDataSummary,
} from '../../../protocol/launchTemplate';
import { OperationService } from '../../shared/operationService';
import type { PilotLightContext } from '../../shared/pilotLightContext';
import { WebviewHost } from '../../shared/webviewHost';
import { launchTemplateDiffDocuments } from './diffDocuments';
import { dataFromForm, FormError, formFromData, localFindings } from './form';
import { existingUserDataDocuments, userDataDocuments } from './userDataDocuments';

/** What to open: a template in an account and region, optionally at a version and for a DRS source server. */
export interface LaunchTemplateTarget {
  templateId: string;
  region: string;
  account: string;
  /** The explorer profile whose account it is in; default: the active profile. */
  profile?: string;
  version?: number;
  caller: Caller;
  /** The explorer node to refresh after a change (undefined: the whole explorer). */
  refreshNode?: unknown;
  drs?: { sourceServerId: string; hostname: string };
}

const panels = new Map<string, LaunchTemplatePanel>();

export function panelKey(target: Pick<LaunchTemplateTarget, 'account' | 'region' | 'templateId'>): string {
  return `${target.account}/${target.region}/${target.templateId}`;
}

/** The open panels (tests drive them through their message handler). */
export function openLaunchTemplatePanels(): LaunchTemplatePanel[] {
  return [...panels.values()];
}

type WriteStatus = 'done' | 'cancelled' | 'refused' | 'failed';

function describeOutcome(outcome: RunOutcome): string {
  if (outcome.error) return `${outcome.error.code}: ${outcome.error.message}`;
  if (outcome.refusal) return `Refused (${outcome.refusal.code}): ${outcome.refusal.message}`;
  return outcome.status;
}

/** The launch-template editor: one webview panel per account, region and template. */
export class LaunchTemplatePanel implements vscode.Disposable {
  private readonly host: WebviewHost<ToHost, ToWebview>;
  private readonly service: OperationService;
  private editor?: LaunchTemplateEditor;
  private opened?: OpenedTemplate;
  private drsSettings?: DrsLaunchSettings;
  /** The base version's user data once revealed, and text staged from its document for the next save. */
  private userData?: { version: number; revealed: RevealedUserData; staged?: string; uri?: vscode.Uri };
  private renderedWaiters: Array<{ version: number; resolve: () => void }> = [];
  /** When the webview last reported a rendered form, and for which version. */
  lastRendered?: { version: number; at: number };
  /** When the last load() had its data read (performance.now()), for benchmarks. */
  lastReadAt?: number;
  private disposed = false;

  static async open(ctx: PilotLightContext, target: LaunchTemplateTarget): Promise<LaunchTemplatePanel> {
    const existing = panels.get(panelKey(target));
    if (existing) {
      existing.target = {
        ...existing.target,
        refreshNode: target.refreshNode ?? existing.target.refreshNode,
        drs: target.drs ?? existing.target.drs,
      };
      existing.host.panel.reveal();
      if (target.version && target.version !== existing.opened?.selected.versionNumber)
        await existing.load(target.version);
      else if (target.drs && !existing.drsSettings) await existing.load(existing.opened?.selected.versionNumber);
      return existing;
    }
    const { launchTemplateProtocol } = await import('../../../protocol/launchTemplate');
    const panel = new LaunchTemplatePanel(ctx, target, launchTemplateProtocol);
    panels.set(panelKey(target), panel);
    await panel.load(target.version);
    return panel;
  }

  private constructor(
    private readonly ctx: PilotLightContext,
    public target: LaunchTemplateTarget,
    protocol: typeof import('../../../protocol/launchTemplate').launchTemplateProtocol,
  ) {
    this.service = OperationService.for(ctx);
    this.host = new WebviewHost<ToHost, ToWebview>(ctx.extension.extensionUri, {
      viewType: 'pilotLight.launchTemplateEditor',
      title: `Launch template ${target.templateId}`,
      bundle: 'launch-template',
      protocol,
      log: ctx.log,
      onMessage: (message) => this.handle(message),
    });
    this.host.panel.onDidDispose(() => this.dispose());
  }

  get key(): string {
    return panelKey(this.target);
  }
  get webviewHost(): WebviewHost<ToHost, ToWebview> {
    return this.host;
  }
  get messagesSent(): ToWebview[] {
    return this.host.sent;
  }
  get state(): OpenedTemplate | undefined {
    return this.opened;
  }

  /** Delivers a message as if the webview sent it (validated the same way). */
  deliver(raw: unknown): Promise<void> {
    return this.host.receive(raw);
  }

  /** Resolves when the webview has rendered the form for `version` (or any version). */
  whenRendered(version?: number): Promise<void> {
    if (this.lastRendered && (version === undefined || this.lastRendered.version === version)) return Promise.resolve();
    return new Promise((resolve) => this.renderedWaiters.push({ version: version ?? 0, resolve }));
  }

  private run: RunFunction = (operationId, input, options) =>
    this.service.run(operationId, input, {
      caller: options.caller,
      mode: options.mode,
      region: options.region ?? this.target.region,
      profile: this.target.profile,
      correlationId: options.correlationId,
      signal: options.signal,
      ...(options.revealSecret ? { revealSecret: true } : {}),
    });

  private async core(): Promise<typeof import('../../../core/launchTemplates')> {
    return import('../../../core/launchTemplates');
  }

  private async editorService(): Promise<LaunchTemplateEditor> {
    if (!this.editor) {
      const { LaunchTemplateEditor } = await this.core();
      this.editor = new LaunchTemplateEditor(this.run, { caller: this.target.caller, region: this.target.region });
    }
    return this.editor;
  }

  /** Reads the template (and the DRS launch settings) and sends the state to the webview. */
  async load(version?: number): Promise<void> {
    this.lastRendered = undefined;
    // Not awaited: a page still loading answers postMessage only once it is ready, and the reads need not wait for it.
    void this.host.post({ type: 'busy', message: `Reading ${this.target.templateId}…` });
    const editor = await this.editorService();
    this.opened = await editor.open({ launchTemplateId: this.target.templateId }, version);
    // Staged user data belongs to the version it was edited from.
    if (this.userData && this.userData.version !== this.opened.selected.versionNumber) this.userData = undefined;
    if (this.target.drs) this.drsSettings = await this.readDrsSettings(this.target.drs.sourceServerId);
    this.lastReadAt = performance.now();
    this.host.panel.title = `Launch template: ${this.opened.template.launchTemplateName}`;
    await this.postState([]);
  }

  private async postState(findings: Finding[]): Promise<void> {
    const opened = this.opened!;
    const { form, rawJson } = formFromData(opened.selected.data);
    const state: EditorState = {
      templateId: opened.template.launchTemplateId,
      templateName: opened.template.launchTemplateName,
      account: this.target.account,
      region: this.target.region,
      defaultVersion: opened.template.defaultVersion,
      latestVersion: opened.template.latestVersion,
      versions: opened.versions.map((row) => ({
        versionNumber: row.versionNumber,
        description: row.description,
        createdBy: row.createdBy,
        createdAt: row.createdAt,
        isDefault: row.isDefault,
      })),
      baseVersion: opened.selected.versionNumber,
      form,
      userData: this.userDataSummary(),
      rawJson,
      findings: [...localFindings(form), ...findings],
      drs: this.target.drs && this.drsSettings ? { ...this.target.drs, settings: this.drsSettings } : undefined,
    };
    await this.host.post({ type: 'state', protocol: 2, state });
  }

  /** What the webview may show of the user data: never the text. */
  userDataSummary(): UserDataSummary {
    const staged = this.userData?.staged;
    if (staged !== undefined) {
      const lines = staged ? staged.split('\n').length - (staged.endsWith('\n') ? 1 : 0) : 0;
      return {
        state: 'staged',
        summary: staged
          ? `changed (${lines} line${lines === 1 ? '' : 's'}, ${Buffer.byteLength(staged, 'utf8')} bytes), saved with the next version`
          : 'emptied: AWS cannot remove user data from a new version; type new text instead',
      };
    }
    const set = this.opened?.selected.data.UserData !== undefined;
    return set ? { state: 'set', summary: 'set (not shown here)' } : { state: 'unset', summary: 'not set' };
  }

  /** The text a save sends as user data, or undefined to keep the base version's. */
  get stagedUserData(): string | undefined {
    return this.userData && this.userData.version === this.opened?.selected.versionNumber
      ? this.userData.staged
      : undefined;
  }

  /**
   * Opens the base version's user data, decoded, in a VS Code text editor beside the form (an explicit
   * action: the reveal is audited). Saving that document stages the text; the webview sees only a summary.
   */
  async editUserData(): Promise<vscode.TextEditor | undefined> {
    const opened = this.opened;
    if (!opened) throw new Error('The template is not loaded yet.');
    const version = opened.selected.versionNumber;
    const { describeUserDataSize, userDataLanguage, encodeUserData } = await this.core();
    if (this.userData?.version !== version) {
      const revealed = await (await this.editorService()).revealUserData(opened.template.launchTemplateId, version);
      this.userData = { version, revealed };
    }
    const current = this.userData;
    if (current.revealed.state === 'binary') {
      await this.host.post({
        type: 'result',
        status: 'failed',
        message: `The user data of version ${version} is not text (${current.revealed.bytes} bytes, e.g. gzip or binary MIME), so it cannot be edited as text here; it is kept as it is.`,
      });
      return undefined;
    }
    const text = current.staged ?? current.revealed.text ?? '';
    const extension = { shellscript: '.sh', yaml: '.yaml', powershell: '.ps1', plaintext: '.txt' }[
      userDataLanguage(text)
    ];
    const documents = userDataDocuments(this.ctx.extension);
    const uri = documents.uriFor(this.key, version, extension);
    current.uri = uri;
    documents.set(uri, {
      panelKey: this.key,
      version,
      text,
      stage: (saved) => {
        if (this.disposed) throw new Error('The launch-template editor of this user data was closed.');
        if (this.userData !== current || this.opened?.selected.versionNumber !== version)
          throw new Error(
            `This user data belongs to version ${version}, but the editor now shows version ${this.opened?.selected.versionNumber}. Open the user data again from the editor.`,
          );
        encodeUserData(saved); // throws past the AWS limit
        current.staged = saved === (current.revealed.text ?? '') ? undefined : saved;
        void this.host.post({ type: 'userData', userData: this.userDataSummary() });
        this.ctx.log.info(
          `Launch template editor ${this.key}: user data of version ${version} ${current.staged === undefined ? 'unchanged' : `staged (${describeUserDataSize(saved)})`}.`,
        );
      },
    });
    const document = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: false });
  }

  private async handle(message: ToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        if (message.protocol !== 2)
          throw new Error(`The webview speaks protocol ${message.protocol}, the extension 2: reload the window.`);
        if (this.opened) await this.postState([]);
        return;
      case 'rendered':
        this.lastRendered = { version: message.version, at: performance.now() };
        for (const waiter of this.renderedWaiters.splice(0)) {
          if (!waiter.version || waiter.version === message.version) waiter.resolve();
          else this.renderedWaiters.push(waiter);
        }
        return;
      case 'protocolError':
        this.ctx.log.warn(`Launch template editor ${this.key}: ${message.message}`);
        return;
      case 'refresh':
        return this.load(this.opened?.selected.versionNumber);
      case 'selectVersion':
        return this.load(message.version);
      case 'check':
        return this.check(message.form, message.rawJson);
      case 'compare':
        await this.compare(message.left, message.right);
        return;
      case 'editUserData':
        try {
          await this.editUserData();
        } catch (error) {
          await this.host.post({
            type: 'result',
            status: 'failed',
            message: `The user data could not be opened: ${(error as Error).message}`,
          });
        }
        return;
      case 'save':
        return this.save(message);
      case 'setDefault': {
        const result = await this.write(
          `Make version ${message.version} the default of ${this.target.templateId}`,
          async (mode) =>
            (await this.editorService()).rollback({
              templateId: this.target.templateId,
              version: message.version,
              mode: 'set-default',
              runMode: mode,
            }),
        );
        return this.answer(message.requestId, result);
      }
      case 'rollback': {
        const title =
          message.mode === 'set-default'
            ? `Roll back ${this.target.templateId} to version ${message.version} (make it the default)`
            : `Roll back ${this.target.templateId}: copy version ${message.version} into a new default version`;
        const result = await this.write(title, async (mode) =>
          (await this.editorService()).rollback({
            templateId: this.target.templateId,
            version: message.version,
            mode: message.mode,
            runMode: mode,
          }),
        );
        return this.answer(message.requestId, result);
      }
      case 'deleteVersions': {
        const defaultVersion = this.opened?.template.defaultVersion;
        if (defaultVersion !== undefined && message.versions.includes(defaultVersion)) {
          await this.host.post({
            type: 'result',
            requestId: message.requestId,
            status: 'refused',
            message: `Version ${defaultVersion} is the default version and cannot be deleted. Make another version the default first.`,
          });
          return;
        }
        const result = await this.write(
          `Delete version${message.versions.length === 1 ? '' : 's'} ${message.versions.join(', ')} of ${this.target.templateId}`,
          async (mode) =>
            (await this.editorService()).deleteVersions({
              templateId: this.target.templateId,
              versions: message.versions,
              runMode: mode,
            }),
        );
        return this.answer(message.requestId, result);
      }
      case 'saveDrsSettings': {
        const drs = this.target.drs;
        if (!drs) throw new Error('This editor was not opened for a DRS source server.');
        const { LAUNCH_TEMPLATE_OPERATION_IDS } = await this.core();
        const input = drsUpdateInput(drs.sourceServerId, message.settings);
        const result = await this.write(
          `Update the DRS launch settings of ${drs.hostname || drs.sourceServerId}`,
          async (mode) => {
            const outcome = await this.run(LAUNCH_TEMPLATE_OPERATION_IDS.updateLaunchConfiguration, input, {
              caller: this.target.caller,
              mode,
            });
            return { status: outcome.status, message: describeOutcome(outcome), outcomes: [outcome] };
          },
        );
        return this.answer(message.requestId, result);
      }
    }
  }

  private async answer(requestId: string, result: { status: WriteStatus; message: string }): Promise<void> {
    if (result.status === 'done') await this.afterChange();
    await this.host.post({ type: 'result', requestId, status: result.status, message: result.message });
  }

  /** Re-reads the template, keeps the selected version when it still exists, and refreshes the explorer. */
  private async afterChange(version?: number): Promise<void> {
    await vscode.commands
      .executeCommand('pilotLight.explorer.refreshNode', this.target.refreshNode)
      .then(undefined, () => undefined);
    await this.load(version);
  }

  /**
   * The usual guarded path for a change: a dry-run of every call, a confirmation of the previews the policy
   * lets through (the runner itself asks for approvals it requires), then the change.
   */
  private async write(
    title: string,
    call: (mode: 'dry-run' | 'execute') => Promise<{ status: string; message: string; outcomes: RunOutcome[] }>,
  ): Promise<{ status: WriteStatus; message: string }> {
    const dryRun = await call('dry-run');
    if (dryRun.status !== 'dry-run')
      return { status: dryRun.status === 'refused' ? 'refused' : 'failed', message: `${title}: ${dryRun.message}` };
    const confirmed = await this.confirmPreviews(title, dryRun.outcomes);
    if (confirmed !== true) return confirmed;
    const executed = await call('execute');
    if (executed.status === 'succeeded') return { status: 'done', message: `${title}: done.` };
    return { status: executed.status === 'refused' ? 'refused' : 'failed', message: `${title}: ${executed.message}` };
  }

  private async confirmPreviews(
    title: string,
    outcomes: RunOutcome[],
  ): Promise<true | { status: WriteStatus; message: string }> {
    const previews = outcomes
      .map((outcome) => outcome.preview)
      .filter((preview): preview is OperationPreview => Boolean(preview));
    const refused = previews.find((preview) => preview.guardrails.verdict === 'refused');
    if (refused)
      return {
        status: 'refused',
        message: `${title} would be refused: ${refused.guardrails.refusals.map((refusal) => refusal.message).join(' ')}`,
      };
    for (const preview of previews) {
      if (preview.guardrails.verdict !== 'allowed') continue; // the runner asks for the approval the policy requires
      const decision = await this.service.confirm(preview, this.target.caller);
      if (!decision.approved) return { status: 'cancelled', message: `${title}: cancelled, nothing was changed.` };
    }
    return true;
  }

  private async check(form: LaunchTemplateForm, rawJson: string): Promise<void> {
    const findings: Finding[] = [...localFindings(form)];
    try {
      const data = dataFromForm(this.opened?.selected.data ?? {}, form, rawJson, this.stagedUserData);
      const { checkLaunchTemplateFields } = await this.core();
      for (const found of await checkLaunchTemplateFields(
        this.run,
        { caller: this.target.caller, region: this.target.region },
        { data },
      ))
        findings.push(found);
    } catch (error) {
      if (error instanceof FormError) findings.push(...error.findings);
      else
        findings.push({
          field: 'Checks',
          severity: 'not-checked',
          message: `The checks could not run: ${(error as Error).message}`,
        });
    }
    await this.host.post({ type: 'findings', findings: findings.slice(0, 500) });
  }

  private async save(message: Extract<ToHost, { type: 'save' }>): Promise<void> {
    const opened = this.opened;
    if (!opened) throw new Error('The template is not loaded yet.');
    let edited: LaunchTemplateData;
    try {
      edited = dataFromForm(opened.selected.data, message.form, message.rawJson, this.stagedUserData);
    } catch (error) {
      if (!(error instanceof FormError)) throw error;
      await this.host.post({ type: 'findings', findings: [...localFindings(message.form), ...error.findings] });
      await this.host.post({
        type: 'result',
        requestId: message.requestId,
        status: 'failed',
        message: `Nothing was saved: ${error.message}`,
      });
      return;
    }
    const editor = await this.editorService();
    let expectedLatestVersion = opened.template.latestVersion;
    const request = (mode: 'dry-run' | 'execute') =>
      editor.save({
        templateId: opened.template.launchTemplateId,
        baseVersion: opened.selected.versionNumber,
        expectedLatestVersion,
        edited,
        makeDefault: message.makeDefault,
        description: message.description || undefined,
        mode,
      });
    let dryRun;
    try {
      dryRun = await request('dry-run');
    } catch (error) {
      await this.host.post({
        type: 'result',
        requestId: message.requestId,
        status: 'failed',
        message: `Nothing was saved: ${(error as Error).message}`,
      });
      return;
    }
    if (dryRun.status === 'conflict') {
      const { normalizeVersionForDiff } = await this.core();
      const conflict = dryRun.conflict;
      // The person saving sees both sides' user data decoded (revealed, audited); on a failed reveal, the redacted text.
      const latest = await editor
        .readVersionWithUserData(opened.template.launchTemplateId, conflict.latest)
        .catch(() => undefined);
      const editedForDiff = { ...edited };
      if (this.stagedUserData === undefined && edited.UserData !== undefined) {
        const base = await editor
          .revealUserData(opened.template.launchTemplateId, opened.selected.versionNumber)
          .catch(() => undefined);
        if (base?.userData) editedForDiff.UserData = base.userData;
      }
      await launchTemplateDiffDocuments(this.ctx.extension).showDiff(
        opened.template.launchTemplateId,
        { label: `version-${conflict.latest}-latest`, text: latest?.text ?? conflict.latestText },
        {
          label: `your-edit-of-version-${opened.selected.versionNumber}`,
          text: normalizeVersionForDiff(editedForDiff),
        },
        `${opened.template.launchTemplateName}: version ${conflict.latest} (created since you opened it) ↔ your edit`,
      );
      const SAVE = 'Save Anyway';
      const RELOAD = 'Discard My Edit and Reload';
      const choice = await vscode.window.showWarningMessage(
        `Someone created version ${conflict.latest} of ${opened.template.launchTemplateName} since you opened it (you saw version ${conflict.expectedLatest} as the latest). The diff shows it beside your edit.`,
        {
          modal: true,
          detail: `"${SAVE}" creates a new version from version ${opened.selected.versionNumber} with your changes; version ${conflict.latest} stays as it is.`,
        },
        SAVE,
        RELOAD,
      );
      if (choice === RELOAD) {
        await this.load();
        await this.host.post({
          type: 'result',
          requestId: message.requestId,
          status: 'conflict',
          message: `Reloaded: your edit was discarded; the form shows version ${this.opened?.selected.versionNumber}.`,
        });
        return;
      }
      if (choice !== SAVE) {
        await this.host.post({
          type: 'result',
          requestId: message.requestId,
          status: 'conflict',
          message: `Not saved: version ${conflict.latest} was created since you opened the template. Save again to decide.`,
        });
        return;
      }
      expectedLatestVersion = conflict.latest;
      dryRun = await request('dry-run');
    }
    if (dryRun.status === 'unchanged') {
      await this.host.post({
        type: 'result',
        requestId: message.requestId,
        status: 'unchanged',
        message: 'No change: nothing was saved and no version was created.',
      });
      return;
    }
    if (dryRun.status !== 'dry-run') {
      const text =
        dryRun.status === 'conflict'
          ? `version ${dryRun.conflict.latest} was created meanwhile; save again.`
          : dryRun.status === 'saved'
            ? 'the dry-run saved a version (unexpected).'
            : dryRun.message;
      await this.host.post({
        type: 'result',
        requestId: message.requestId,
        status: dryRun.status === 'refused' ? 'refused' : 'failed',
        message: `Nothing was saved: ${text}`,
      });
      return;
    }
    const title = `Save ${opened.template.launchTemplateName} as a new version${message.makeDefault ? ' (made default)' : ''}`;
    const confirmed = await this.confirmPreviews(title, dryRun.outcomes);
    if (confirmed !== true) {
      await this.host.post({
        type: 'result',
        requestId: message.requestId,
        status: confirmed.status === 'cancelled' ? 'cancelled' : confirmed.status === 'refused' ? 'refused' : 'failed',
        message: confirmed.message,
      });
      return;
    }
    const saved = await request('execute');
    if (saved.status === 'saved') {
      await this.afterChange(saved.versionNumber);
      await this.host.post({
        type: 'result',
        requestId: message.requestId,
        status: 'saved',
        message: `Saved version ${saved.versionNumber}${saved.madeDefault ? ' (now the default)' : ''}: ${saved.changes.map((change) => change.field).join(', ')}.`,
      });
      return;
    }
    const text =
      saved.status === 'conflict'
        ? `version ${saved.conflict.latest} was created meanwhile; save again.`
        : saved.status === 'unchanged'
          ? 'no change.'
          : saved.status === 'dry-run'
            ? 'only a dry-run ran.'
            : saved.message;
    if (saved.status === 'refused' || saved.status === 'failed') {
      if (saved.versionNumber) await this.afterChange(saved.versionNumber);
    }
    await this.host.post({
      type: 'result',
      requestId: message.requestId,
      status: saved.status === 'refused' ? 'refused' : saved.status === 'unchanged' ? 'unchanged' : 'failed',
      message: `${saved.status === 'unchanged' ? 'Nothing was saved' : 'Save failed'}: ${text}`,
    });
  }

  /** Opens VS Code's diff editor with two versions' normalized text; returns the URIs. */
  async compare(left: number, right: number): Promise<{ left: vscode.Uri; right: vscode.Uri }> {
    const editor = await this.editorService();
    // Comparing is an explicit action: both versions' user data is revealed (audited) and shown decoded.
    const [older, newer] = await Promise.all([
      editor.readVersionWithUserData(this.target.templateId, Math.min(left, right)),
      editor.readVersionWithUserData(this.target.templateId, Math.max(left, right)),
    ]);
    const name = this.opened?.template.launchTemplateName ?? this.target.templateId;
    return launchTemplateDiffDocuments(this.ctx.extension).showDiff(
      this.target.templateId,
      { label: `version-${older.versionNumber}`, text: older.text },
      { label: `version-${newer.versionNumber}`, text: newer.text },
      `${name}: version ${older.versionNumber} ↔ version ${newer.versionNumber}`,
    );
  }

  private async readDrsSettings(sourceServerId: string): Promise<DrsLaunchSettings | undefined> {
    const { LAUNCH_TEMPLATE_OPERATION_IDS } = await this.core();
    const outcome = await this.run(
      LAUNCH_TEMPLATE_OPERATION_IDS.getLaunchConfiguration,
      { sourceServerId },
      { caller: this.target.caller, mode: 'execute' },
    );
    if (outcome.status !== 'succeeded')
      throw new Error(`The DRS launch settings of ${sourceServerId} could not be read: ${describeOutcome(outcome)}`);
    return drsSettingsFrom(outcome.output as Record<string, unknown> | undefined);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (panels.get(this.key) === this) panels.delete(this.key);
    existingUserDataDocuments()?.forgetPanel(this.key);
    for (const waiter of this.renderedWaiters.splice(0)) waiter.resolve();
    this.host.dispose();
  }
}

/** The editor's DRS settings from a GetLaunchConfiguration output (AWS shape). */
export function drsSettingsFrom(output: Record<string, unknown> | undefined): DrsLaunchSettings {
  const config =
    (output && typeof output === 'object' && 'launchConfiguration' in output
      ? (output.launchConfiguration as Record<string, unknown>)
      : output) ?? {};
  const licensing = (config.licensing as { osByol?: boolean } | undefined) ?? {};
  const postLaunch = config.postLaunchEnabled;
  const disposition = config.launchDisposition === 'STARTED' ? 'STARTED' : 'STOPPED';
  const method = config.targetInstanceTypeRightSizingMethod;
  return {
    copyPrivateIp: config.copyPrivateIp === true,
    copyTags: config.copyTags === true,
    launchDisposition: disposition,
    targetInstanceTypeRightSizingMethod: method === 'BASIC' || method === 'IN_AWS' ? method : 'NONE',
    licensingByol: licensing.osByol === true,
    postLaunchEnabled: postLaunch === true,
  };
}

/** The UpdateLaunchConfiguration input for the editor's DRS settings. */
export function drsUpdateInput(sourceServerId: string, settings: DrsLaunchSettings): Record<string, unknown> {
  return {
    sourceServerId,
    copyPrivateIp: settings.copyPrivateIp,
    copyTags: settings.copyTags,
    launchDisposition: settings.launchDisposition,
    targetInstanceTypeRightSizingMethod: settings.targetInstanceTypeRightSizingMethod,
    osByol: settings.licensingByol,
    postLaunchEnabled: settings.postLaunchEnabled,
  };
}
