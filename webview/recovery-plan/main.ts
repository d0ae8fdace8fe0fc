// The visual recovery-plan editor. The plan file is the only truth: this page draws the view the extension
// sends for each document version and sends back intents. Everything from the file or AWS goes through Lit
// text and attribute bindings (escaped); no unsafeHTML.
import { html, nothing, svg, type TemplateResult } from 'lit';
import { guard } from 'lit/directives/guard.js';
import './styles.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import {
  RECOVERY_PLAN_PROTOCOL_VERSION,
  toHost,
  toWebview,
  type CatalogItem,
  type GroupInfo,
  type PlanIntentMessage,
  type PlanViewMessage,
  type ProblemViewMessage,
  type PreflightFindingView,
  type RunView,
  type ToHost,
  type ToWebview,
} from '../../src/protocol/recoveryPlan';

import { eventChecked, eventValue, nextRequestId } from '../shared/channel';
import { ChannelElement, type PageChannel } from '../shared/channelElement';

type OkView = Extract<PlanViewMessage, { status: 'ok' }>;
type Wave = OkView['waves'][number];
type Action = Wave['preActions'][number];
type ActionListName = 'preActions' | 'postActions';

const NODE_WIDTH = 220;
const NODE_HEIGHT = 112;
const GAP_X = 48;
const GAP_Y = 64;
const MARGIN = 24;

function position(wave: Wave): { x: number; y: number } {
  return { x: MARGIN + wave.slot * (NODE_WIDTH + GAP_X), y: MARGIN + wave.layer * (NODE_HEIGHT + GAP_Y) };
}

function actionText(action: Action): string {
  switch (action.type) {
    case 'ssmAutomation':
      return `SSM ${action.documentName ?? '?'}`;
    case 'wait':
      return `wait ${action.seconds ?? '?'}s`;
    case 'backupRestore':
      return `Backup restore ${action.recoveryPointArn?.split(/[:/]/).pop() ?? '?'}`;
    case 'approval':
      return 'approval';
    default:
      return action.type;
  }
}

const CHANNEL: PageChannel<ToHost, ToWebview> = {
  toHost,
  toWebview,
  ready: { type: 'ready', protocol: RECOVERY_PLAN_PROTOCOL_VERSION },
};

export class RecoveryPlanEditorElement extends ChannelElement<ToHost, ToWebview> {
  protected readonly channel = CHANNEL;
  static properties = {
    view: { state: true },
    version: { state: true },
    groups: { state: true },
    groupNote: { state: true },
    selectedWave: { state: true },
    selectedEdge: { state: true },
    preflight: { state: true },
    run: { state: true },
    catalogs: { state: true },
    dragLine: { state: true },
    problems: { state: true },
  };

  declare view: PlanViewMessage | undefined;
  declare version: number;
  declare groups: GroupInfo[];
  /** The file's problems (of the latest version they were computed for). */
  declare problems: ProblemViewMessage[];
  declare groupNote: string | undefined;
  declare selectedWave: string | undefined;
  declare selectedEdge: { from: string; to: string } | undefined;
  declare preflight:
    { status: string; verdict?: string; findings: PreflightFindingView[]; message?: string } | undefined;
  declare run: RunView | null;
  declare catalogs: Partial<Record<'ssmDocuments' | 'sourceServers', { items: CatalogItem[]; error?: string }>>;
  /** The edge being drawn: from a wave's port to the pointer. */
  declare dragLine: { from: string; x1: number; y1: number; x2: number; y2: number } | undefined;

  private lastReportedVersion = -1;
  /** Where each node was last placed. */
  private readonly placed = new WeakMap<HTMLElement, string>();

  constructor() {
    super();
    this.version = -1;
    this.groups = [];
    this.problems = [];
    this.run = null;
    this.catalogs = {};
  }

  intent(intent: PlanIntentMessage): void {
    this.send({ type: 'intent', requestId: nextRequestId(), intent });
  }

