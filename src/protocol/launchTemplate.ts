/**
 * Messages between the launch-template editor panel (extension host) and its webview. Both sides import
 * this file and validate every message they receive and send against these unions.
 */
import * as z from 'zod';

/** Bumped when a message changes shape: a webview from another build then gets an error, not silence. */
export const LAUNCH_TEMPLATE_PROTOCOL_VERSION = 2;

const text = (max: number) => z.string().max(max);
const versionNumber = z.number().int().min(1).max(1_000_000);
const requestId = z.string().min(1).max(64);

export const tagEntry = z.object({ key: text(128), value: text(256) }).strict();

export const blockDevice = z
  .object({
    deviceName: text(64),
    volumeSize: text(8),
    volumeType: text(16),
    iops: text(8),
    throughput: text(8),
    encrypted: z.boolean(),
    deleteOnTermination: z.boolean(),
  })
  .strict();

/** The form fields; everything else of the version is edited as raw JSON. Numbers stay text until saved. */
export const launchTemplateForm = z
  .object({
    instanceType: text(64),
    imageId: text(64),
    keyName: text(255),
    iamInstanceProfile: text(2048),
    subnetId: text(64),
    securityGroupIds: z.array(text(64)).max(50),
    privateIpAddress: text(64),
    tags: z.array(tagEntry).max(50),
    httpTokens: z.enum(['required', 'optional', '']),
    httpEndpoint: z.enum(['enabled', 'disabled', '']),
    httpPutResponseHopLimit: text(4),
    blockDevices: z.array(blockDevice).max(40),
    disableApiTermination: z.boolean(),
  })
  .strict();

/**
 * What the webview may know of the user data: a summary, never the text (user data is a secret; it is edited
 * in a VS Code text editor the extension opens, and staged for the next save when that document is saved).
 */
export const userDataSummary = z
  .object({
    /** unset: the version has none; set: it has some (not shown); staged: new text waits for the next save. */
    state: z.enum(['unset', 'set', 'staged']),
    summary: text(300),
  })
  .strict();

export const versionRow = z
  .object({
    versionNumber,
    description: text(255).optional(),
    createdBy: text(2048).optional(),
    createdAt: text(64).optional(),
    isDefault: z.boolean(),
  })
  .strict();

export const finding = z
  .object({
    field: text(256),
    severity: z.enum(['error', 'warning', 'info', 'not-checked']),
    message: text(2000),
    fix: text(2000).optional(),
  })
  .strict();

export const drsLaunchSettings = z
  .object({
    copyPrivateIp: z.boolean(),
    copyTags: z.boolean(),
    launchDisposition: z.enum(['STOPPED', 'STARTED']),
    targetInstanceTypeRightSizingMethod: z.enum(['NONE', 'BASIC', 'IN_AWS']),
    licensingByol: z.boolean(),
    postLaunchEnabled: z.boolean(),
  })
  .strict();

export const editorState = z
  .object({
    templateId: text(64),
    templateName: text(128),
    account: text(32),
    region: text(32),
    defaultVersion: versionNumber,
    latestVersion: versionNumber,
    versions: z.array(versionRow).max(10_000),
    /** The version shown in the form (the base of the next save). */
    baseVersion: versionNumber,
    form: launchTemplateForm,
    userData: userDataSummary,
    /** The rest of the version's data (fields the form does not show), as JSON text. */
    rawJson: text(200_000),
    findings: z.array(finding).max(500),
    /** Present when the editor was opened for a DRS source server. */
    drs: z
      .object({ sourceServerId: text(64), hostname: text(255), settings: drsLaunchSettings })
      .strict()
      .optional(),
  })
  .strict();

export const toWebview = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('state'), protocol: z.literal(LAUNCH_TEMPLATE_PROTOCOL_VERSION), state: editorState })
    .strict(),
  z.object({ type: z.literal('busy'), message: text(500) }).strict(),
  z
    .object({
      type: z.literal('result'),
      requestId: requestId.optional(),
      status: z.enum(['saved', 'unchanged', 'cancelled', 'refused', 'failed', 'conflict', 'done']),
      message: text(4000),
    })
    .strict(),
  z.object({ type: z.literal('findings'), findings: z.array(finding).max(500) }).strict(),
  /** The user data document was saved (staged) or the staging was dropped; the form keeps its other edits. */
  z.object({ type: z.literal('userData'), userData: userDataSummary }).strict(),
  /** The answer to a message that did not validate, or to a request that failed unexpectedly. */
  z.object({ type: z.literal('error'), message: text(4000) }).strict(),
]);

export const toHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), protocol: z.number().int() }).strict(),
  /** The form shows `version`: sent after every render of a new state. */
  z.object({ type: z.literal('rendered'), version: versionNumber }).strict(),
  z.object({ type: z.literal('refresh') }).strict(),
  /** The webview received a message it could not validate. */
  z.object({ type: z.literal('protocolError'), message: text(2000) }).strict(),
  z.object({ type: z.literal('selectVersion'), version: versionNumber }).strict(),
  z
    .object({
      type: z.literal('save'),
      requestId,
      form: launchTemplateForm,
      rawJson: text(200_000),
      makeDefault: z.boolean(),
      description: text(255),
    })
    .strict(),
  z.object({ type: z.literal('check'), form: launchTemplateForm, rawJson: text(200_000) }).strict(),
  z.object({ type: z.literal('setDefault'), requestId, version: versionNumber }).strict(),
  z
    .object({
      type: z.literal('rollback'),
      requestId,
      version: versionNumber,
      mode: z.enum(['set-default', 'copy-to-new']),
    })
    .strict(),
  z.object({ type: z.literal('deleteVersions'), requestId, versions: z.array(versionNumber).min(1).max(200) }).strict(),
  z.object({ type: z.literal('compare'), left: versionNumber, right: versionNumber }).strict(),
  /** Opens the base version's user data as text in a VS Code editor beside the form. */
  z.object({ type: z.literal('editUserData') }).strict(),
  z.object({ type: z.literal('saveDrsSettings'), requestId, settings: drsLaunchSettings }).strict(),
]);

export type LaunchTemplateForm = z.infer<typeof launchTemplateForm>;
export type BlockDeviceRow = z.infer<typeof blockDevice>;
export type VersionRow = z.infer<typeof versionRow>;
export type Finding = z.infer<typeof finding>;
export type UserDataSummary = z.infer<typeof userDataSummary>;
export type DrsLaunchSettings = z.infer<typeof drsLaunchSettings>;
export type EditorState = z.infer<typeof editorState>;
export type ToWebview = z.infer<typeof toWebview>;
export type ToHost = z.infer<typeof toHost>;

/** What the shared webview host needs of a protocol. */
export const launchTemplateProtocol = {
  name: 'launch-template',
  toHost,
  toWebview,
  error: (message: string): ToWebview => ({ type: 'error', message: message.slice(0, 4000) }),
};
