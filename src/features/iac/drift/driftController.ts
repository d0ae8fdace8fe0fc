import * as vscode from 'vscode';
import { setLinkedResources } from './linkedResources';
import type { CfnTemplate, TextSpan } from '../../../core/iac/cloudformation/template';
import type { PropertyDrift } from '../../../core/iac/drift/compare';
import type { ResourceDrift, SecondSourceResult, StackDriftReport } from '../../../core/iac/drift/stackDrift';
import type { StackCandidate } from '../../../core/iac/drift/stackLink';
import type { ResourceReads } from '../../../core/resources/model';
import { UserError } from '../../shared/commands';
import { registerPreviewDocuments, runInteractively } from '../../shared/interactiveRun';
import { OperationService } from '../../shared/operationService';
import type { CfnDocuments } from '../language/cfnDocuments';
import type { PilotLightContext } from '../../shared/pilotLightContext';
import { displayValue } from '../../../core/iac/drift/values';

export const DRIFT_SOURCE = 'Pilot Light drift';
const LINKS_KEY = 'pilotLight.iac.stackLinks';

type Trigger = 'open' | 'save' | 'command';

interface Finding {
  resource: ResourceDrift;
  drift?: PropertyDrift;
  /** The full template path of the value the finding is about (may be a parent of the drift's own path). */
  templatePath: Array<string | number>;
  exact: boolean;
  range: vscode.Range;
  decorationLine: number;
  decorationText: string;
  diagnostic: vscode.Diagnostic;
}

interface DocumentState {
  version: number;
  template?: CfnTemplate;
  stackName?: string;
  linkReason?: StackCandidate['reason'] | 'chosen';
  report?: StackDriftReport;
  secondSource?: SecondSourceResult;
  findings: Finding[];
  checking?: Promise<StackDriftReport | undefined>;
  /** Why drift is not shown (no stack, template errors, a failed check). */
  problem?: string;
  /** The template changed since the check: positions may be off until it is saved and checked again. */
  stale?: boolean;
  changeSet?: { stackName: string; changeSetName: string; version: number; status?: string };
}

/** Explorer resource types, for "Show in explorer". */
const EXPLORER_TYPES: Record<string, string> = {
  'AWS::EC2::Instance': 'ec2:instance',
  'AWS::EC2::SecurityGroup': 'ec2:security-group',
  'AWS::EC2::VPC': 'ec2:vpc',
  'AWS::EC2::Subnet': 'ec2:subnet',
  'AWS::EC2::RouteTable': 'ec2:route-table',
  'AWS::EC2::InternetGateway': 'ec2:internet-gateway',
  'AWS::EC2::LaunchTemplate': 'ec2:launch-template',
};

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function toRange(span: TextSpan): vscode.Range {
  return new vscode.Range(
    span.startPosition.line,
    span.startPosition.character,
    span.endPosition.line,
    span.endPosition.character,
  );
}

/**
 * Live drift on the user's own template: checks (on open, on save, on demand), diagnostics, inline
 * decorations, lenses, hovers, quick fixes, change sets. Loaded on the first CloudFormation template.
 */