  protected receive(message: ToWebview): void {
    switch (message.type) {
      case 'view':
        this.view = message.view;
        this.version = message.version;
        if (message.view.status === 'ok') {
          const names = new Set(message.view.waves.map((wave) => wave.name));
          if (this.selectedWave && !names.has(this.selectedWave)) this.selectedWave = undefined;
          if (this.selectedEdge && !(names.has(this.selectedEdge.from) && names.has(this.selectedEdge.to)))
            this.selectedEdge = undefined;
        }
        break;
      case 'problems':
        if (message.version === this.version) this.problems = message.problems;
        break;
      case 'groups':
        this.groups = message.groups;
        this.groupNote = message.note;
        break;
      case 'catalog':
        this.catalogs = { ...this.catalogs, [message.kind]: { items: message.items, error: message.error } };
        break;
      case 'preflight':
        this.preflight = message;
        break;
      case 'run':
        this.run = message.run;
        break;
      case 'result':
        this.status = { kind: message.ok ? 'ok' : 'error', text: message.message };
        break;
      case 'error':
        this.status = { kind: 'error', text: message.message };
        break;
    }
  }

  protected updated(): void {
    // Positions and sizes go through the CSSOM: the CSP allows no inline style attributes.
    for (const node of this.querySelectorAll<HTMLElement>('.wave[data-x]')) {
      // Only nodes that moved (or are new) are touched: an edit of one field re-places nothing.
      const at = `${node.dataset.x},${node.dataset.y}`;
      if (this.placed.get(node) === at) continue;
      this.placed.set(node, at);
      node.style.left = `${node.dataset.x}px`;
      node.style.top = `${node.dataset.y}px`;
      node.style.width = `${NODE_WIDTH}px`;
      node.style.height = `${NODE_HEIGHT}px`;
    }
    const plane = this.querySelector<HTMLElement>('.plane[data-width]');
    if (plane) {
      plane.style.width = `${plane.dataset.width}px`;
      plane.style.height = `${plane.dataset.height}px`;
    }
    if (this.view && this.version !== this.lastReportedVersion) {
      this.lastReportedVersion = this.version;
      this.send({ type: 'rendered', version: this.version });
    }
  }

  // ---- graph ----------------------------------------------------------------------------------------------

  private findingsOf(wave: string): PreflightFindingView[] {
    return this.preflight?.findings.filter((finding) => finding.wave === wave) ?? [];
  }

  private groupCount(name: string): string {
    const group = this.groups.find((g) => g.name === name);
    if (!group) return this.groups.length ? ' (no such group file)' : '';
    if (group.broken) return ' (file has errors)';
    return group.servers === undefined ? '' : ` (${group.servers})`;
  }

  private runWave(name: string): RunView['waves'][number] | undefined {
    return this.run?.waves.find((wave) => wave.name === name);
  }

  private onPortDown(event: PointerEvent, wave: Wave): void {
    event.stopPropagation();
    event.preventDefault();
    const { x, y } = position(wave);
    const start = { x: x + NODE_WIDTH / 2, y: y + NODE_HEIGHT };
    const canvas = this.querySelector('.canvas') as HTMLElement;
    const origin = canvas.getBoundingClientRect();
    const move = (e: PointerEvent) => {
      this.dragLine = {
        from: wave.name,
        x1: start.x,
        y1: start.y,
        x2: e.clientX - origin.left + canvas.scrollLeft,
        y2: e.clientY - origin.top + canvas.scrollTop,
      };
    };
    const up = (e: PointerEvent) => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      this.dragLine = undefined;
      const target = (document.elementFromPoint(e.clientX, e.clientY) as HTMLElement | null)?.closest(
        '.wave',
      ) as HTMLElement | null;
      const to = target?.dataset.wave;
      if (to && to !== wave.name) this.intent({ kind: 'connect', from: wave.name, to });
      else if (to === wave.name) this.status = { kind: 'error', text: `Wave "${wave.name}" cannot depend on itself.` };
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
    move(event);
  }

  private renderEdges(view: OkView, width: number, height: number): TemplateResult {
    // The paths are drawn again only when the layout or the selected edge changed (not for a field edit).
    const layoutKey = JSON.stringify(view.waves.map((w) => [w.name, w.layer, w.slot, w.dependsOn]));
    const selected = `${this.selectedEdge?.from ?? ''}\n${this.selectedEdge?.to ?? ''}`;
    const drag = this.dragLine;
    return html`<svg class="edges" width=${width} height=${height} aria-hidden="true">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="8" markerHeight="8" orient="auto">
          <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead"></path>
        </marker>
      </defs>
      ${guard([layoutKey, selected], () => this.edgePaths(view))}
      ${drag ? svg`<line class="drag" x1=${drag.x1} y1=${drag.y1} x2=${drag.x2} y2=${drag.y2}></line>` : nothing}
    </svg>`;
  }

