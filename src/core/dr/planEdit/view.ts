/**
 * What the visual editor shows of a plan file: the plan's fields, its waves with their positions in a
 * layered layout, dependency edges and the file's problems placed on their waves. Built from the text on
 * every change; a file that is not YAML becomes an error state with its line, never an empty graph.
 */
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { findCycle, formatCycle } from '../graph';
import { parsePlan, tooLargeToParse } from '../parse';
import { DR_LIMITS } from '../schema';
import { plainValue } from './textEdit';

export interface ActionView {
  type: string;
  name?: string;
  documentName?: string;
  documentVersion?: string;
  seconds?: number;
  message?: string;
  timeoutSeconds?: number;
  retries?: number;
  /** backupRestore: where the restore comes from. */
  backupVaultName?: string;
  recoveryPointArn?: string;
  /** key=value lines; parameters are edited in the text. */
  parameters?: Record<string, string>;
}

export interface WaveView {
  name: string;
  description?: string;
  protectionGroups: string[];
  sourceServerIds: string[];
  dependsOn: string[];
  pauseBeforeWave: boolean;
  maxWaitSeconds?: number;
  preActions: ActionView[];
  postActions: ActionView[];
  /** 1-based line of the wave in the file. */
  line: number;
  /** Layer (0: no dependency) and position within the layer. */
  layer: number;
  slot: number;
}

export interface ProblemView {
  severity: 'error' | 'warning';
  message: string;
  line: number;
  column: number;
  /** The wave the problem is about, when it is inside one. */
  wave?: string;
}

export type PlanView =
  | {
      status: 'ok';
      name: string;
      description?: string;
      failurePolicy?: string;
      rpoMinutes?: number;
      rtoMinutes?: number;
      waves: WaveView[];
      /** A dependency cycle in the text (the graph is then laid out in file order). */
      cycle?: string;
    }
  | { status: 'error'; message: string; line: number; column: number };

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
/** A string cut to the protocol's bound for the field: a long value in the file must not break the view. */
const clip = (value: unknown, max: number): string | undefined => str(value)?.slice(0, max);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

function actions(value: unknown): ActionView[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((a): a is Record<string, unknown> => typeof a === 'object' && a !== null && !Array.isArray(a))
    .map((a) => {
      const parameters =
        a.parameters && typeof a.parameters === 'object' && !Array.isArray(a.parameters)
          ? Object.fromEntries(
              Object.entries(a.parameters as Record<string, unknown>).map(([k, v]) => [
                k.slice(0, 128),
                (Array.isArray(v) ? v.map(String).join(', ') : String(v)).slice(0, 20_000),
              ]),
            )
          : undefined;
      return {
        type: clip(a.type, 32) ?? 'unknown',
        name: clip(a.name, 128),
        documentName: clip(a.documentName, 256),
        documentVersion: clip(a.documentVersion, 32),
        backupVaultName: clip(a.backupVaultName, 256),
        recoveryPointArn: clip(a.recoveryPointArn, 1600),
        seconds: num(a.seconds),
        message: clip(a.message, 2048),
        timeoutSeconds: num(a.timeoutSeconds),
        retries: num(a.retries),
        parameters,
      };
    });
}

/**
 * Layers by dependency depth; within a layer, waves are ordered by the mean slot of their dependencies
 * (one barycentre pass), which keeps most edges from crossing. A cycle: every wave in its own layer.
 */
function layout(
  waves: Array<{ name: string; dependsOn: string[] }>,
  hasCycle: boolean,
): Array<{ layer: number; slot: number }> {
  const byName = new Map<string, number>();
  waves.forEach((wave, i) => {
    if (!byName.has(wave.name)) byName.set(wave.name, i);
  });
  const layer = new Array<number>(waves.length).fill(0);
  if (hasCycle) waves.forEach((_, i) => (layer[i] = i));
  else {
    const memo = new Map<number, number>();
    const depth = (i: number, guard: number): number => {
      const known = memo.get(i);
      if (known !== undefined) return known;
      let d = 0;
      if (guard < waves.length)
        for (const dependency of waves[i].dependsOn) {
          const j = byName.get(dependency);
          if (j !== undefined && j !== i) d = Math.max(d, depth(j, guard + 1) + 1);
        }
      memo.set(i, d);
      return d;
    };
    waves.forEach((_, i) => (layer[i] = depth(i, 0)));
  }
  const slot = new Array<number>(waves.length).fill(0);
  const layers = new Map<number, number[]>();
  waves.forEach((_, i) => layers.set(layer[i], [...(layers.get(layer[i]) ?? []), i]));
  for (const key of [...layers.keys()].sort((a, b) => a - b)) {
    const members = layers.get(key)!;
    const weight = (i: number): number => {
      const parents = waves[i].dependsOn
        .map((d) => byName.get(d))
        .filter((j): j is number => j !== undefined && j !== i);
      return parents.length ? parents.reduce((sum, j) => sum + slot[j], 0) / parents.length : i / waves.length;
    };
    const weights = new Map(members.map((i) => [i, weight(i)]));
    members.sort((a, b) => weights.get(a)! - weights.get(b)! || a - b).forEach((i, s) => (slot[i] = s));
  }
  return waves.map((_, i) => ({ layer: layer[i], slot: slot[i] }));
}

/** The last layout, reused while the waves' names and dependencies stay the same (an inspector field edit). */
let lastLayout: { key: string; cycle?: string[]; positions: Array<{ layer: number; slot: number }> } | undefined;

