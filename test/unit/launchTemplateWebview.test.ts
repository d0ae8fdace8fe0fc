import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { changedFields } from '../../src/core/launchTemplates';
import { dataFromForm, FormError, formFromData } from '../../src/features/editors/launchTemplate/form';
import {
  launchTemplateProtocol,
  toHost,
  toWebview,
  type EditorState,
  type LaunchTemplateForm,
} from '../../src/protocol/launchTemplate';
import { createVscodeStub, installVscodeStub } from '../support/vscodeStub';

const HOSTILE = '<img src=x onerror=alert(1)>';

export function sampleForm(overrides: Partial<LaunchTemplateForm> = {}): LaunchTemplateForm {
  return {
    instanceType: 't3.micro',
    imageId: 'ami-0123456789abcdef0',
    keyName: '',
    iamInstanceProfile: '',
    subnetId: '',
    securityGroupIds: [],
    privateIpAddress: '',
    tags: [],
    httpTokens: 'required',
    httpEndpoint: 'enabled',
    httpPutResponseHopLimit: '',
    blockDevices: [],
    disableApiTermination: false,
    ...overrides,
  };
}

export function sampleState(overrides: Partial<EditorState> = {}): EditorState {
  return {
    templateId: 'lt-0123456789abcdef0',
    templateName: 'web',
    account: '123456789012',
    region: 'us-east-1',
    defaultVersion: 1,
    latestVersion: 2,
    versions: [
      {
        versionNumber: 2,
        description: 'bigger',
        createdBy: 'arn:aws:iam::123456789012:user/a',
        createdAt: '2026-01-01T00:00:00.000Z',
        isDefault: false,
      },
      { versionNumber: 1, isDefault: true },
    ],
    baseVersion: 1,
    form: sampleForm(),
    userData: { state: 'set', summary: 'set (not shown here)' },
    rawJson: '{}',
    findings: [],
    ...overrides,
  };
}

describe('launch-template webview protocol', () => {
  it('accepts every kind of valid message from the webview', () => {
    const valid = [
      { type: 'ready', protocol: 1 },
      { type: 'rendered', version: 3 },
      { type: 'refresh' },
      { type: 'protocolError', message: 'bad' },
      { type: 'selectVersion', version: 2 },
      { type: 'editUserData' },
      {
        type: 'save',
        requestId: 'r1',
        form: sampleForm(),
        rawJson: '{}',
        makeDefault: true,
        description: 'more memory',
      },
      { type: 'check', form: sampleForm(), rawJson: '{}' },
      { type: 'setDefault', requestId: 'r2', version: 2 },
      { type: 'rollback', requestId: 'r3', version: 1, mode: 'copy-to-new' },
      { type: 'deleteVersions', requestId: 'r4', versions: [2, 3] },
      { type: 'compare', left: 1, right: 2 },
      {
        type: 'saveDrsSettings',
        requestId: 'r5',
        settings: {
          copyPrivateIp: true,
          copyTags: false,
          launchDisposition: 'STARTED',
          targetInstanceTypeRightSizingMethod: 'NONE',
          licensingByol: false,
          postLaunchEnabled: false,
        },
      },
    ];
    for (const message of valid) assert.equal(toHost.safeParse(message).success, true, JSON.stringify(message));
  });

  it('refuses unknown types, missing or extra fields, wrong types and oversized values', () => {
    const invalid: unknown[] = [
      null,
      'save',
      { type: 'launchMissiles' },
      { type: 'save', requestId: 'r1', form: sampleForm(), rawJson: '{}', makeDefault: true },
      {
        type: 'save',
        requestId: 'r1',
        form: { ...sampleForm(), extra: 1 },
        rawJson: '{}',
        makeDefault: true,
        description: '',
      },
      { type: 'compare', left: 1, right: '2' },
      { type: 'compare', left: 0, right: 2 },
      { type: 'rollback', requestId: 'r3', version: 1, mode: 'delete-everything' },
      { type: 'deleteVersions', requestId: 'r4', versions: [] },
      { type: 'refresh', html: HOSTILE },
      {
        type: 'save',
        requestId: 'r1',
        // The webview never carries user data text: a form with it is refused.
        form: { ...sampleForm(), userData: '#!/bin/bash\n' },
        rawJson: '{}',
        makeDefault: false,
        description: '',
      },
    ];
    for (const message of invalid)
      assert.equal(toHost.safeParse(message).success, false, JSON.stringify(message)?.slice(0, 100));
  });

  it('validates what the host sends too', () => {
    assert.equal(toWebview.safeParse({ type: 'state', protocol: 2, state: sampleState() }).success, true);
    assert.equal(
      toWebview.safeParse({ type: 'userData', userData: { state: 'staged', summary: 'changed (2 lines)' } }).success,
      true,
    );
    assert.equal(
      toWebview.safeParse({ type: 'userData', userData: { state: 'staged', summary: 'x', text: '#!/bin/bash' } })
        .success,
      false,
      'no user data text towards the webview',
    );
    assert.equal(
      toWebview.safeParse({ type: 'result', requestId: 'r1', status: 'saved', message: 'ok' }).success,
      true,
    );
    assert.equal(
      toWebview.safeParse({ type: 'state', protocol: 1, state: sampleState() }).success,
      false,
      'another protocol version',
    );
    assert.equal(
      toWebview.safeParse({ type: 'state', protocol: 2, state: { ...sampleState(), secret: 'x' } }).success,
      false,
    );
    assert.equal(toWebview.safeParse({ type: 'result', status: 'maybe', message: '' }).success, false);
    assert.equal(toWebview.safeParse({ type: 'html', html: HOSTILE }).success, false);
  });
});