  private edgePaths(view: OkView): TemplateResult[] {
    const byName = new Map(view.waves.map((wave) => [wave.name, wave]));
    const edges: TemplateResult[] = [];
    for (const wave of view.waves)
      for (const dependency of wave.dependsOn) {
        const from = byName.get(dependency);
        if (!from) continue;
        const a = position(from);
        const b = position(wave);
        const x1 = a.x + NODE_WIDTH / 2;
        const y1 = a.y + NODE_HEIGHT;
        const x2 = b.x + NODE_WIDTH / 2;
        const y2 = b.y;
        const mid = (y1 + y2) / 2;
        // An edge that skips layers bends out to the right, around the waves between its ends.
        const bend = wave.layer - from.layer > 1 ? NODE_WIDTH * 0.9 : 0;
        const path =
          bend > 0
            ? `M ${x1} ${y1} C ${x1 + bend} ${y1 + GAP_Y}, ${x2 + bend} ${y2 - GAP_Y}, ${x2} ${y2 - 6}`
            : `M ${x1} ${y1} C ${x1} ${mid}, ${x2} ${mid}, ${x2} ${y2 - 6}`;
        const selected = this.selectedEdge?.from === dependency && this.selectedEdge.to === wave.name;
        edges.push(svg`<path class=${`edge${selected ? ' selected' : ''}`} data-from=${dependency} data-to=${wave.name}
          d=${path} marker-end="url(#arrow)"
          @click=${(e: Event) => {
            e.stopPropagation();
            this.selectedEdge = { from: dependency, to: wave.name };
            this.selectedWave = undefined;
          }}><title>${`${wave.name} depends on ${dependency}`}</title></path>`);
      }
    return edges;
  }

  private renderNode(wave: Wave, problems: ProblemViewMessage[]): TemplateResult {
    const { x, y } = position(wave);
    const findings = this.findingsOf(wave.name);
    const worst = findings.some((f) => f.severity === 'error')
      ? 'error'
      : findings.some((f) => f.severity === 'warning')
        ? 'warning'
        : findings.length
          ? 'info'
          : '';
    const waveProblems = problems.filter((p) => p.wave === wave.name);
    const live = this.runWave(wave.name);
    const launched = live?.servers.filter((s) => s.status === 'LAUNCHED').length ?? 0;
    const actions = [
      ...wave.preActions.map((a) => `▶ ${actionText(a)}`),
      ...wave.postActions.map((a) => `◀ ${actionText(a)}`),
    ];
    return html`<div
      class=${`wave${this.selectedWave === wave.name ? ' selected' : ''}${waveProblems.length ? ' invalid' : ''}${live ? ` run-${live.status}` : ''}`}
      data-wave=${wave.name}
      data-x=${x}
      data-y=${y}
      tabindex="0"
      role="button"
      aria-label=${`Wave ${wave.name}`}
      @click=${(e: Event) => {
        e.stopPropagation();
        this.selectedWave = wave.name;
        this.selectedEdge = undefined;
      }}
      @keydown=${(e: KeyboardEvent) => {
        if (e.key === 'Enter') this.selectedWave = wave.name;
      }}
    >
      <div class="wave-title">
        ${wave.pauseBeforeWave ? html`<span class="pause" title="Pauses before this wave">⏸</span>` : nothing}
        <span class="name">${wave.name}</span>
        ${worst ? html`<span class=${`finding ${worst}`} title=${findings.map((f) => f.message).join('\n')}>${findings.length}</span>` : nothing}
        ${waveProblems.length ? html`<span class="finding error" title=${waveProblems.map((p) => p.message).join('\n')}>!</span>` : nothing}
      </div>
      <div class="groups">
        ${
          wave.protectionGroups.length || wave.sourceServerIds.length
            ? html`${wave.protectionGroups.map((g) => html`<span class="chip">${g}${this.groupCount(g)}</span>`)}${
                wave.sourceServerIds.length
                  ? html`<span class="chip">${wave.sourceServerIds.length} server ID(s)</span>`
                  : nothing
              }`
            : html`<span class="empty">no servers</span>`
        }
      </div>
      <div class="actions">
        ${actions.slice(0, 3).join(' · ')}${actions.length > 3 ? ` · +${actions.length - 3}` : ''}
      </div>
      ${
        live
          ? html`<div class="live" title=${live.servers.map((s) => `${s.hostname || s.id}: ${s.status}`).join('\n')}>
              ${live.status}${live.servers.length ? ` · ${launched}/${live.servers.length} launched` : ''}
            </div>`
          : nothing
      }
      <div
        class="port"
        title="Drag to the wave that depends on this one"
        @pointerdown=${(e: PointerEvent) => this.onPortDown(e, wave)}
      ></div>
    </div>`;
  }

