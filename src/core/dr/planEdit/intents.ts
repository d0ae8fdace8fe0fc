/**
 * What the visual recovery-plan editor asks for ("add a wave", "connect a dependency"…), turned into
 * path operations on the plan file. Intents are checked against the plan as it is in the text now: a
 * connection that would close a cycle is refused with the cycle named, a duplicate name is refused.
 */
import { findCycle, formatCycle } from '../graph';
import { NAME_PATTERN, RECOVERY_PLAN_KIND, type WaveAction } from '../model';
import { DR_LIMITS } from '../schema';
import { tooLargeToParse } from '../parse';
import type { Document } from 'yaml';
import {
  applyOps,
  parseStrict,
  plainValue,
  PlanEditError,
  type EditOp,
  type EditResult,
  type YamlPath,
} from './textEdit';

export type ActionList = 'preActions' | 'postActions';
export type WaveField = 'description' | 'pauseBeforeWave' | 'maxWaitSeconds';
export type PlanField = 'name' | 'description' | 'failurePolicy' | 'rpoMinutes' | 'rtoMinutes';

export type PlanIntent =
  | { kind: 'addWave'; name?: string; protectionGroups?: string[]; dependsOn?: string[] }
  | { kind: 'removeWave'; wave: string }
  | { kind: 'renameWave'; wave: string; newName: string }
  | { kind: 'connect'; from: string; to: string }
  | { kind: 'disconnect'; from: string; to: string }
  | { kind: 'setWaveField'; wave: string; field: WaveField; value: string | number | boolean | null }
  | { kind: 'setPlanField'; field: PlanField; value: string | number | null }
  | { kind: 'addProtectionGroup'; wave: string; group: string }
  | { kind: 'removeProtectionGroup'; wave: string; group: string }
  | { kind: 'addSourceServer'; wave: string; sourceServerId: string }
  | { kind: 'removeSourceServer'; wave: string; sourceServerId: string }
  | { kind: 'addAction'; wave: string; list: ActionList; action: WaveAction }
  | { kind: 'updateAction'; wave: string; list: ActionList; index: number; action: WaveAction }
  | { kind: 'removeAction'; wave: string; list: ActionList; index: number };

/** Canonical key order, used only to place a key the file does not have yet. */
export const PLAN_KEY_ORDER = ['schemaVersion', 'kind', 'name', 'description', 'targets', 'failurePolicy', 'waves'];
export const WAVE_KEY_ORDER = [
  'name',
  'description',
  'protectionGroups',
  'sourceServerIds',
  'dependsOn',
  'pauseBeforeWave',
  'maxWaitSeconds',
  'preActions',
  'postActions',
];
const TARGET_KEY_ORDER = ['rpoMinutes', 'rtoMinutes'];
const ACTION_KEY_ORDER = [
  'type',
  'name',
  'documentName',
  'documentVersion',
  'seconds',
  'message',
  'parameters',
  'timeoutSeconds',
  'retries',
];

export function planKeyOrder(path: YamlPath): readonly string[] | undefined {
  if (path.length === 0) return PLAN_KEY_ORDER;
  if (path.length === 1 && path[0] === 'targets') return TARGET_KEY_ORDER;
  if (path.length === 2 && path[0] === 'waves') return WAVE_KEY_ORDER;
  if (path.length === 4 && path[0] === 'waves') return ACTION_KEY_ORDER;
  return undefined;
}

interface RawWave {
  name?: unknown;
  dependsOn?: unknown;
  protectionGroups?: unknown;
  sourceServerIds?: unknown;
  preActions?: unknown;
  postActions?: unknown;
  [key: string]: unknown;
}
interface RawPlan {
  kind?: unknown;
  schemaVersion?: unknown;
  targets?: unknown;
  waves?: unknown;
  [key: string]: unknown;
}

const NAME = new RegExp(NAME_PATTERN);
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** The plan's plain value (and its parse), when it is a version-2 recovery plan with a list of waves. */
export function editablePlan(text: string): RawPlan {
  return parseEditable(text).plan;
}