export class DriftController implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('pilot-light-drift');
  private readonly driftDecoration = vscode.window.createTextEditorDecorationType({
    after: {
      margin: '0 0 0 2em',
      color: new vscode.ThemeColor('editorWarning.foreground'),
      fontStyle: 'italic',
    },
    isWholeLine: false,
  });
  private readonly statusBar = vscode.window.createStatusBarItem(
    'pilotLight.iac.drift',
    vscode.StatusBarAlignment.Left,
    40,
  );
  private readonly lensEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensEmitter.event;
  private readonly states = new Map<string, DocumentState>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly service: OperationService;

  constructor(
    private readonly ctx: PilotLightContext,
    private readonly documents: CfnDocuments,
  ) {
    this.service = OperationService.for(ctx);
    this.statusBar.name = 'Pilot Light drift';
    this.statusBar.command = 'pilotLight.iac.checkDrift';
    this.disposables.push(
      this.diagnostics,
      this.driftDecoration,
      this.statusBar,
      this.lensEmitter,
      vscode.window.onDidChangeActiveTextEditor(() => this.updateStatusBar()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.decorateVisibleEditors()),
      vscode.workspace.onDidChangeTextDocument((event) => this.markStale(event.document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri)),
    );
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }

  // ---- checking ----------------------------------------------------------------------------------------

  /** The parse the language features already made of this version (one parse per document version). */
  private parse(document: vscode.TextDocument): Promise<CfnTemplate | undefined> {
    return this.documents.template(document);
  }

  private state(uri: vscode.Uri): DocumentState {
    let state = this.states.get(uri.toString());
    if (!state) {
      state = { version: -1, findings: [] };
      this.states.set(uri.toString(), state);
    }
    return state;
  }

  stateOf(uri: vscode.Uri): DocumentState | undefined {
    return this.states.get(uri.toString());
  }

  private reads(): ResourceReads {
    let reads: Promise<ResourceReads> | undefined;
    const load = () =>
      (reads ??= import('../../../core/resources/runnerReads').then(({ runnerReads }) =>
        runnerReads(
          () => this.ctx.safety.runner(),
          () => this.ctx.identity(),
          'command',
        ),
      ));
    return {
      read: async (operationId, input, region) => (await load()).read(operationId, input, region),
      account: async () => (await load()).account(),
    };
  }

  /** Checks one template's drift. A check already running for the same text is shared. */
  check(document: vscode.TextDocument, trigger: Trigger): Promise<StackDriftReport | undefined> {
    const state = this.state(document.uri);
    if (state.checking && state.version === document.version) return state.checking;
    const checking = this.runCheck(document, state, trigger).finally(() => {
      if (state.checking === checking) state.checking = undefined;
      this.lensEmitter.fire();
      this.updateStatusBar();
    });
    state.checking = checking;
    state.version = document.version;
    this.lensEmitter.fire();
    this.updateStatusBar();
    return checking;
  }

  private async runCheck(
    document: vscode.TextDocument,
    state: DocumentState,
    trigger: Trigger,
  ): Promise<StackDriftReport | undefined> {
    const template = await this.parse(document);
    state.template = template;
    if (!template) {
      this.clear(document.uri, 'not a CloudFormation template');
      return undefined;
    }
    if (template.hasErrors) {
      this.clear(document.uri, 'the template has errors: fix them to check drift');
      return undefined;
    }
    const connection = await this.ctx.connection();
    const region = connection.region;
    const reads = this.reads();
    if (!state.stackName || trigger === 'command') {
      const link = await this.linkStack(document, template, reads, region, trigger === 'command');
      if (!link) {
        this.clear(document.uri, 'no deployed stack found for this template: use "Link to stack…"');
        return undefined;
      }
      state.stackName = link.stackName;
      state.linkReason = link.reason;
    }
    const { checkStackDrift, detectWithCloudFormation } = await import('../../../core/iac/drift/stackDrift');
    let report: StackDriftReport;
    try {
      report = await checkStackDrift({ template: template.value, stackName: state.stackName, region, reads });
    } catch (error) {
      this.clear(document.uri, `drift not checked: ${error instanceof Error ? error.message : String(error)}`);
      if (trigger === 'command') throw error;
      return undefined;
    }
    if (document.version !== state.version) return report; // changed meanwhile: the next save checks again
    state.report = report;
    state.problem = undefined;
    state.stale = false;
    this.render(document, state, template, report);
    this.ctx.log.info(
      `Drift: ${report.stackName}: ${report.counts.drifted} drifted, ${report.counts.deleted} deleted, ${report.counts['in-sync']} in sync, ${report.counts['not-supported']} not supported (${report.apiCalls} AWS calls for ${report.resourceTypes} resource types)`,
    );
    if (trigger === 'command') {
      // CloudFormation's own detection as a second source, after our result is on screen.
      void detectWithCloudFormation({
        reads,
        region,
        stackName: report.stackName,
        secondSource: { timeoutMs: 120_000 },
      }).then((second) => {
        state.secondSource = second;
        this.ctx.log.info(`Drift: ${second.message}`);
        this.updateStatusBar();
      });
    }
    return report;
  }

  private async readMapping(document: vscode.TextDocument) {
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    if (!folder) return undefined;
    const { parseIacMapping, IAC_MAPPING_FILE, IAC_MAPPING_MAX_BYTES } =
      await import('../../../core/iac/drift/stackLink');
    const uri = vscode.Uri.joinPath(folder.uri, IAC_MAPPING_FILE);
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > IAC_MAPPING_MAX_BYTES) return parseIacMapping('x'.repeat(IAC_MAPPING_MAX_BYTES + 1));
      const mapping = parseIacMapping(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8'));
      for (const problem of mapping.problems) this.ctx.log.warn(problem);
      return mapping;
    } catch {
      return undefined;
    }
  }

  private relativePath(document: vscode.TextDocument): string {
    return vscode.workspace.asRelativePath(document.uri, false).replace(/\\/g, '/');
  }

  private async linkStack(
    document: vscode.TextDocument,
    template: CfnTemplate,
    reads: ResourceReads,
    region: string,
    interactive: boolean,
  ): Promise<{ stackName: string; reason: DocumentState['linkReason'] } | undefined> {
    const relativePath = this.relativePath(document);
    const mapping = await this.readMapping(document);
    const mapped = mapping?.cloudformation.get(relativePath);
    if (mapped) return { stackName: mapped, reason: 'mapping' };
    const remembered = this.ctx.extension.workspaceState.get<Record<string, string>>(LINKS_KEY, {})[relativePath];
    if (remembered) return { stackName: remembered, reason: 'chosen' };
    const [{ findStacks }, { parseTemplate }] = await Promise.all([
      import('../../../core/iac/drift/stackLink'),
      import('../../../core/iac/cloudformation/template'),
    ]);
    const candidates = await findStacks({
      relativePath,
      template: template.value,
      mapping,
      reads,
      region,
      parse: (body) => parseTemplate(body).value,
    });
    if (candidates.length === 1) return candidates[0];
    if (candidates.length === 0) return undefined;
    // Ambiguous: ask once (only when the user asked for the check) and remember the answer.
    if (!interactive) return undefined;
    const picked = await vscode.window.showQuickPick(
      candidates.map((candidate) => ({
        label: candidate.stackName,
        description: `${candidate.stackStatus ?? ''} · ${candidate.reason}`,
      })),
      {
        title: `Which stack did ${relativePath} deploy?`,
        placeHolder: 'Pilot Light remembers the answer for this workspace',
      },
    );
    if (!picked) return undefined;
    await this.remember(relativePath, picked.label);
    return { stackName: picked.label, reason: 'chosen' };
  }

  private async remember(relativePath: string, stackName: string): Promise<void> {
    const links = { ...this.ctx.extension.workspaceState.get<Record<string, string>>(LINKS_KEY, {}) };
    links[relativePath] = stackName;
    await this.ctx.extension.workspaceState.update(LINKS_KEY, links);
  }

  /** "Link to stack…": lists the region's stacks and remembers the choice. */
  async chooseStack(document: vscode.TextDocument): Promise<string | undefined> {
    const connection = await this.ctx.connection();
    const page = await this.reads().read<{ items: Array<{ StackName?: string; StackStatus?: string }> }>(
      'cloudformation.stacks.list',
      {},
      connection.region,
    );
    const picked = await vscode.window.showQuickPick(
      page.items
        .filter((stack) => stack.StackName)
        .map((stack) => ({ label: stack.StackName!, description: stack.StackStatus })),
      { title: `Link ${this.relativePath(document)} to a stack in ${connection.region}` },
    );
    if (!picked) return undefined;
    await this.remember(this.relativePath(document), picked.label);
    const state = this.state(document.uri);
    state.stackName = picked.label;
    state.linkReason = 'chosen';
    await this.check(document, 'save');
    return picked.label;
  }

  // ---- rendering -----------------------------------------------------------------------------------------

  private clear(uri: vscode.Uri, problem: string): void {
    const state = this.state(uri);
    state.problem = problem;
    state.findings = [];
    state.report = undefined;
    this.diagnostics.delete(uri);
    setLinkedResources(uri, undefined, []);
    this.decorateVisibleEditors();
  }

  private forget(uri: vscode.Uri): void {
    this.states.delete(uri.toString());
    this.diagnostics.delete(uri);
  }

  private markStale(document: vscode.TextDocument): void {
    const state = this.states.get(document.uri.toString());
    if (!state || state.stale || !state.findings.length || document.version === state.version) return;
    // Positions no longer hold: drift shows again after the next save.
    state.stale = true;
    state.findings = [];
    this.diagnostics.delete(document.uri);
    this.decorateVisibleEditors();
    this.lensEmitter.fire();
  }

  /** The deepest template path at or above `path` that has a place in the text. */
  private locate(
    template: CfnTemplate,
    base: Array<string | number>,
    path: ReadonlyArray<string | number>,
  ): { path: Array<string | number>; span: { key?: TextSpan; value: TextSpan }; exact: boolean } | undefined {
    for (let length = path.length; length >= 0; length--) {
      const candidate = [...base, ...path.slice(0, length)];
      const span = template.rangeOf(candidate);
      // A value produced by an intrinsic function has no place of its own: stop at the function.
      if (span) return { path: candidate, span, exact: length === path.length };
    }
    return undefined;
  }

  private render(document: vscode.TextDocument, state: DocumentState, template: CfnTemplate, report: StackDriftReport) {
    const findings: Finding[] = [];
    for (const resource of report.resources) {
      const idSpan = template.rangeOf(['Resources', resource.logicalId])?.key;
      if (resource.status === 'deleted' && idSpan) {
        const range = toRange(idSpan);
        const diagnostic = new vscode.Diagnostic(
          range,
          `${resource.logicalId} (${resource.physicalId}) was ${resource.message ?? 'deleted out of band'}; the stack still lists it.`,
          vscode.DiagnosticSeverity.Warning,
        );
        diagnostic.source = DRIFT_SOURCE;
        diagnostic.code = 'deleted';
        findings.push({
          resource,
          templatePath: ['Resources', resource.logicalId],
          exact: true,
          range,
          decorationLine: idSpan.endPosition.line,
          decorationText: `⟵ deleted out of band${resource.physicalId ? ` (${resource.physicalId})` : ''}`,
          diagnostic,
        });
        continue;
      }
      for (const drift of resource.properties) {
        if (drift.status !== 'drifted') continue;
        const place = this.locate(template, ['Resources', resource.logicalId, 'Properties'], drift.path);
        if (!place) continue;
        const valueSpan = place.span.value;
        const singleLine = valueSpan.startPosition.line === valueSpan.endPosition.line;
        const anchor = singleLine || !place.span.key ? valueSpan : place.span.key;
        const extra = drift.reason?.startsWith('live has');
        const liveText = extra ? `${drift.reason}: ${displayValue(drift.live)}` : `live: ${displayValue(drift.live)}`;
        const decorationText =
          drift.reason === 'not found live'
            ? '⟵ not found live'
            : extra
              ? `⟵ ${liveText}`
              : `⟵ live: ${displayValue(drift.live, 60)}`;
        const label = drift.path.join('.');
        const message = extra
          ? `Drift in ${resource.logicalId}.${label}: ${drift.reason} — ${displayValue(drift.live, 200)}`
          : drift.reason === 'not found live'
            ? `Drift in ${resource.logicalId}.${label}: ${displayValue(drift.expected, 200)} is in the template but not found live.`
            : `Drift in ${resource.logicalId}.${label}: the template says ${displayValue(drift.expected, 200)}, live is ${displayValue(drift.live, 200)}.`;
        const range = toRange(place.exact ? valueSpan : (place.span.key ?? valueSpan));
        const diagnostic = new vscode.Diagnostic(range, message, vscode.DiagnosticSeverity.Warning);
        diagnostic.source = DRIFT_SOURCE;
        diagnostic.code = 'drift';
        findings.push({
          resource,
          drift,
          templatePath: place.path,
          exact: place.exact,
          range,
          decorationLine: anchor.endPosition.line,
          decorationText,
          diagnostic,
        });
      }
    }
    state.findings = findings;
    this.diagnostics.set(
      document.uri,
      findings.map((finding) => finding.diagnostic),
    );
    this.decorateVisibleEditors();
    setLinkedResources(
      document.uri,
      report.stackName,
      report.resources.flatMap((resource) => {
        const span = template.rangeOf(['Resources', resource.logicalId])?.key;
        return span && resource.physicalId
          ? [
              {
                logicalId: resource.logicalId,
                type: resource.type,
                physicalId: resource.physicalId,
                range: toRange(span),
              },
            ]
          : [];
      }),
    );
  }

  private decorateVisibleEditors(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const state = this.states.get(editor.document.uri.toString());
      if (!state) continue;
      editor.setDecorations(this.driftDecoration, this.decorationsOf(editor.document));
    }
  }

  /** The inline texts shown after drifted values (also read by the extension's own tests). */
  decorationsOf(document: vscode.TextDocument): vscode.DecorationOptions[] {
    const state = this.states.get(document.uri.toString());
    const byLine = new Map<number, string[]>();
    for (const finding of state?.findings ?? []) {
      const texts = byLine.get(finding.decorationLine) ?? [];
      if (!texts.includes(finding.decorationText)) texts.push(finding.decorationText);
      byLine.set(finding.decorationLine, texts);
    }
    return [...byLine].map(([line, texts]) => {
      const end = document.lineAt(Math.min(line, document.lineCount - 1)).range.end;
      return {
        range: new vscode.Range(end, end),
        renderOptions: { after: { contentText: texts.join('  ') } },
      };
    });
  }

  private updateStatusBar(): void {
    const document = vscode.window.activeTextEditor?.document;
    const state = document ? this.states.get(document.uri.toString()) : undefined;
    if (!state || (!state.report && !state.checking && !state.problem)) {
      this.statusBar.hide();
      return;
    }
    if (state.checking) {
      this.statusBar.text = '$(sync~spin) Drift…';
      this.statusBar.tooltip = 'Pilot Light is comparing the template with the live resources.';
    } else if (state.report) {
      const { counts } = state.report;
      const drifted = counts.drifted + counts.deleted;
      this.statusBar.text = drifted ? `$(warning) Drift: ${drifted}` : '$(pass) No drift';
      const second = state.secondSource ? `\n${state.secondSource.message}` : '';
      this.statusBar.tooltip = `Stack ${state.report.stackName}: ${plural(counts.drifted, 'resource')} drifted, ${counts.deleted} deleted, ${counts['in-sync']} in sync, ${counts['not-supported']} not supported yet.\nComputed by Pilot Light from live reads (${state.report.apiCalls} AWS calls) at ${new Date(state.report.checkedAt).toLocaleTimeString()}.${second}\nClick to check again.`;
    } else {
      this.statusBar.text = '$(circle-slash) Drift not checked';
      this.statusBar.tooltip = state.problem;
    }
    this.statusBar.show();
  }

  // ---- lenses and hovers -------------------------------------------------------------------------------

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const state = this.states.get(document.uri.toString());
    const template = state?.template ?? (await this.parse(document));
    if (!template) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    const arg = [document.uri];
    const lenses: vscode.CodeLens[] = [];
    const report = state?.report;
    if (state?.checking) lenses.push(new vscode.CodeLens(top, { title: '$(sync~spin) Checking drift…', command: '' }));
    else if (report)
      lenses.push(
        new vscode.CodeLens(top, {
          title: `$(cloud) Stack ${report.stackName} · ${report.stackStatus ?? '?'}`,
          command: 'pilotLight.iac.linkStack',
          arguments: arg,
          tooltip: `Linked by ${state?.linkReason ?? '?'}; click to link another stack`,
        }),
      );
    else
      lenses.push(
        new vscode.CodeLens(top, {
          title: state?.problem ? `$(circle-slash) ${state.problem}` : 'Link to stack…',
          command: 'pilotLight.iac.linkStack',
          arguments: arg,
        }),
      );
    lenses.push(
      new vscode.CodeLens(top, { title: 'Check drift', command: 'pilotLight.iac.checkDrift', arguments: arg }),
      new vscode.CodeLens(top, { title: 'Preview changes', command: 'pilotLight.iac.previewChanges', arguments: arg }),
      new vscode.CodeLens(top, { title: 'Deploy', command: 'pilotLight.iac.deploy', arguments: arg }),
    );
    if (!report || state?.stale) return lenses;
    const { summarize } = await import('../../../core/iac/drift/compare');
    for (const resource of report.resources) {
      const span = template.rangeOf(['Resources', resource.logicalId])?.key;
      if (!span) continue;
      const range = toRange(span);
      if (resource.physicalId && resource.status !== 'inactive') {
        lenses.push(
          new vscode.CodeLens(range, {
            title: `${resource.physicalId}${resource.live?.state ? ` · ${resource.live.state}` : ''}`,
            command: '',
          }),
        );
      }
      lenses.push(new vscode.CodeLens(range, { title: this.resourceStatusText(resource, summarize), command: '' }));
      const explorerType = EXPLORER_TYPES[resource.type];
      if (explorerType && resource.physicalId && resource.status !== 'deleted')
        lenses.push(
          new vscode.CodeLens(range, {
            title: 'Show in explorer',
            command: 'pilotLight.chat.showInExplorer',
            arguments: [{ id: resource.physicalId, type: explorerType, region: report.region }],
          }),
        );
    }
    return lenses;
  }

  private resourceStatusText(
    resource: ResourceDrift,
    summarize: (drifts: readonly PropertyDrift[]) => { drifted: number; unknown: number; inSync: number },
  ): string {
    switch (resource.status) {
      case 'drifted': {
        const { drifted, unknown } = summarize(resource.properties);
        return `$(warning) ${plural(drifted, 'property')} drifted${unknown ? ` · ${unknown} unknown` : ''}`.replace(
          'propertys',
          'properties',
        );
      }
      case 'in-sync': {
        const { unknown } = summarize(resource.properties);
        return `$(pass) in sync${unknown ? ` · ${unknown} unknown` : ''}`;
      }
      case 'deleted':
        return '$(error) deleted out of band';
      default:
        return resource.message ?? resource.status;
    }
  }

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const state = this.states.get(document.uri.toString());
    if (!state?.report || !state.template || state.stale) return undefined;
    for (const resource of state.report.resources) {
      const span = state.template.rangeOf(['Resources', resource.logicalId])?.key;
      if (!span) continue;
      const range = toRange(span);
      if (!range.contains(position)) continue;
      const markdown = new vscode.MarkdownString(undefined, true);
      markdown.isTrusted = false;
      markdown.appendMarkdown(`**${escapeMarkdown(resource.logicalId)}** · \`${resource.type}\`\n\n`);
      if (resource.physicalId) markdown.appendMarkdown(`Live ID: \`${resource.physicalId}\`\n\n`);
      if (resource.live?.state) markdown.appendMarkdown(`State: ${escapeMarkdown(resource.live.state)}\n\n`);
      const facts = (resource.live?.facts ?? []).filter(([name]) => name !== 'State');
      if (facts.length)
        markdown.appendMarkdown(
          `| | |\n|---|---|\n${facts.map(([name, value]) => `| ${escapeMarkdown(name)} | ${escapeMarkdown(value)} |`).join('\n')}\n\n`,
        );
      markdown.appendMarkdown(`Drift: ${escapeMarkdown(resource.message ?? resource.status)}\n`);
      for (const drift of resource.properties.filter((property) => property.status !== 'in-sync')) {
        const detail =
          drift.status === 'drifted'
            ? ` (template ${displayValue(drift.expected)}, live ${displayValue(drift.live)})`
            : drift.reason
              ? ` (${drift.reason})`
              : '';
        markdown.appendMarkdown(`\n- ${escapeMarkdown(`${drift.path.join('.')}: ${drift.status}${detail}`)}`);
      }
      const second = state.secondSource?.resources?.[resource.logicalId];
      if (second) markdown.appendMarkdown(`\n\nCloudFormation drift detection: ${escapeMarkdown(second.status)}`);
      return new vscode.Hover(markdown, range);
    }
    return undefined;
  }

  // ---- quick fixes ----------------------------------------------------------------------------------------

  findingFor(document: vscode.TextDocument, diagnostic: vscode.Diagnostic): Finding | undefined {
    const state = this.states.get(document.uri.toString());
    return state?.findings.find(
      (finding) => finding.diagnostic.message === diagnostic.message && finding.range.isEqual(diagnostic.range),
    );
  }

  async provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): Promise<vscode.CodeAction[]> {
    const state = this.states.get(document.uri.toString());
    if (!state?.template || state.stale || state.template.hasErrors) return [];
    const { acceptLiveValueEdit, isAcceptableLiveValue } = await import('../../../core/iac/drift/acceptEdit');
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== DRIFT_SOURCE) continue;
      const finding = this.findingFor(document, diagnostic);
      const drift = finding?.drift;
      if (!finding || !drift) continue;
      if (finding.exact && isAcceptableLiveValue(drift.live) && !drift.reason) {
        const span = state.template.rangeOf(finding.templatePath)!.value;
        const edit = acceptLiveValueEdit(state.template.format, span, drift.live);
        const action = new vscode.CodeAction(
          `Accept live value ${displayValue(drift.live, 40)} into the template`,
          vscode.CodeActionKind.QuickFix,
        );
        action.diagnostics = [diagnostic];
        action.isPreferred = true;
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(
          document.uri,
          new vscode.Range(document.positionAt(edit.start), document.positionAt(edit.end)),
          edit.newText,
        );
        actions.push(action);
      }
      const revert = revertOperation(finding.resource, drift);
      if (revert) {
        const action = new vscode.CodeAction(
          `Revert the live resource to the template (${revert.title})`,
          vscode.CodeActionKind.QuickFix,
        );
        action.diagnostics = [diagnostic];
        action.command = {
          title: action.title,
          command: 'pilotLight.iac.revertToTemplate',
          arguments: [document.uri, finding.resource.logicalId, drift.path],
        };
        actions.push(action);
      }
    }
    return actions;
  }

  /** Runs the registered operation that puts the live value back (dry-run, guardrails, approval, audit). */
  async revert(document: vscode.TextDocument, logicalId: string, path: ReadonlyArray<string | number>) {
    const state = this.states.get(document.uri.toString());
    const resource = state?.report?.resources.find((candidate) => candidate.logicalId === logicalId);
    const drift = resource?.properties.find((property) => property.path.join('.') === path.join('.'));
    const revert = resource && drift ? revertOperation(resource, drift) : undefined;
    if (!revert)
      throw new UserError(
        `Reverting ${logicalId}.${path.join('.')} is not supported yet: change the resource or accept the live value.`,
      );
    const result = await runInteractively(this.service, {
      operationId: revert.operationId,
      input: revert.input,
      caller: 'command',
      title: revert.title,
      region: state?.report?.region,
    });
    if (result.status === 'succeeded') await this.check(document, 'save');
    return result;
  }

  // ---- change sets ------------------------------------------------------------------------------------------

  private async stackFor(document: vscode.TextDocument): Promise<{ stackName: string; region: string }> {
    const state = this.state(document.uri);
    const region = (await this.ctx.connection()).region;
    if (state.stackName) return { stackName: state.stackName, region };
    await this.check(document, 'command');
    if (state.stackName) return { stackName: state.stackName, region };
    throw new UserError('This template is not linked to a stack yet.', [
      { title: 'Link to Stack…', run: () => vscode.commands.executeCommand('pilotLight.iac.linkStack', document.uri) },
    ]);
  }

  /** Creates a change set through the safety core, waits for it, and shows its changes. */
  async previewChanges(document: vscode.TextDocument) {
    const template = await this.parse(document);
    if (!template) throw new UserError('This file is not a CloudFormation template.');
    if (template.hasErrors) throw new UserError('The template has errors; fix them before previewing changes.');
    const { MAX_TEMPLATE_BODY_BYTES } = await import('../../../core/operations/iac');
    if (Buffer.byteLength(document.getText(), 'utf8') > MAX_TEMPLATE_BODY_BYTES)
      throw new UserError(
        `The template is over ${MAX_TEMPLATE_BODY_BYTES} bytes: CloudFormation then needs it in S3, which Pilot Light does not support yet.`,
      );
    const { stackName, region } = await this.stackFor(document);
    const stacks = await this.reads().read<{ items: Array<{ Parameters?: Array<{ ParameterKey?: string }> }> }>(
      'cloudformation.stacks.list',
      { stackName },
      region,
    );
    const declared = new Set(template.definitions.get('Parameters')?.keys() ?? []);
    const previous = (stacks.items[0]?.Parameters ?? [])
      .map((parameter) => parameter.ParameterKey)
      .filter((key): key is string => Boolean(key && declared.has(key)));
    const changeSetName = `pilot-light-${new Date()
      .toISOString()
      .replace(/[^0-9]/g, '')
      .slice(0, 14)}`;
    const created = await runInteractively(this.service, {
      operationId: 'cloudformation.changeSets.create',
      input: {
        stackName,
        changeSetName,
        templateBody: document.getText(),
        usePreviousParameters: previous,
        capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      },
      caller: 'command',
      region,
      title: `Preview changes to ${stackName}`,
    });
    if (created.status !== 'succeeded') return { created, changeSet: undefined };
    let described: { status?: string; statusReason?: string; summary: string[] } = { summary: [] };
    for (let attempt = 0; attempt < 60; attempt++) {
      described = await this.reads().read('cloudformation.changeSets.describe', { stackName, changeSetName }, region);
      if (!/PENDING|IN_PROGRESS/.test(described.status ?? '')) break;
      await new Promise((resolve) => setTimeout(resolve, Math.min(500 * (attempt + 1), 3_000)));
    }
    this.state(document.uri).changeSet = {
      stackName,
      changeSetName,
      version: document.version,
      status: described.status,
    };
    const text = [
      `Change set ${changeSetName} for stack ${stackName} (${region})`,
      `Status: ${described.status ?? '?'}${described.statusReason ? ` — ${described.statusReason}` : ''}`,
      '',
      ...(described.summary.length ? described.summary.map((line) => `• ${line}`) : ['No resource changes.']),
      '',
      'Nothing is deployed until you choose Deploy (it runs through the guardrails, approval and audit).',
    ].join('\n');
    await registerPreviewDocuments(this.ctx.extension).show(`change-set-${stackName}`, text);
    return { created, changeSet: { changeSetName, ...described } };
  }

  /** Executes the previewed change set (previewing first when there is none for this text). */
  async deploy(document: vscode.TextDocument) {
    let changeSet = this.state(document.uri).changeSet;
    if (!changeSet || changeSet.version !== document.version) {
      const preview = await this.previewChanges(document);
      if (!preview.changeSet) return preview.created;
      changeSet = this.state(document.uri).changeSet!;
    }
    if (changeSet.status !== 'CREATE_COMPLETE')
      throw new UserError(`The change set is ${changeSet.status ?? 'not ready'}; there is nothing to deploy.`);
    const region = (await this.ctx.connection()).region;
    const result = await runInteractively(this.service, {
      operationId: 'cloudformation.changeSets.execute',
      input: { stackName: changeSet.stackName, changeSetName: changeSet.changeSetName },
      caller: 'command',
      region,
      title: `Deploy ${changeSet.changeSetName} to ${changeSet.stackName}`,
    });
    this.state(document.uri).changeSet = undefined;
    if (result.status === 'succeeded') {
      for (let attempt = 0; attempt < 120; attempt++) {
        const stacks = await this.reads().read<{ items: Array<{ StackStatus?: string }> }>(
          'cloudformation.stacks.list',
          { stackName: changeSet.stackName },
          region,
        );
        if (!/IN_PROGRESS/.test(stacks.items[0]?.StackStatus ?? '')) break;
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
      await this.check(document, 'save');
    }
    return result;
  }
}