  private renderGraph(view: OkView): TemplateResult {
    const layers = Math.max(0, ...view.waves.map((w) => w.layer)) + 1;
    const slots = Math.max(0, ...view.waves.map((w) => w.slot)) + 1;
    const width = MARGIN * 2 + slots * (NODE_WIDTH + GAP_X);
    const height = MARGIN * 2 + layers * (NODE_HEIGHT + GAP_Y);
    return html`<div
      class="canvas"
      @click=${() => {
        this.selectedWave = undefined;
        this.selectedEdge = undefined;
      }}
    >
      <div class="plane" data-width=${width} data-height=${height}>
        ${this.renderEdges(view, width, height)}
        ${view.waves.map((wave) =>
          // A node is drawn again only when its wave or what it shows of the run, checks and groups changed.
          guard(
            [
              JSON.stringify(wave),
              this.selectedWave === wave.name,
              this.problems,
              this.preflight,
              this.groups,
              this.run,
            ],
            () => this.renderNode(wave, this.problems),
          ),
        )}
      </div>
    </div>`;
  }

  // ---- inspector ------------------------------------------------------------------------------------------

  private textField(
    id: string,
    label: string,
    value: string,
    commit: (value: string) => void,
    placeholder = '',
  ): TemplateResult {
    return html`<label class="field" for=${id}
      ><span>${label}</span
      ><vscode-textfield
        id=${id}
        .value=${value}
        placeholder=${placeholder}
        @change=${(event: Event) => commit(eventValue(event).trim())}
      ></vscode-textfield
    ></label>`;
  }

  private picker(
    id: string,
    label: string,
    options: Array<{ value: string; label: string }>,
    pick: (value: string) => void,
  ): TemplateResult {
    return html`<label class="field" for=${id}
      ><span>${label}</span
      ><vscode-single-select
        id=${id}
        combobox
        @change=${(event: Event) => {
          const value = eventValue(event);
          if (value) pick(value);
        }}
      >
        <vscode-option value="" selected>—</vscode-option>
        ${options.map((option) => html`<vscode-option value=${option.value}>${option.label}</vscode-option>`)}
      </vscode-single-select></label
    >`;
  }

  private numberOrNull(text: string): number | null {
    if (!text) return null;
    const value = Number(text);
    return Number.isFinite(value) ? value : NaN;
  }

  private renderPlanInspector(view: OkView): TemplateResult {
    return html`<h2>Plan</h2>
      ${this.textField('plan-name', 'Name', view.name, (value) => this.intent({ kind: 'setPlanField', field: 'name', value: value || null }))}
      ${this.textField('plan-description', 'Description', view.description ?? '', (value) =>
        this.intent({ kind: 'setPlanField', field: 'description', value: value || null }),
      )}
      <label class="field" for="plan-failurePolicy"
        ><span>Failure policy</span
        ><vscode-single-select
          id="plan-failurePolicy"
          @change=${(event: Event) => this.intent({ kind: 'setPlanField', field: 'failurePolicy', value: eventValue(event) || null })}
        >
          <vscode-option value="" ?selected=${!view.failurePolicy}>(default: stop)</vscode-option>
          <vscode-option value="stop" ?selected=${view.failurePolicy === 'stop'}
            >stop: no further wave starts after a failure</vscode-option
          >
          <vscode-option value="continue" ?selected=${view.failurePolicy === 'continue'}
            >continue: the remaining waves still run</vscode-option
          >
        </vscode-single-select></label
      >
      ${this.textField('plan-rpo', 'RPO target (minutes)', view.rpoMinutes?.toString() ?? '', (value) =>
        this.intent({ kind: 'setPlanField', field: 'rpoMinutes', value: this.numberOrNull(value) }),
      )}
      ${this.textField('plan-rto', 'RTO target (minutes)', view.rtoMinutes?.toString() ?? '', (value) =>
        this.intent({ kind: 'setPlanField', field: 'rtoMinutes', value: this.numberOrNull(value) }),
      )}
      <p class="hint">
        Select a wave to edit it. Drag from a wave's bottom handle to another wave to make that wave depend on it.
      </p>
      ${this.renderGroupsList()}`;
  }