describe('webview host', () => {
  let uninstall: () => void;
  let host: typeof import('../../src/features/shared/webviewHost');
  const panels: Array<{
    html: string;
    posted: unknown[];
    receive?: (message: unknown) => unknown;
    options: { localResourceRoots: Array<{ path: string }> };
  }> = [];

  before(() => {
    const { api } = createVscodeStub();
    const joinPath = (base: { path: string }, ...parts: string[]) => ({
      path: [base.path, ...parts].join('/'),
      toString() {
        return `file://${this.path}`;
      },
    });
    Object.assign(api, {
      ViewColumn: { Active: -1 },
      Uri: { ...api.Uri, joinPath },
    });
    (api.window as unknown as Record<string, unknown>).createWebviewPanel = (
      _viewType: string,
      _title: string,
      _column: unknown,
      options: { localResourceRoots: Array<{ path: string }> },
    ) => {
      const panel = {
        html: '',
        posted: [] as unknown[],
        receive: undefined as ((message: unknown) => unknown) | undefined,
        options,
      };
      panels.push(panel);
      return {
        webview: {
          cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
          set html(value: string) {
            panel.html = value;
          },
          get html() {
            return panel.html;
          },
          asWebviewUri: (uri: { path: string }) => ({
            toString: () => `https://file+.vscode-resource.vscode-cdn.net${uri.path}`,
          }),
          onDidReceiveMessage: (listener: (message: unknown) => unknown) => {
            panel.receive = listener;
            return { dispose() {} };
          },
          postMessage: async (message: unknown) => {
            panel.posted.push(message);
            return true;
          },
        },
        onDidDispose: () => ({ dispose() {} }),
        reveal() {},
        dispose() {},
      };
    };
    uninstall = installVscodeStub(api);
    delete require.cache[require.resolve('../../src/features/shared/webviewHost')];
    host = require('../../src/features/shared/webviewHost');
  });
  after(() => uninstall());

  const log = { warn() {}, error() {} };
  function open(onMessage: (message: unknown) => unknown = () => undefined) {
    const webviewHost = new host.WebviewHost({ path: '/ext' } as never, {
      viewType: 't',
      title: `Launch template ${HOSTILE}`,
      bundle: 'launch-template',
      protocol: launchTemplateProtocol,
      log,
      onMessage: onMessage as never,
    });
    return { webviewHost, panel: panels[panels.length - 1] };
  }

  it('builds a page with a strict CSP, a nonce per load, no remote sources and only dist/webview as local root', () => {
    const { webviewHost, panel } = open();
    const first = panel.html;
    const nonce = webviewHost.currentNonce;
    webviewHost.load();
    assert.notEqual(webviewHost.currentNonce, nonce, 'a new nonce on every load');
    assert.match(
      first,
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;nonce-[A-Za-z0-9]{16,}&#39;; style-src https:\/\/file\+\.vscode-resource\.vscode-cdn\.net;/,
    );
    assert.ok(
      first.includes(
        `<script nonce="${nonce}" src="https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/launch-template.js">`,
      ),
    );
    const withoutCspSource = first.replaceAll('https://file+.vscode-resource.vscode-cdn.net', '');
    assert.doesNotMatch(withoutCspSource, /https?:/, 'no http(s) source but the webview resource origin');
    assert.doesNotMatch(first, /<img/, 'the title is escaped');
    assert.ok(first.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.doesNotMatch(first, /<[^>]*\son\w+\s*=/i, 'no inline handlers in any tag');
    assert.deepEqual(
      panel.options.localResourceRoots.map((root) => root.path),
      ['/ext/dist/webview'],
    );
  });

  it('answers an unknown or invalid message with an error and hands valid ones on', async () => {
    const received: unknown[] = [];
    const { panel } = open((message) => received.push(message));
    await panel.receive!({ type: 'launchMissiles' });
    await panel.receive!({ type: 'compare', left: 1 });
    await panel.receive!({ type: 'compare', left: 1, right: 2 });
    assert.deepEqual(received, [{ type: 'compare', left: 1, right: 2 }]);
    assert.equal(panel.posted.length, 2);
    for (const message of panel.posted as Array<{ type: string; message: string }>) {
      assert.equal(message.type, 'error');
      assert.match(message.message, /Invalid message "(launchMissiles|compare)"/);
    }
  });

  it('answers a handler failure with an error and refuses to send an invalid message', async () => {
    const { webviewHost, panel } = open(() => {
      throw new Error('AWS said no');
    });
    await panel.receive!({ type: 'refresh' });
    assert.deepEqual(panel.posted, [{ type: 'error', message: 'AWS said no' }]);
    await assert.rejects(
      webviewHost.post({ type: 'result', status: 'maybe', message: '' } as never),
      /refused to send an invalid message/,
    );
  });
});

describe('launch-template form', () => {
  const base = {
    InstanceType: 't3.micro',
    ImageId: 'ami-0123456789abcdef0',
    NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: 'subnet-1', Groups: ['sg-1'], AssociatePublicIpAddress: false }],
    UserData: Buffer.from('#!/bin/bash\necho hi\n').toString('base64'),
    TagSpecifications: [
      { ResourceType: 'instance', Tags: [{ Key: 'Name', Value: HOSTILE }] },
      { ResourceType: 'volume', Tags: [{ Key: 'a', Value: 'b' }] },
    ],
    MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', InstanceMetadataTags: 'enabled' },
    BlockDeviceMappings: [
      {
        DeviceName: '/dev/xvda',
        Ebs: { VolumeSize: 8, VolumeType: 'gp3', DeleteOnTermination: true, SnapshotId: 'snap-1' },
      },
      { DeviceName: '/dev/sdb', VirtualName: 'ephemeral0' },
    ],
    Monitoring: { Enabled: true },
  };

  it('round-trips a version unchanged: saving the untouched form changes nothing', () => {
    const { form, rawJson } = formFromData(base);
    assert.ok(
      !JSON.stringify(form).includes('echo') && !JSON.stringify(form).includes(base.UserData),
      'no user data in the form',
    );
    assert.deepEqual(JSON.parse(rawJson), { Monitoring: { Enabled: true } });
    assert.deepEqual(changedFields(base, dataFromForm(base, form, rawJson)).changes, []);
  });

  it('changes only the edited fields and encodes user data on save', () => {
    const { form, rawJson } = formFromData(base);
    const edited = dataFromForm(base, { ...form, instanceType: 't3.large' }, rawJson, 'echo bye\n');
    const delta = changedFields(base, edited);
    assert.deepEqual(
      delta.changes.map((change) => change.field),
      ['InstanceType', 'UserData'],
    );
    assert.equal(edited.UserData, Buffer.from('echo bye\n').toString('base64'));
  });

  it('keeps the base (redacted) user data unless text is staged, and refuses text past the AWS limit', () => {
    const redacted = { ...base, UserData: '[REDACTED]' };
    const { form, rawJson } = formFromData(redacted);
    assert.equal(dataFromForm(redacted, form, rawJson).UserData, '[REDACTED]');
    assert.deepEqual(changedFields(redacted, dataFromForm(redacted, form, rawJson)).changes, []);
    assert.throws(() => dataFromForm(redacted, form, rawJson, 'x'.repeat(12_289)), /at most 12288 bytes/);
  });

  it('refuses bad raw JSON and bad numbers with findings, not a half-built version', () => {
    const { form } = formFromData(base);
    assert.throws(
      () => dataFromForm(base, form, '{ nope'),
      (error: unknown) => error instanceof FormError && /Not valid JSON/.test(error.message),
    );
    assert.throws(() => dataFromForm(base, form, '{"InstanceType":"x"}'), /edited in the form/);
    assert.throws(() => dataFromForm(base, form, '[]'), /JSON object/);
    assert.throws(
      () => dataFromForm(base, { ...form, blockDevices: [{ ...form.blockDevices[0], volumeSize: 'ten' }] }, '{}'),
      /not a whole number/,
    );
  });

  it('property: any instance type, tags and hop limit round-trip to no change', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][a-z0-9]{1,6}\.[a-z0-9]{1,8}$/),
        fc.uniqueArray(
          fc.record({
            Key: fc.string({ minLength: 1, maxLength: 20 }).filter((key) => key.trim() === key && key.length > 0),
            Value: fc.string({ maxLength: 30 }),
          }),
          { selector: (tag) => tag.Key, maxLength: 5 },
        ),
        fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
        (instanceType, tags, hopLimit) => {
          const data = {
            InstanceType: instanceType,
            TagSpecifications: tags.length ? [{ ResourceType: 'instance', Tags: tags }] : undefined,
            MetadataOptions: hopLimit ? { HttpTokens: 'required', HttpPutResponseHopLimit: hopLimit } : undefined,
          };
          const { form, rawJson } = formFromData(data);
          assert.deepEqual(changedFields(data, dataFromForm(data, form, rawJson)).changes, []);
        },
      ),
      { numRuns: 200 },
    );
  });
});