/** The registered write operation that sets a drifted property back to the template's value, where one exists. */
export function revertOperation(
  resource: ResourceDrift,
  drift: PropertyDrift,
): { operationId: string; input: Record<string, unknown>; title: string } | undefined {
  if (drift.status !== 'drifted' || !resource.physicalId) return undefined;
  const [property, index, field] = drift.path;
  if (resource.type === 'AWS::EC2::Instance' && property === 'InstanceType' && typeof drift.expected === 'string')
    return {
      operationId: 'ec2.instances.changeType',
      input: { instanceId: resource.physicalId, instanceType: drift.expected },
      title: `change ${resource.physicalId} back to ${drift.expected}; the instance must be stopped`,
    };
  if (
    resource.type === 'AWS::EC2::SecurityGroup' &&
    (property === 'SecurityGroupIngress' || property === 'SecurityGroupEgress')
  ) {
    const direction = property === 'SecurityGroupIngress' ? 'Ingress' : 'Egress';
    const missing = typeof index === 'number' && drift.reason === 'not found live';
    const rules = (missing ? [drift.expected] : Array.isArray(drift.live) ? drift.live : []).map(toRuleInput);
    if (!rules.length || rules.some((rule) => !rule)) return undefined;
    return {
      operationId: `ec2.securityGroups.${missing ? 'authorize' : 'revoke'}${direction}`,
      input: { groupId: resource.physicalId, rules },
      title: `${missing ? 'add the template' : 'remove the extra live'} ${direction.toLowerCase()} rule${rules.length === 1 ? '' : 's'} on ${resource.physicalId}`,
    };
  }
  if (resource.type.startsWith('AWS::EC2::') && property === 'Tags' && typeof index === 'number' && drift.tagKey) {
    const value = field === 'Value' ? drift.expected : (drift.expected as { Value?: unknown } | undefined)?.Value;
    if (typeof value !== 'string') return undefined;
    return {
      operationId: 'ec2.tags.add',
      input: { resourceIds: [resource.physicalId], tags: { [drift.tagKey]: value } },
      title: `set tag ${drift.tagKey} on ${resource.physicalId} back to "${value}"`,
    };
  }
  return undefined;
}