  private renderGroupsList(): TemplateResult {
    return html`<h3>Protection groups in the workspace</h3>
      ${this.groupNote ? html`<p class="hint">${this.groupNote}</p>` : nothing}
      <ul class="group-list">
        ${this.groups.map(
          (group) =>
            html`<li>
              <a
                href="#"
                @click=${(e: Event) => {
                  e.preventDefault();
                  this.send({ type: 'openGroup', name: group.name });
                }}
                >${group.name}</a
              >
              <span class="meta"
                >${group.region} ·
                ${group.selection}${group.servers !== undefined ? ` · ${group.servers} server(s)` : ''}${group.broken ? ' · file has errors' : ''}</span
              >
            </li>`,
        )}
      </ul>
      <vscode-button secondary id="resolve-groups" @click=${() => this.send({ type: 'refreshGroups', resolve: true })}
        >Count servers (DRS)</vscode-button
      >`;
  }

  private renderList(
    title: string,
    items: string[],
    remove: (item: string) => void,
    labelOf: (item: string) => string = (item) => item,
  ): TemplateResult {
    return html`<div class="list">
      <span class="list-title">${title}</span>
      ${
        items.length
          ? items.map(
              (item) =>
                html`<span class="chip removable"
                  >${labelOf(item)}<button
                    class="remove"
                    title=${`Remove ${item}`}
                    aria-label=${`Remove ${item}`}
                    @click=${() => remove(item)}
                  >
                    ×
                  </button></span
                >`,
            )
          : html`<span class="empty">none</span>`
      }
    </div>`;
  }

  private renderAction(wave: Wave, list: ActionListName, action: Action, index: number): TemplateResult {
    const update = (patch: Record<string, unknown>) => {
      const next = { ...action, ...patch } as Record<string, unknown>;
      for (const key of Object.keys(next)) if (next[key] === undefined || next[key] === '') delete next[key];
      // Parameters are edited in the text: an update without them keeps the file's values.
      delete next.parameters;
      const payload = next;
      this.intent({ kind: 'updateAction', wave: wave.name, list, index, action: payload as never });
    };
    const id = `${list}-${index}`;
    let fields: TemplateResult;
    if (action.type === 'ssmAutomation') {
      const documents = this.catalogs.ssmDocuments;
      fields = html`${this.textField(`${id}-doc`, 'SSM Automation document', action.documentName ?? '', (value) => update({ documentName: value }))}
      ${
        documents?.items.length
          ? this.picker(
              `${id}-doc-pick`,
              'Pick a document',
              documents.items.map((d) => ({ value: d.id, label: d.label })),
              (value) => update({ documentName: value }),
            )
          : nothing
      }
      ${this.textField(`${id}-timeout`, 'Timeout (seconds)', action.timeoutSeconds?.toString() ?? '', (value) =>
        update({ timeoutSeconds: value ? Number(value) : undefined }),
      )}
      ${this.textField(`${id}-retries`, 'Retries', action.retries?.toString() ?? '', (value) => update({ retries: value ? Number(value) : undefined }))}
      ${
        action.parameters
          ? html`<p class="hint">
              Parameters (edit in the text):
              ${Object.entries(action.parameters)
                .map(([k, v]) => `${k}=${v}`)
                .join('; ')}
            </p>`
          : nothing
      }`;
    } else if (action.type === 'wait') {
      fields = this.textField(`${id}-seconds`, 'Seconds', action.seconds?.toString() ?? '', (value) =>
        update({ seconds: Number(value) }),
      );
    } else if (action.type === 'approval') {
      fields = html`${this.textField(`${id}-message`, 'Message', action.message ?? '', (value) => update({ message: value }))}
      ${this.textField(`${id}-timeout`, 'Timeout (seconds)', action.timeoutSeconds?.toString() ?? '', (value) =>
        update({ timeoutSeconds: value ? Number(value) : undefined }),
      )}`;
    } else if (action.type === 'backupRestore') {
      fields = html`<p class="hint">
        AWS Backup restore of ${action.recoveryPointArn ?? '?'} (vault ${action.backupVaultName ?? '?'}); edit it in the
        text.
      </p>`;
    } else {
      fields = html`<p class="hint">Unknown action type; edit it in the text.</p>`;
    }
    return html`<div class="action" data-action=${id}>
      <div class="action-head">
        <strong>${index + 1}. ${actionText(action)}</strong>
        <vscode-button
          secondary
          class="remove-action"
          @click=${() => this.intent({ kind: 'removeAction', wave: wave.name, list, index })}
          >Remove</vscode-button
        >
      </div>
      ${this.textField(`${id}-name`, 'Name (optional)', action.name ?? '', (value) => update({ name: value || undefined }))}
      ${fields}
    </div>`;
  }

