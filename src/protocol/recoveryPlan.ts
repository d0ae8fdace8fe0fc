/**
 * Messages between the visual recovery-plan editor (a custom text editor in the extension host) and its
 * webview. The text document is the only truth: the webview sends intents, the host edits the document and
 * sends back the view of the new text. Both sides validate every message against these unions.
 */
import * as z from 'zod';

/** Bumped when a message changes shape: a webview from another build then gets an error, not silence. */
export const RECOVERY_PLAN_PROTOCOL_VERSION = 1;

const text = (max: number) => z.string().max(max);
const name = z.string().min(1).max(128);
const requestId = z.string().min(1).max(64);
const docVersion = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const actionList = z.enum(['preActions', 'postActions']);

export const waveAction = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('ssmAutomation'),
      name: text(128).optional(),
      documentName: z.string().regex(/^[a-zA-Z0-9_\-.:/]{3,128}$/),
      documentVersion: z
        .string()
        .regex(/^([$]LATEST|[$]DEFAULT|[0-9]+)$/)
        .optional(),
      parameters: z.record(text(128), z.union([text(4096), z.array(text(4096)).max(100)])).optional(),
      timeoutSeconds: z.number().int().min(1).max(172800).optional(),
      retries: z.number().int().min(0).max(10).optional(),
    })
    .strict(),
  z.object({ type: z.literal('wait'), name: text(128).optional(), seconds: z.number().min(0).max(86400) }).strict(),
  z
    .object({
      type: z.literal('backupRestore'),
      name: text(128).optional(),
      backupVaultName: z.string().regex(/^[A-Za-z0-9_.-]{2,50}$/),
      recoveryPointArn: text(1600),
      iamRoleArn: text(2048).optional(),
      metadata: z.record(text(128), text(4096)).optional(),
      timeoutSeconds: z.number().int().min(60).max(172800).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('approval'),
      name: text(128).optional(),
      message: z.string().min(1).max(2048),
      timeoutSeconds: z.number().int().min(1).max(604800).optional(),
    })
    .strict(),
]);

export const planIntent = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('addWave'),
      name: name.optional(),
      protectionGroups: z.array(name).max(100).optional(),
      dependsOn: z.array(name).max(100).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('removeWave'), wave: name }).strict(),
  z.object({ kind: z.literal('renameWave'), wave: name, newName: name }).strict(),
  z.object({ kind: z.literal('connect'), from: name, to: name }).strict(),
  z.object({ kind: z.literal('disconnect'), from: name, to: name }).strict(),
  z
    .object({
      kind: z.literal('setWaveField'),
      wave: name,
      field: z.enum(['description', 'pauseBeforeWave', 'maxWaitSeconds']),
      value: z.union([text(1024), z.number(), z.boolean(), z.null()]),
    })
    .strict(),
  z
    .object({
      kind: z.literal('setPlanField'),
      field: z.enum(['name', 'description', 'failurePolicy', 'rpoMinutes', 'rtoMinutes']),
      value: z.union([text(2048), z.number(), z.null()]),
    })
    .strict(),
  z.object({ kind: z.literal('addProtectionGroup'), wave: name, group: name }).strict(),
  z.object({ kind: z.literal('removeProtectionGroup'), wave: name, group: name }).strict(),
  z.object({ kind: z.literal('addSourceServer'), wave: name, sourceServerId: text(64) }).strict(),
  z.object({ kind: z.literal('removeSourceServer'), wave: name, sourceServerId: text(64) }).strict(),
  z.object({ kind: z.literal('addAction'), wave: name, list: actionList, action: waveAction }).strict(),
  z
    .object({
      kind: z.literal('updateAction'),
      wave: name,
      list: actionList,
      index: z.number().int().min(0).max(19),
      action: waveAction,
    })
    .strict(),
  z
    .object({ kind: z.literal('removeAction'), wave: name, list: actionList, index: z.number().int().min(0).max(19) })
    .strict(),
]);

const actionView = z
  .object({
    type: text(32),
    name: text(128).optional(),
    documentName: text(256).optional(),
    documentVersion: text(32).optional(),
    seconds: z.number().optional(),
    message: text(2048).optional(),
    timeoutSeconds: z.number().optional(),
    retries: z.number().optional(),
    backupVaultName: text(256).optional(),
    recoveryPointArn: text(1600).optional(),
    parameters: z.record(text(128), text(20_000)).optional(),
  })
  .strict();

const waveView = z
  .object({
    name: text(256),
    description: text(4096).optional(),
    protectionGroups: z.array(text(256)).max(3000),
    sourceServerIds: z.array(text(64)).max(3000),
    dependsOn: z.array(text(256)).max(3000),
    pauseBeforeWave: z.boolean(),
    maxWaitSeconds: z.number().optional(),
    preActions: z.array(actionView).max(100),
    postActions: z.array(actionView).max(100),
    line: z.number().int(),
    layer: z.number().int(),
    slot: z.number().int(),
  })
  .strict();