/** A CloudFormation security-group rule as the rule operations' input; undefined when it has no such form. */
function toRuleInput(rule: unknown): Record<string, unknown> | undefined {
  if (!rule || typeof rule !== 'object') return undefined;
  const r = rule as Record<string, unknown>;
  const protocol = String(r.IpProtocol) === '-1' ? 'all' : String(r.IpProtocol);
  if (!['tcp', 'udp', 'icmp', 'icmpv6', 'all'].includes(protocol)) return undefined;
  const port = (value: unknown) => (value === undefined || protocol === 'all' ? undefined : Number(value));
  const source =
    r.CidrIp ??
    r.CidrIpv6 ??
    r.SourceSecurityGroupId ??
    r.DestinationSecurityGroupId ??
    r.SourcePrefixListId ??
    r.DestinationPrefixListId;
  if (typeof source !== 'string') return undefined;
  return Object.fromEntries(
    Object.entries({
      protocol,
      fromPort: port(r.FromPort),
      toPort: port(r.ToPort),
      cidrIpv4: r.CidrIp,
      cidrIpv6: r.CidrIpv6,
      sourceSecurityGroupId: r.SourceSecurityGroupId ?? r.DestinationSecurityGroupId,
      prefixListId: r.SourcePrefixListId ?? r.DestinationPrefixListId,
      description: r.Description,
    }).filter(([, value]) => value !== undefined),
  );
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (character) => `\\${character}`);
}