  private renderActions(wave: Wave, list: ActionListName, title: string): TemplateResult {
    const add = (action: PlanIntentMessage & { kind: 'addAction' }) => this.intent(action);
    return html`<h3>${title}</h3>
      ${wave[list].map((action, index) => this.renderAction(wave, list, action, index))}
      <div class="row">
        <vscode-button
          secondary
          class=${`add-ssm-${list}`}
          @click=${() => {
            if (!this.catalogs.ssmDocuments) this.send({ type: 'catalog', kind: 'ssmDocuments' });
            add({
              kind: 'addAction',
              wave: wave.name,
              list,
              action: {
                type: 'ssmAutomation',
                documentName: this.catalogs.ssmDocuments?.items[0]?.id ?? 'AWS-Change-Me',
              },
            });
          }}
          >+ SSM Automation</vscode-button
        >
        <vscode-button
          secondary
          @click=${() => add({ kind: 'addAction', wave: wave.name, list, action: { type: 'wait', seconds: 60 } })}
          >+ Wait</vscode-button
        >
        <vscode-button
          secondary
          @click=${() => add({ kind: 'addAction', wave: wave.name, list, action: { type: 'approval', message: `Continue with ${wave.name}?` } })}
          >+ Approval</vscode-button
        >
      </div>`;
  }

