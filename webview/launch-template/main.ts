// The launch-template editor webview. All text from AWS goes through Lit text bindings (escaped); no unsafeHTML.
import { html, nothing, type TemplateResult } from 'lit';
import './styles.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import {
  LAUNCH_TEMPLATE_PROTOCOL_VERSION,
  toHost,
  toWebview,
  type BlockDeviceRow,
  type DrsLaunchSettings,
  type EditorState,
  type Finding,
  type LaunchTemplateForm,
  type ToHost,
  type ToWebview,
  type UserDataSummary,
} from '../../src/protocol/launchTemplate';

import { eventChecked, eventValue, nextRequestId } from '../shared/channel';
import { ChannelElement, type PageChannel } from '../shared/channelElement';

const CHANNEL: PageChannel<ToHost, ToWebview> = {
  toHost,
  toWebview,
  ready: { type: 'ready', protocol: LAUNCH_TEMPLATE_PROTOCOL_VERSION },
};

export class LaunchTemplateEditorElement extends ChannelElement<ToHost, ToWebview> {
  protected readonly channel = CHANNEL;
  static properties = {
    state: { state: true },
    form: { state: true },
    rawJson: { state: true },
    findings: { state: true },
    drs: { state: true },
    userData: { state: true },
    selected: { state: true },
    busy: { state: true },
    makeDefault: { state: true },
    description: { state: true },
  };

  declare state: EditorState | undefined;
  declare form: LaunchTemplateForm | undefined;
  declare rawJson: string;
  declare findings: Finding[];
  declare drs: DrsLaunchSettings | undefined;
  /** A summary only: the user data text is edited in a VS Code editor and never reaches this page. */
  declare userData: UserDataSummary | undefined;
  /** Versions ticked for Compare or Delete. */
  declare selected: number[];
  declare busy: string | undefined;
  declare makeDefault: boolean;
  declare description: string;

  constructor() {
    super();
    this.rawJson = '';
    this.findings = [];
    this.selected = [];
    this.makeDefault = false;
    this.description = '';
  }

  protected receive(message: ToWebview): void {
    switch (message.type) {
      case 'state':
        this.state = message.state;
        this.form = structuredClone(message.state.form);
        this.rawJson = message.state.rawJson;
        this.findings = message.state.findings;
        this.drs = message.state.drs ? { ...message.state.drs.settings } : undefined;
        this.userData = message.state.userData;
        this.selected = this.selected.filter((version) =>
          message.state.versions.some((row) => row.versionNumber === version),
        );
        this.busy = undefined;
        void this.updateComplete.then(() => this.send({ type: 'rendered', version: message.state.baseVersion }));
        break;
      case 'busy':
        this.busy = message.message;
        break;
      case 'userData':
        this.userData = message.userData;
        break;
      case 'findings':
        this.busy = undefined;
        this.findings = message.findings;
        break;
      case 'result':
        this.busy = undefined;
        this.status = {
          kind:
            message.status === 'saved' || message.status === 'done'
              ? 'ok'
              : message.status === 'unchanged' || message.status === 'cancelled'
                ? 'info'
                : 'error',
          text: message.message,
        };
        break;
      case 'error':
        this.busy = undefined;
        this.status = { kind: 'error', text: message.message };
        break;
    }
  }

  private setField<K extends keyof LaunchTemplateForm>(key: K, value: LaunchTemplateForm[K]): void {
    if (!this.form) return;
    this.form = { ...this.form, [key]: value };
  }

  private setDevice(index: number, patch: Partial<BlockDeviceRow>): void {
    if (!this.form) return;
    this.setField(
      'blockDevices',
      this.form.blockDevices.map((row, at) => (at === index ? { ...row, ...patch } : row)),
    );
  }

  private toggleSelected(version: number, on: boolean): void {
    this.selected = on ? [...new Set([...this.selected, version])] : this.selected.filter((value) => value !== version);
  }

  private save(): void {
    if (!this.form) return;
    this.busy = 'Saving…';
    this.status = undefined;
    this.send({
      type: 'save',
      requestId: nextRequestId(),
      form: this.form,
      rawJson: this.rawJson,
      makeDefault: this.makeDefault,
      description: this.description,
    });
  }