function parseEditable(text: string, parsed?: Document.Parsed): { plan: RawPlan; doc: Document.Parsed } {
  // A parse that is given was made of a text already within the limits (the view's, or the last edit's check).
  const reused = parsed && parsed.errors.length === 0 ? parsed : undefined;
  const tooLarge = reused ? undefined : tooLargeToParse(text, DR_LIMITS.documentBytes, 'file');
  if (tooLarge) throw new PlanEditError(tooLarge.message);
  const doc = reused ?? parseStrict(text);
  if (!doc) throw new PlanEditError('The file has YAML errors; fix them in the text editor first.');
  const value = plainValue(doc);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new PlanEditError('The file is not a recovery plan (expected a mapping).');
  const plan = value as RawPlan;
  if (plan.kind !== RECOVERY_PLAN_KIND)
    throw new PlanEditError('The file is not a recovery plan (kind: RecoveryPlan).');
  if (plan.schemaVersion !== 2)
    throw new PlanEditError(
      `The visual editor edits schemaVersion 2 plans; this file is ${JSON.stringify(plan.schemaVersion)}. Run "Upgrade DR File" first.`,
    );
  if (!Array.isArray(plan.waves) || plan.waves.length === 0)
    throw new PlanEditError('The plan has no list of waves; add one in the text editor first.');
  return { plan, doc };
}

function waveIndex(plan: RawPlan, name: string): number {
  const waves = plan.waves as RawWave[];
  const index = waves.findIndex((wave) => wave && typeof wave === 'object' && wave.name === name);
  if (index === -1)
    throw new PlanEditError(`There is no wave "${name}" in the plan (it may have been renamed in the text).`);
  return index;
}

function checkName(name: string, what: string): void {
  if (!NAME.test(name))
    throw new PlanEditError(
      `"${name.slice(0, 64)}" is not a valid ${what} name: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 128 characters.`,
    );
}

/** Adds `item` to the string list at `path` (creating the key), or removes it (removing the key when it empties). */
function listAdd(wave: RawWave, path: YamlPath, key: string, item: string): EditOp[] {
  const current = wave[key];
  if (!Array.isArray(current) || current.length === 0) return [{ op: 'set', path: [...path, key], value: [item] }];
  if (current.includes(item)) return [];
  return [{ op: 'insert', path: [...path, key], index: current.length, value: item }];
}
function listRemove(wave: RawWave, path: YamlPath, key: string, item: string): EditOp[] {
  const current = wave[key];
  if (!Array.isArray(current)) return [];
  const index = current.indexOf(item);
  if (index === -1) return [];
  if (current.length === 1) return [{ op: 'delete', path: [...path, key] }];
  return [{ op: 'delete', path: [...path, key, index] }];
}

function uniqueWaveName(plan: RawPlan): string {
  const taken = new Set((plan.waves as RawWave[]).map((wave) => wave?.name));
  for (let n = (plan.waves as unknown[]).length + 1; ; n++) if (!taken.has(`wave-${n}`)) return `wave-${n}`;
}