const problemView = z
  .object({
    severity: z.enum(['error', 'warning']),
    message: text(4000),
    line: z.number().int(),
    column: z.number().int(),
    wave: text(256).optional(),
  })
  .strict();

export const planViewSchema = z.discriminatedUnion('status', [
  z
    .object({
      status: z.literal('ok'),
      name: text(256),
      description: text(4096).optional(),
      failurePolicy: text(64).optional(),
      rpoMinutes: z.number().optional(),
      rtoMinutes: z.number().optional(),
      waves: z.array(waveView).max(3000),
      cycle: text(4000).optional(),
    })
    .strict(),
  z
    .object({ status: z.literal('error'), message: text(4000), line: z.number().int(), column: z.number().int() })
    .strict(),
]);

/** A protection group file of the workspace, with the servers it resolved to when AWS could be asked. */
export const groupInfo = z
  .object({
    name: text(128),
    file: text(1024),
    region: text(32),
    /** Resolved servers; absent when not resolved (no AWS connection, or not asked yet). */
    servers: z.number().int().min(0).optional(),
    selection: text(1024),
    /** The group file has errors. */
    broken: z.boolean(),
  })
  .strict();

export const catalogItem = z.object({ id: text(256), label: text(512), detail: text(512).optional() }).strict();

export const preflightFindingView = z
  .object({
    severity: z.enum(['error', 'warning', 'info']),
    message: text(4000),
    fix: text(4000),
    wave: text(256).optional(),
  })
  .strict();

export const runView = z
  .object({
    runId: text(128),
    mode: z.enum(['drill', 'recovery']),
    /** Where the run executes: this window's runner, or AWS Step Functions (followed from its history). */
    engine: z.enum(['local', 'stepFunctions']).optional(),
    status: text(32),
    waves: z
      .array(
        z
          .object({
            name: text(256),
            status: text(32),
            servers: z.array(z.object({ id: text(64), hostname: text(256), status: text(32) }).strict()).max(3000),
          })
          .strict(),
      )
      .max(200),
  })
  .strict();

export const toWebview = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('view'),
      protocol: z.literal(RECOVERY_PLAN_PROTOCOL_VERSION),
      /** The TextDocument version this view was built from. */
      version: docVersion,
      view: planViewSchema,
    })
    .strict(),
  /** The file's problems for a document version (sent after its view: validation is off the drawing path). */
  z.object({ type: z.literal('problems'), version: docVersion, problems: z.array(problemView).max(300) }).strict(),
  z.object({ type: z.literal('groups'), groups: z.array(groupInfo).max(1000), note: text(1000).optional() }).strict(),
  z
    .object({
      type: z.literal('catalog'),
      kind: z.enum(['ssmDocuments', 'sourceServers']),
      items: z.array(catalogItem).max(5000),
      error: text(2000).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('preflight'),
      status: z.enum(['running', 'done', 'failed']),
      verdict: text(64).optional(),
      findings: z.array(preflightFindingView).max(1000),
      message: text(4000).optional(),
    })
    .strict(),
  z.object({ type: z.literal('run'), run: runView.nullable() }).strict(),
  z.object({ type: z.literal('result'), requestId, ok: z.boolean(), message: text(4000) }).strict(),
  /** The answer to a message that did not validate, or to a request that failed unexpectedly. */
  z.object({ type: z.literal('error'), message: text(4000) }).strict(),
]);

export const toHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), protocol: z.number().int() }).strict(),
  /** The graph shows the view of `version`: sent after every render of a new view. */
  z.object({ type: z.literal('rendered'), version: docVersion }).strict(),
  z.object({ type: z.literal('intent'), requestId, intent: planIntent }).strict(),
  /** Show the text (at a line) in VS Code's text editor. */
  z.object({ type: z.literal('openText'), line: z.number().int().min(1).max(10_000_000).optional() }).strict(),
  z.object({ type: z.literal('catalog'), kind: z.enum(['ssmDocuments', 'sourceServers']) }).strict(),
  z.object({ type: z.literal('preflight') }).strict(),
  z.object({ type: z.literal('refreshGroups'), resolve: z.boolean() }).strict(),
  z.object({ type: z.literal('openGroup'), name }).strict(),
  /** The webview received a message it could not validate. */
  z.object({ type: z.literal('protocolError'), message: text(2000) }).strict(),
]);

export type PlanViewMessage = z.infer<typeof planViewSchema>;
export type ProblemViewMessage = z.infer<typeof problemView>;
export type GroupInfo = z.infer<typeof groupInfo>;
export type CatalogItem = z.infer<typeof catalogItem>;
export type PreflightFindingView = z.infer<typeof preflightFindingView>;
export type RunView = z.infer<typeof runView>;
export type PlanIntentMessage = z.infer<typeof planIntent>;
export type ToWebview = z.infer<typeof toWebview>;
export type ToHost = z.infer<typeof toHost>;

/** What the shared webview host needs of a protocol. */
export const recoveryPlanProtocol = {
  name: 'recovery-plan',
  toHost,
  toWebview,
  error: (message: string): ToWebview => ({ type: 'error', message: message.slice(0, 4000) }),
};