  private renderWaveInspector(view: OkView, wave: Wave): TemplateResult {
    const others = view.waves.filter((w) => w.name !== wave.name && !wave.dependsOn.includes(w.name));
    const unusedGroups = this.groups.filter((g) => !wave.protectionGroups.includes(g.name));
    const servers = this.catalogs.sourceServers;
    const problems = this.problems.filter((p) => p.wave === wave.name);
    const findings = this.findingsOf(wave.name);
    return html`<h2>Wave ${wave.name}</h2>
      ${problems.map(
        (p) =>
          html`<p class=${`problem ${p.severity}`}>
            ${p.message}
            <a
              href="#"
              @click=${(e: Event) => {
                e.preventDefault();
                this.send({ type: 'openText', line: p.line });
              }}
              >line ${p.line}</a
            >
          </p>`,
      )}
      ${findings.map((f) => html`<p class=${`problem ${f.severity}`}>Preflight: ${f.message} <em>${f.fix}</em></p>`)}
      ${this.textField('wave-name', 'Name', wave.name, (value) => {
        if (value && value !== wave.name) {
          this.selectedWave = value;
          this.intent({ kind: 'renameWave', wave: wave.name, newName: value });
        }
      })}
      ${this.textField('wave-description', 'Description', wave.description ?? '', (value) =>
        this.intent({ kind: 'setWaveField', wave: wave.name, field: 'description', value: value || null }),
      )}
      <label class="field checkbox"
        ><vscode-checkbox
          id="wave-pause"
          .checked=${wave.pauseBeforeWave}
          @change=${(event: Event) => this.intent({ kind: 'setWaveField', wave: wave.name, field: 'pauseBeforeWave', value: eventChecked(event) })}
          >Pause before this wave (someone resumes it)</vscode-checkbox
        ></label
      >
      ${this.textField(
        'wave-maxWait',
        'Max wait for launch (seconds, default 3600)',
        wave.maxWaitSeconds?.toString() ?? '',
        (value) =>
          this.intent({
            kind: 'setWaveField',
            wave: wave.name,
            field: 'maxWaitSeconds',
            value: this.numberOrNull(value),
          }),
      )}
      ${this.renderList(
        'Protection groups',
        wave.protectionGroups,
        (group) => this.intent({ kind: 'removeProtectionGroup', wave: wave.name, group }),
        (g) => `${g}${this.groupCount(g)}`,
      )}
      ${this.picker(
        'wave-add-group',
        'Add a protection group',
        unusedGroups.map((g) => ({ value: g.name, label: `${g.name} (${g.selection})` })),
        (group) => this.intent({ kind: 'addProtectionGroup', wave: wave.name, group }),
      )}
      ${this.renderList(
        'Source servers',
        wave.sourceServerIds,
        (sourceServerId) => this.intent({ kind: 'removeSourceServer', wave: wave.name, sourceServerId }),
        (id) => {
          const known = servers?.items.find((item) => item.id === id);
          return known ? `${known.label} (${id})` : id;
        },
      )}
      ${
        servers
          ? servers.error
            ? html`<p class="problem error">Servers could not be listed: ${servers.error}</p>`
            : this.picker(
                'wave-add-server',
                'Add a source server',
                servers.items
                  .filter((s) => !wave.sourceServerIds.includes(s.id))
                  .map((s) => ({ value: s.id, label: `${s.label} · ${s.detail ?? s.id}` })),
                (sourceServerId) => this.intent({ kind: 'addSourceServer', wave: wave.name, sourceServerId }),
              )
          : html`<vscode-button
              secondary
              id="load-servers"
              @click=${() => this.send({ type: 'catalog', kind: 'sourceServers' })}
              >List DRS source servers…</vscode-button
            >`
      }
      ${this.renderList('Depends on', wave.dependsOn, (from) => this.intent({ kind: 'disconnect', from, to: wave.name }))}
      ${this.picker(
        'wave-add-dependency',
        'Add a dependency',
        others.map((w) => ({ value: w.name, label: w.name })),
        (from) => this.intent({ kind: 'connect', from, to: wave.name }),
      )}
      ${this.renderActions(wave, 'preActions', 'Before the launch')}
      ${this.renderActions(wave, 'postActions', 'After the launch')}
      ${this.catalogs.ssmDocuments?.error ? html`<p class="problem error">SSM documents could not be listed: ${this.catalogs.ssmDocuments.error}</p>` : nothing}
      <div class="row danger">
        <vscode-button secondary id="remove-wave" @click=${() => this.intent({ kind: 'removeWave', wave: wave.name })}
          >Remove wave</vscode-button
        >
        <a
          href="#"
          @click=${(e: Event) => {
            e.preventDefault();
            this.send({ type: 'openText', line: wave.line });
          }}
          >Show in text (line ${wave.line})</a
        >
      </div>`;
  }

  // ---- page -----------------------------------------------------------------------------------------------