  private action(message: ToHost, busy: string): void {
    this.busy = busy;
    this.status = undefined;
    this.send(message);
  }

  private textField(id: string, label: string, key: keyof LaunchTemplateForm, placeholder = ''): TemplateResult {
    const value = String(this.form?.[key] ?? '');
    return html`<label class="field" for=${id}
      ><span>${label}</span
      ><vscode-textfield
        id=${id}
        .value=${value}
        placeholder=${placeholder}
        @input=${(event: Event) => this.setField(key, eventValue(event) as never)}
      ></vscode-textfield
    ></label>`;
  }

  private renderVersions(state: EditorState): TemplateResult {
    const canCompare = this.selected.length === 2;
    const deletable = this.selected.filter((version) => version !== state.defaultVersion);
    return html`<section class="versions">
      <h2>Versions</h2>
      <div class="toolbar">
        <vscode-button
          id="compare"
          ?disabled=${!canCompare}
          @click=${() => this.send({ type: 'compare', left: this.selected[0], right: this.selected[1] })}
          >Compare selected</vscode-button
        >
        <vscode-button
          id="delete-selected"
          secondary
          ?disabled=${!deletable.length || deletable.length !== this.selected.length}
          title=${this.selected.includes(state.defaultVersion) ? 'The default version cannot be deleted.' : 'Delete the selected versions'}
          @click=${() => this.action({ type: 'deleteVersions', requestId: nextRequestId(), versions: deletable }, 'Deleting…')}
          >Delete selected</vscode-button
        >
      </div>
      <table>
        <thead>
          <tr>
            <th></th>
            <th>Version</th>
            <th>Description</th>
            <th>Created by</th>
            <th>Created at</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          ${state.versions.map(
            (row) =>
              html`<tr
                class=${row.versionNumber === state.baseVersion ? 'current' : ''}
                data-version=${row.versionNumber}
              >
                <td>
                  <vscode-checkbox
                    aria-label=${`Select version ${row.versionNumber}`}
                    .checked=${this.selected.includes(row.versionNumber)}
                    @change=${(event: Event) => this.toggleSelected(row.versionNumber, eventChecked(event))}
                  ></vscode-checkbox>
                </td>
                <td class="number">
                  ${row.versionNumber}${row.isDefault ? html` <span class="badge">default</span>` : nothing}
                </td>
                <td>${row.description ?? ''}</td>
                <td class="created-by">${row.createdBy ?? ''}</td>
                <td>${row.createdAt ?? ''}</td>
                <td class="actions">
                  <vscode-button
                    secondary
                    class="open"
                    @click=${() => this.action({ type: 'selectVersion', version: row.versionNumber }, `Opening version ${row.versionNumber}…`)}
                    >Edit</vscode-button
                  >
                  ${
                    row.isDefault
                      ? nothing
                      : html`<vscode-button
                            secondary
                            class="set-default"
                            @click=${() => this.action({ type: 'setDefault', requestId: nextRequestId(), version: row.versionNumber }, 'Setting the default…')}
                            >Set as default</vscode-button
                          >
                          <vscode-button
                            secondary
                            class="rollback-copy"
                            title="Copy this version into a new version and make it the default"
                            @click=${() => this.action({ type: 'rollback', requestId: nextRequestId(), version: row.versionNumber, mode: 'copy-to-new' }, 'Rolling back…')}
                            >Roll back (new version)</vscode-button
                          >
                          <vscode-button
                            secondary
                            class="delete"
                            @click=${() => this.action({ type: 'deleteVersions', requestId: nextRequestId(), versions: [row.versionNumber] }, 'Deleting…')}
                            >Delete</vscode-button
                          >`
                  }
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>`;
  }

  private renderForm(form: LaunchTemplateForm): TemplateResult {
    return html`<div class="form">
      ${this.textField('instanceType', 'Instance type', 'instanceType', 't3.micro')}
      ${this.textField('imageId', 'AMI', 'imageId', 'ami-…')} ${this.textField('keyName', 'Key pair', 'keyName')}
      ${this.textField('iamInstanceProfile', 'IAM instance profile (name or ARN)', 'iamInstanceProfile')}
      ${this.textField('subnetId', 'Subnet', 'subnetId', 'subnet-…')}
      <label class="field" for="securityGroupIds"
        ><span>Security groups (comma-separated)</span
        ><vscode-textfield
          id="securityGroupIds"
          .value=${form.securityGroupIds.join(', ')}
          @input=${(event: Event) =>
            this.setField(
              'securityGroupIds',
              eventValue(event)
                .split(',')
                .map((group) => group.trim())
                .filter(Boolean),
            )}
        ></vscode-textfield
      ></label>
      ${this.textField('privateIpAddress', 'Private IP', 'privateIpAddress')}
      <div class="field wide" id="userData">
        <span>User data (edited as text in an editor beside this one; base64-encoded on save)</span>
        <div class="user-data">
          <span id="userDataSummary" class=${`user-data-${this.userData?.state ?? 'unset'}`}
            >User data: ${this.userData?.summary ?? 'not set'}</span
          >
          <vscode-button id="editUserData" secondary @click=${() => this.send({ type: 'editUserData' })}
            >Edit user data as text…</vscode-button
          >
        </div>
      </div>
      <fieldset class="wide">
        <legend>Metadata options</legend>
        <label class="field" for="httpTokens"
          ><span>HTTP tokens (IMDSv2)</span
          ><vscode-single-select
            id="httpTokens"
            .value=${form.httpTokens}
            @change=${(event: Event) => this.setField('httpTokens', eventValue(event) as LaunchTemplateForm['httpTokens'])}
          >
            <vscode-option value="">Not set (IMDSv1 allowed)</vscode-option>
            <vscode-option value="required">Required (IMDSv2)</vscode-option>
            <vscode-option value="optional">Optional (IMDSv1 allowed)</vscode-option>
          </vscode-single-select></label
        >
        <label class="field" for="httpEndpoint"
          ><span>Metadata endpoint</span
          ><vscode-single-select
            id="httpEndpoint"
            .value=${form.httpEndpoint}
            @change=${(event: Event) => this.setField('httpEndpoint', eventValue(event) as LaunchTemplateForm['httpEndpoint'])}
          >
            <vscode-option value="">Not set (enabled)</vscode-option>
            <vscode-option value="enabled">Enabled</vscode-option>
            <vscode-option value="disabled">Disabled</vscode-option>
          </vscode-single-select></label
        >
        ${this.textField('hopLimit', 'Hop limit', 'httpPutResponseHopLimit')}
      </fieldset>
      <fieldset class="wide">
        <legend>Tags (instances)</legend>
        ${form.tags.map(
          (tag, index) =>
            html`<div class="row">
              <vscode-textfield
                class="tag-key"
                aria-label="Tag key"
                .value=${tag.key}
                @input=${(event: Event) =>
                  this.setField(
                    'tags',
                    form.tags.map((entry, at) => (at === index ? { ...entry, key: eventValue(event) } : entry)),
                  )}
              ></vscode-textfield>
              <vscode-textfield
                class="tag-value"
                aria-label="Tag value"
                .value=${tag.value}
                @input=${(event: Event) =>
                  this.setField(
                    'tags',
                    form.tags.map((entry, at) => (at === index ? { ...entry, value: eventValue(event) } : entry)),
                  )}
              ></vscode-textfield>
              <vscode-button
                secondary
                @click=${() =>
                  this.setField(
                    'tags',
                    form.tags.filter((_, at) => at !== index),
                  )}
                >Remove</vscode-button
              >
            </div>`,
        )}
        <vscode-button
          secondary
          id="add-tag"
          @click=${() => this.setField('tags', [...form.tags, { key: '', value: '' }])}
          >Add tag</vscode-button
        >
      </fieldset>
      <fieldset class="wide">
        <legend>EBS block devices</legend>
        ${form.blockDevices.map(
          (row, index) =>
            html`<div class="row device">
              <vscode-textfield
                aria-label="Device name"
                placeholder="/dev/xvda"
                .value=${row.deviceName}
                @input=${(event: Event) => this.setDevice(index, { deviceName: eventValue(event) })}
              ></vscode-textfield>
              <vscode-textfield
                aria-label="Size (GiB)"
                placeholder="GiB"
                .value=${row.volumeSize}
                @input=${(event: Event) => this.setDevice(index, { volumeSize: eventValue(event) })}
              ></vscode-textfield>
              <vscode-textfield
                aria-label="Volume type"
                placeholder="gp3"
                .value=${row.volumeType}
                @input=${(event: Event) => this.setDevice(index, { volumeType: eventValue(event) })}
              ></vscode-textfield>
              <vscode-textfield
                aria-label="IOPS"
                placeholder="IOPS"
                .value=${row.iops}
                @input=${(event: Event) => this.setDevice(index, { iops: eventValue(event) })}
              ></vscode-textfield>
              <vscode-textfield
                aria-label="Throughput"
                placeholder="MiB/s"
                .value=${row.throughput}
                @input=${(event: Event) => this.setDevice(index, { throughput: eventValue(event) })}
              ></vscode-textfield>
              <vscode-checkbox
                .checked=${row.encrypted}
                @change=${(event: Event) => this.setDevice(index, { encrypted: eventChecked(event) })}
                >Encrypted</vscode-checkbox
              >
              <vscode-checkbox
                .checked=${row.deleteOnTermination}
                @change=${(event: Event) => this.setDevice(index, { deleteOnTermination: eventChecked(event) })}
                >Delete on termination</vscode-checkbox
              >
              <vscode-button
                secondary
                @click=${() =>
                  this.setField(
                    'blockDevices',
                    form.blockDevices.filter((_, at) => at !== index),
                  )}
                >Remove</vscode-button
              >
            </div>`,
        )}
        <vscode-button
          secondary
          id="add-device"
          @click=${() => this.setField('blockDevices', [...form.blockDevices, { deviceName: '', volumeSize: '', volumeType: 'gp3', iops: '', throughput: '', encrypted: true, deleteOnTermination: true }])}
          >Add volume</vscode-button
        >
      </fieldset>
      <vscode-checkbox
        id="disableApiTermination"
        class="wide"
        .checked=${form.disableApiTermination}
        @change=${(event: Event) => this.setField('disableApiTermination', eventChecked(event))}
        >Termination protection</vscode-checkbox
      >
    </div>`;
  }

  private renderDrs(
    drs: DrsLaunchSettings,
    sourceServer: { sourceServerId: string; hostname: string },
  ): TemplateResult {
    const set = (patch: Partial<DrsLaunchSettings>) => (this.drs = { ...drs, ...patch });
    return html`<div class="form drs">
      <p class="wide">DRS launch settings of ${sourceServer.hostname} (${sourceServer.sourceServerId}).</p>
      <vscode-checkbox
        id="copyPrivateIp"
        .checked=${drs.copyPrivateIp}
        @change=${(event: Event) => set({ copyPrivateIp: eventChecked(event) })}
        >Copy private IP</vscode-checkbox
      >
      <vscode-checkbox
        id="copyTags"
        .checked=${drs.copyTags}
        @change=${(event: Event) => set({ copyTags: eventChecked(event) })}
        >Copy tags</vscode-checkbox
      >
      <label class="field" for="launchDisposition"
        ><span>Launch disposition</span
        ><vscode-single-select
          id="launchDisposition"
          .value=${drs.launchDisposition}
          @change=${(event: Event) => set({ launchDisposition: eventValue(event) === 'STARTED' ? 'STARTED' : 'STOPPED' })}
        >
          <vscode-option value="STARTED">Started</vscode-option>
          <vscode-option value="STOPPED">Stopped</vscode-option>
        </vscode-single-select></label
      >
      <label class="field" for="rightSizing"
        ><span>Instance type right-sizing</span
        ><vscode-single-select
          id="rightSizing"
          .value=${drs.targetInstanceTypeRightSizingMethod}
          @change=${(event: Event) => set({ targetInstanceTypeRightSizingMethod: eventValue(event) as DrsLaunchSettings['targetInstanceTypeRightSizingMethod'] })}
        >
          <vscode-option value="NONE">None (use the template's instance type)</vscode-option>
          <vscode-option value="BASIC">Basic</vscode-option>
          <vscode-option value="IN_AWS">In AWS</vscode-option>
        </vscode-single-select></label
      >
      <vscode-checkbox
        id="licensingByol"
        .checked=${drs.licensingByol}
        @change=${(event: Event) => set({ licensingByol: eventChecked(event) })}
        >OS licensing: bring your own licence (BYOL)</vscode-checkbox
      >
      <vscode-checkbox
        id="postLaunchEnabled"
        .checked=${drs.postLaunchEnabled}
        @change=${(event: Event) => set({ postLaunchEnabled: eventChecked(event) })}
        >Post-launch actions</vscode-checkbox
      >
      <vscode-button
        id="save-drs"
        class="wide"
        @click=${() => this.action({ type: 'saveDrsSettings', requestId: nextRequestId(), settings: drs }, 'Saving the DRS launch settings…')}
        >Save launch settings</vscode-button
      >
    </div>`;
  }

  private renderFindings(): TemplateResult | typeof nothing {
    if (!this.findings.length) return nothing;
    return html`<ul class="findings">
      ${this.findings.map((finding) => html`<li class=${`finding ${finding.severity}`}><strong>${finding.severity}</strong> ${finding.field}: ${finding.message}${finding.fix ? html` <em>${finding.fix}</em>` : nothing}</li>`)}
    </ul>`;
  }

  render(): TemplateResult {
    const state = this.state;
    if (!state || !this.form)
      return html`<p class="loading">${this.busy ?? 'Loading…'}</p>
        ${this.renderStatus()}`;
    return html`<header>
        <h1 id="template-name">${state.templateName}</h1>
        <p class="meta">
          ${state.templateId} · account ${state.account} · ${state.region} · default v${state.defaultVersion} · latest
          v${state.latestVersion}
        </p>
        <vscode-button secondary id="refresh" @click=${() => this.action({ type: 'refresh' }, 'Refreshing…')}
          >Refresh</vscode-button
        >
      </header>
      ${this.renderVersions(state)}
      <section class="editor">
        <h2 id="editing">Editing version ${state.baseVersion}</h2>
        <vscode-tabs>
          <vscode-tab-header slot="header" id="tab-form">Form</vscode-tab-header>
          <vscode-tab-panel>${this.renderForm(this.form)}</vscode-tab-panel>
          <vscode-tab-header slot="header" id="tab-json">Raw JSON</vscode-tab-header>
          <vscode-tab-panel>
            <label class="field wide" for="rawJson"
              ><span>Other fields of the version (JSON object; validated on save)</span
              ><vscode-textarea
                id="rawJson"
                rows="16"
                monospace
                .value=${this.rawJson}
                @input=${(event: Event) => (this.rawJson = eventValue(event))}
              ></vscode-textarea
            ></label>
          </vscode-tab-panel>
          ${
            state.drs && this.drs
              ? html`<vscode-tab-header slot="header" id="tab-drs">DRS launch settings</vscode-tab-header>
                  <vscode-tab-panel>${this.renderDrs(this.drs, state.drs)}</vscode-tab-panel>`
              : nothing
          }
        </vscode-tabs>
        ${this.renderFindings()}
        <div class="savebar">
          <vscode-textfield
            id="description"
            placeholder="Version description (optional)"
            .value=${this.description}
            @input=${(event: Event) => (this.description = eventValue(event))}
          ></vscode-textfield>
          <vscode-checkbox
            id="makeDefault"
            .checked=${this.makeDefault}
            @change=${(event: Event) => (this.makeDefault = eventChecked(event))}
            >Make the new version the default</vscode-checkbox
          >
          <vscode-button
            id="check"
            secondary
            @click=${() => this.action({ type: 'check', form: this.form!, rawJson: this.rawJson }, 'Checking…')}
            >Check</vscode-button
          >
          <vscode-button id="save" ?disabled=${Boolean(this.busy)} @click=${() => this.save()}
            >Save as new version</vscode-button
          >
        </div>
        ${this.renderStatus()}
      </section>`;
  }

  private renderStatus(): TemplateResult | typeof nothing {
    if (this.busy) return html`<p class="status busy" role="status">${this.busy}</p>`;
    if (!this.status) return nothing;
    return html`<p class=${`status ${this.status.kind}`} id="status" role="status">${this.status.text}</p>`;
  }
}

customElements.define('launch-template-editor', LaunchTemplateEditorElement);
document.getElementById('app')?.append(document.createElement('launch-template-editor'));