/** The operations an intent makes on the plan, or a PlanEditError saying why it is refused. */
export function intentOps(plan: RawPlan, intent: PlanIntent): EditOp[] {
  const waves = plan.waves as RawWave[];
  switch (intent.kind) {
    case 'addWave': {
      if (waves.length >= DR_LIMITS.waves) throw new PlanEditError(`A plan holds at most ${DR_LIMITS.waves} waves.`);
      const name = intent.name ?? uniqueWaveName(plan);
      checkName(name, 'wave');
      if (waves.some((wave) => wave?.name === name)) throw new PlanEditError(`There already is a wave "${name}".`);
      for (const dependency of intent.dependsOn ?? []) waveIndex(plan, dependency);
      const wave: Record<string, unknown> = { name };
      if (intent.protectionGroups?.length) wave.protectionGroups = intent.protectionGroups;
      if (intent.dependsOn?.length) wave.dependsOn = intent.dependsOn;
      return [{ op: 'insert', path: ['waves'], index: waves.length, value: wave }];
    }
    case 'removeWave': {
      const index = waveIndex(plan, intent.wave);
      if (waves.length === 1) throw new PlanEditError('A plan needs at least one wave; this is the last one.');
      const ops: EditOp[] = [];
      // References first (from the last wave up), so the indices of earlier waves stay valid.
      for (let i = waves.length - 1; i >= 0; i--)
        if (i !== index) ops.push(...listRemove(waves[i], ['waves', i], 'dependsOn', intent.wave));
      ops.push({ op: 'delete', path: ['waves', index] });
      return ops;
    }
    case 'renameWave': {
      const index = waveIndex(plan, intent.wave);
      checkName(intent.newName, 'wave');
      if (intent.newName === intent.wave) return [];
      if (waves.some((wave) => wave?.name === intent.newName))
        throw new PlanEditError(`There already is a wave "${intent.newName}".`);
      const ops: EditOp[] = [{ op: 'set', path: ['waves', index, 'name'], value: intent.newName }];
      waves.forEach((wave, i) => {
        const dependsOn = wave?.dependsOn;
        if (!Array.isArray(dependsOn)) return;
        dependsOn.forEach((dependency, d) => {
          if (dependency === intent.wave)
            ops.push({ op: 'set', path: ['waves', i, 'dependsOn', d], value: intent.newName });
        });
      });
      return ops;
    }
    case 'connect': {
      const to = waveIndex(plan, intent.to);
      waveIndex(plan, intent.from);
      if (intent.from === intent.to) throw new PlanEditError(`Wave "${intent.to}" cannot depend on itself.`);
      const cycle = connectCycle(plan, intent.from, intent.to);
      if (cycle)
        throw new PlanEditError(
          `"${intent.to}" cannot depend on "${intent.from}": that would make a cycle ${formatCycle(cycle)}.`,
        );
      return listAdd(waves[to], ['waves', to], 'dependsOn', intent.from);
    }
    case 'disconnect': {
      const to = waveIndex(plan, intent.to);
      return listRemove(waves[to], ['waves', to], 'dependsOn', intent.from);
    }
    case 'setWaveField': {
      const index = waveIndex(plan, intent.wave);
      const path = ['waves', index, intent.field];
      const value = intent.value;
      if (value === null || value === '' || (intent.field === 'pauseBeforeWave' && value === false))
        return intent.field in waves[index] ? [{ op: 'delete', path }] : [];
      if (
        intent.field === 'maxWaitSeconds' &&
        !(Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 86400)
      )
        throw new PlanEditError('maxWaitSeconds must be a whole number from 1 to 86400.');
      if (intent.field === 'pauseBeforeWave' && typeof value !== 'boolean')
        throw new PlanEditError('pauseBeforeWave is true or false.');
      if (intent.field === 'description' && typeof value !== 'string')
        throw new PlanEditError('A description is text.');
      return waves[index][intent.field] === value ? [] : [{ op: 'set', path, value }];
    }
    case 'setPlanField': {
      const { field, value } = intent;
      if (field === 'rpoMinutes' || field === 'rtoMinutes') {
        const targets =
          plan.targets && typeof plan.targets === 'object' ? (plan.targets as Record<string, unknown>) : undefined;
        if (value === null || value === '') {
          if (!targets || !(field in targets)) return [];
          return Object.keys(targets).length === 1
            ? [{ op: 'delete', path: ['targets'] }]
            : [{ op: 'delete', path: ['targets', field] }];
        }
        if (typeof value !== 'number' || !(value > 0)) throw new PlanEditError(`${field} must be a number above 0.`);
        if (!targets) return [{ op: 'set', path: ['targets'], value: { [field]: value } }];
        return targets[field] === value ? [] : [{ op: 'set', path: ['targets', field], value }];
      }
      if (value === null || value === '') {
        if (field === 'name') throw new PlanEditError('A plan needs a name.');
        return field in plan ? [{ op: 'delete', path: [field] }] : [];
      }
      if (field === 'name') checkName(String(value), 'plan');
      if (field === 'failurePolicy' && value !== 'stop' && value !== 'continue')
        throw new PlanEditError('failurePolicy is "stop" or "continue".');
      return plan[field] === value ? [] : [{ op: 'set', path: [field], value }];
    }
    case 'addProtectionGroup': {
      const index = waveIndex(plan, intent.wave);
      checkName(intent.group, 'protection group');
      if (strings(waves[index].protectionGroups).length >= DR_LIMITS.groupsPerWave)
        throw new PlanEditError(`A wave holds at most ${DR_LIMITS.groupsPerWave} protection groups.`);
      return listAdd(waves[index], ['waves', index], 'protectionGroups', intent.group);
    }
    case 'removeProtectionGroup': {
      const index = waveIndex(plan, intent.wave);
      return listRemove(waves[index], ['waves', index], 'protectionGroups', intent.group);
    }
    case 'addSourceServer': {
      const index = waveIndex(plan, intent.wave);
      if (!/^s-[0-9a-zA-Z]{17}$/.test(intent.sourceServerId))
        throw new PlanEditError(`"${intent.sourceServerId.slice(0, 40)}" is not a DRS source server ID (s-…).`);
      return listAdd(waves[index], ['waves', index], 'sourceServerIds', intent.sourceServerId);
    }
    case 'removeSourceServer': {
      const index = waveIndex(plan, intent.wave);
      return listRemove(waves[index], ['waves', index], 'sourceServerIds', intent.sourceServerId);
    }
    case 'addAction': {
      const index = waveIndex(plan, intent.wave);
      const current = waves[index][intent.list];
      if (Array.isArray(current) && current.length >= DR_LIMITS.actionsPerList)
        throw new PlanEditError(`A wave holds at most ${DR_LIMITS.actionsPerList} ${intent.list}.`);
      if (!Array.isArray(current) || current.length === 0)
        return [{ op: 'set', path: ['waves', index, intent.list], value: [cleanAction(intent.action)] }];
      return [
        { op: 'insert', path: ['waves', index, intent.list], index: current.length, value: cleanAction(intent.action) },
      ];
    }
    case 'updateAction': {
      const index = waveIndex(plan, intent.wave);
      const current = waves[index][intent.list];
      if (!Array.isArray(current) || !current[intent.index])
        throw new PlanEditError(`Wave "${intent.wave}" has no ${intent.list} item ${intent.index + 1}.`);
      // Field by field, so a comment on an unchanged line of the action stays.
      const before = current[intent.index] as Record<string, unknown>;
      const after = cleanAction(intent.action) as unknown as Record<string, unknown>;
      const path = ['waves', index, intent.list, intent.index];
      if (typeof before !== 'object' || before === null || Array.isArray(before))
        return [{ op: 'set', path, value: after }];
      const ops: EditOp[] = [];
      // Parameters are edited in the text: an update that carries none keeps the file's.
      for (const key of Object.keys(before))
        if (
          !(key in after) &&
          !(key === 'parameters' && !('parameters' in intent.action) && before.type === after.type)
        )
          ops.push({ op: 'delete', path: [...path, key] });
      for (const [key, value] of Object.entries(after))
        if (JSON.stringify(before[key]) !== JSON.stringify(value)) ops.push({ op: 'set', path: [...path, key], value });
      return ops;
    }
    case 'removeAction': {
      const index = waveIndex(plan, intent.wave);
      const current = waves[index][intent.list];
      if (!Array.isArray(current) || current[intent.index] === undefined)
        throw new PlanEditError(`Wave "${intent.wave}" has no ${intent.list} item ${intent.index + 1}.`);
      if (current.length === 1) return [{ op: 'delete', path: ['waves', index, intent.list] }];
      return [{ op: 'delete', path: ['waves', index, intent.list, intent.index] }];
    }
  }
}