  private renderToolbar(view: OkView | undefined): TemplateResult {
    return html`<header>
      <h1>${view ? view.name || '(unnamed plan)' : 'Recovery plan'}</h1>
      ${
        view
          ? html`<span class="meta"
              >${view.waves.length} wave(s) · ${view.failurePolicy ?? 'stop'} on
              failure${this.run ? ` · run ${this.run.runId}${this.run.engine === 'stepFunctions' ? ' on Step Functions' : ''}: ${this.run.status}` : ''}</span
            >`
          : nothing
      }
      <div class="toolbar">
        <vscode-button
          id="add-wave"
          ?disabled=${!view}
          @click=${() => {
            const after = this.selectedWave;
            // A new wave takes the first workspace group no wave uses yet (else none: pick one in the inspector).
            const used = new Set(view?.waves.flatMap((w) => w.protectionGroups) ?? []);
            const firstGroup = this.groups.find((g) => !g.broken && !used.has(g.name))?.name;
            this.intent({
              kind: 'addWave',
              ...(after ? { dependsOn: [after] } : {}),
              ...(firstGroup ? { protectionGroups: [firstGroup] } : {}),
            });
          }}
          >+ Wave</vscode-button
        >
        ${
          this.selectedEdge
            ? html`<vscode-button
                secondary
                id="remove-edge"
                @click=${() => {
                  const edge = this.selectedEdge!;
                  this.selectedEdge = undefined;
                  this.intent({ kind: 'disconnect', from: edge.from, to: edge.to });
                }}
                >Remove dependency ${this.selectedEdge.to} → ${this.selectedEdge.from}</vscode-button
              >`
            : nothing
        }
        <vscode-button
          secondary
          id="preflight"
          ?disabled=${!view || this.preflight?.status === 'running'}
          @click=${() => this.send({ type: 'preflight' })}
          >${this.preflight?.status === 'running' ? 'Preflight…' : 'Preflight'}</vscode-button
        >
        <vscode-button secondary id="open-text" @click=${() => this.send({ type: 'openText' })}
          >Open as text</vscode-button
        >
      </div>
    </header>`;
  }

  private renderProblems(view: OkView): TemplateResult | typeof nothing {
    const preflight = this.preflight;
    if (!this.problems.length && !view.cycle && !preflight) return nothing;
    return html`<section class="problems">
      ${
        this.problems.length
          ? html`<h3>Problems in the file (${this.problems.length})</h3>
              <ul>
                ${this.problems.map(
                  (p) =>
                    html`<li class=${p.severity}>
                      <a
                        href="#"
                        @click=${(e: Event) => {
                          e.preventDefault();
                          this.send({ type: 'openText', line: p.line });
                        }}
                        >line ${p.line}</a
                      >
                      ${p.wave ? html`<strong>${p.wave}</strong>: ` : nothing}${p.message}
                    </li>`,
                )}
              </ul>`
          : nothing
      }
      ${
        preflight
          ? html`<h3>
                Preflight
                ${preflight.verdict ? `: ${preflight.verdict}` : preflight.status === 'running' ? '(running…)' : ''}
              </h3>
              ${preflight.message ? html`<p class="problem error">${preflight.message}</p>` : nothing}
              <ul>
                ${preflight.findings.map(
                  (f) =>
                    html`<li class=${f.severity}>
                      ${f.wave ? html`<strong>${f.wave}</strong>: ` : nothing}${f.message} <em>${f.fix}</em>
                    </li>`,
                )}
              </ul>`
          : nothing
      }
    </section>`;
  }

  render(): TemplateResult {
    const view = this.view;
    if (!view) return html`<p class="status busy" role="status">Reading the plan…</p>`;
    if (view.status === 'error')
      return html`${this.renderToolbar(undefined)}
        <section class="error-state" role="alert">
          <h2>The plan cannot be shown as a graph</h2>
          <p>${view.message}</p>
          <p>
            <a
              href="#"
              id="error-line"
              @click=${(e: Event) => {
                e.preventDefault();
                this.send({ type: 'openText', line: view.line });
              }}
              >Open line ${view.line}, column ${view.column} in the text editor</a
            >
            — the file is left exactly as it is until it parses again.
          </p>
        </section>
        ${this.renderStatus()}`;
    const selected = view.waves.find((wave) => wave.name === this.selectedWave);
    return html`${this.renderToolbar(view)} ${this.renderStatus()}
      ${view.cycle ? html`<p class="problem error">Dependency cycle in the file: ${view.cycle}</p>` : nothing}
      <div class="layout">
        ${this.renderGraph(view)}
        <aside class="inspector" aria-label="Inspector">
          ${selected ? this.renderWaveInspector(view, selected) : this.renderPlanInspector(view)}
        </aside>
      </div>
      ${this.renderProblems(view)}`;
  }

  private renderStatus(): TemplateResult | typeof nothing {
    if (!this.status) return nothing;
    return html`<p class=${`status ${this.status.kind}`} id="status" role="status">${this.status.text}</p>`;
  }
}

customElements.define('recovery-plan-editor', RecoveryPlanEditorElement);
document.getElementById('app')?.append(document.createElement('recovery-plan-editor'));