function graphLayout(base: Array<{ name: string; dependsOn: string[] }>): {
  cycle?: string[];
  positions: Array<{ layer: number; slot: number }>;
} {
  const key = JSON.stringify(base);
  if (lastLayout?.key === key) return lastLayout;
  const cycle = findCycle(base.map((w) => ({ ...w, dependsOn: w.dependsOn.filter((d) => d !== w.name) })));
  lastLayout = { key, cycle, positions: layout(base, Boolean(cycle)) };
  return lastLayout;
}

/** Line starts of a text, for positions of a document parsed without a LineCounter. */
function countLines(text: string): LineCounter {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines.addNewLine(at + 1);
  return lines;
}

/**
 * The editor's view of a plan text (one parse; `parsed` reuses a parse of exactly this text). The file's
 * schema and semantic problems come separately from planProblems, which parses and validates again.
 */
export function planView(text: string, parsed?: Document.Parsed): PlanView {
  return planViewWithDocument(text, parsed).view;
}

/** planView, and the parse it made (or reused) when the text is YAML, for the next edit of the same text. */
export function planViewWithDocument(
  text: string,
  parsed?: Document.Parsed,
): { view: PlanView; document?: Document.Parsed } {
  const view = buildView(text, parsed);
  return { view: view.view, document: view.document };
}

function buildView(text: string, parsed?: Document.Parsed): { view: PlanView; document?: Document.Parsed } {
  // A parse that is given was made of a text already within the limits (an edit's check).
  const tooLarge = parsed ? undefined : tooLargeToParse(text, DR_LIMITS.documentBytes, 'file');
  if (tooLarge)
    return {
      view: {
        status: 'error',
        message: tooLarge.message,
        line: tooLarge.start?.line ?? 1,
        column: tooLarge.start?.column ?? 1,
      },
    };
  let lines = new LineCounter();
  let doc: Document.Parsed;
  if (parsed) {
    doc = parsed;
    lines = countLines(text);
  } else doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, strict: true });
  if (doc.errors.length) {
    const error = doc.errors[0];
    const at = lines.linePos(error.pos[0]);
    return {
      view: {
        status: 'error',
        message: `YAML: ${error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
        line: at.line,
        column: at.col,
      },
    };
  }
  return { view: viewOfDocument(doc, lines), document: doc };
}

function viewOfDocument(doc: Document.Parsed, lines: LineCounter): PlanView {
  let value: unknown;
  try {
    value = plainValue(doc);
  } catch (error) {
    return { status: 'error', message: `YAML: ${(error as Error).message}`, line: 1, column: 1 };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return {
      status: 'error',
      message: 'The file is not a recovery plan: expected a mapping with kind: RecoveryPlan.',
      line: 1,
      column: 1,
    };
  const raw = value as Record<string, unknown>;
  if (raw.kind !== 'RecoveryPlan')
    return { status: 'error', message: 'The file is not a recovery plan (kind: RecoveryPlan).', line: 1, column: 1 };
  if (raw.schemaVersion !== 2)
    return {
      status: 'error',
      message: `The visual editor shows schemaVersion 2 plans; this file is ${JSON.stringify(raw.schemaVersion)}. Run "Upgrade DR File" first.`,
      line: 1,
      column: 1,
    };
  const wavesNode = isMap(doc.contents) ? doc.contents.get('waves', true) : undefined;
  if (!Array.isArray(raw.waves))
    return { status: 'error', message: 'The plan has no list of waves ("waves:").', line: 1, column: 1 };
  const rawWaves = (raw.waves as unknown[]).filter(
    (w): w is Record<string, unknown> => typeof w === 'object' && w !== null && !Array.isArray(w),
  );
  const waveLines: number[] = [];
  if (isSeq(wavesNode))
    for (const item of wavesNode.items as YamlNode[]) {
      const range = (item as { range?: [number, number, number] }).range;
      waveLines.push(range ? lines.linePos(range[0]).line : 1);
    }
  const base = rawWaves.map((w, i) => ({
    name: str(w.name) ?? `(wave ${i + 1})`,
    dependsOn: strings(w.dependsOn),
  }));
  const { cycle, positions } = graphLayout(base);
  const waves: WaveView[] = rawWaves.map((w, i) => ({
    name: base[i].name,
    description: str(w.description),
    protectionGroups: strings(w.protectionGroups),
    sourceServerIds: strings(w.sourceServerIds),
    dependsOn: base[i].dependsOn,
    pauseBeforeWave: w.pauseBeforeWave === true,
    maxWaitSeconds: num(w.maxWaitSeconds),
    preActions: actions(w.preActions),
    postActions: actions(w.postActions),
    line: waveLines[i] ?? 1,
    ...positions[i],
  }));
  const targets = raw.targets && typeof raw.targets === 'object' ? (raw.targets as Record<string, unknown>) : {};
  return {
    status: 'ok',
    name: str(raw.name) ?? '',
    description: str(raw.description),
    failurePolicy: str(raw.failurePolicy),
    rpoMinutes: num(targets.rpoMinutes),
    rtoMinutes: num(targets.rtoMinutes),
    waves,
    cycle: cycle ? formatCycle(cycle) : undefined,
  };
}

/** The file's problems (the same diagnostics as the text editor's), each on its wave when it is in one. */
export function planProblems(text: string, waveNames: readonly string[]): ProblemView[] {
  return parsePlan(text)
    .diagnostics.slice(0, 200)
    .map((d) => ({
      severity: d.severity,
      message: d.message,
      line: d.start?.line ?? 1,
      column: d.start?.column ?? 1,
      wave: d.path[0] === 'waves' && typeof d.path[1] === 'number' ? waveNames[d.path[1]] : undefined,
    }));
}