/** Keys in a fixed order, empty optional values left out. */
function cleanAction(action: WaveAction): WaveAction {
  const out: Record<string, unknown> = {};
  const source = action as unknown as Record<string, unknown>;
  for (const key of ACTION_KEY_ORDER) {
    const value = source[key];
    if (
      value === undefined ||
      value === '' ||
      (typeof value === 'object' && value !== null && Object.keys(value).length === 0)
    )
      continue;
    out[key] = value;
  }
  return out as unknown as WaveAction;
}

/** The cycle that `to` depending on `from` would close, or undefined. */
export function connectCycle(plan: RawPlan, from: string, to: string): string[] | undefined {
  const nodes = (plan.waves as RawWave[])
    .filter((wave) => wave && typeof wave.name === 'string')
    .map((wave) => ({
      name: wave.name as string,
      dependsOn: [...strings(wave.dependsOn), ...(wave.name === to ? [from] : [])],
    }));
  return findCycle(nodes);
}

export interface IntentResult extends EditResult {
  /** No operation: the plan already is as asked. */
  unchanged: boolean;
}

/**
 * Applies one intent to the plan text: the minimal edits, and the new text. `parsed` may reuse a parse of
 * exactly this text (made with the same options as parseStrict); it is only read.
 */
export function applyIntent(text: string, intent: PlanIntent, parsed?: Document.Parsed): IntentResult {
  const { plan, doc } = parseEditable(text, parsed);
  const ops = intentOps(plan, intent);
  if (ops.length === 0) return { text, document: doc, edits: [], rerendered: false, unchanged: true };
  const result = applyOps(text, ops, planKeyOrder, doc);
  if (overLimit(result.text))
    throw new PlanEditError(`The plan would be larger than ${DR_LIMITS.documentBytes / 1024} KB.`);
  return { ...result, unchanged: false };
}

function overLimit(text: string): boolean {
  return tooLargeToParse(text, DR_LIMITS.documentBytes, 'file') !== undefined;
}

export { PlanEditError };
