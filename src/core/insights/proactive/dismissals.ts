/**
 * Dismissed insights: id → the fingerprint it had when dismissed. An insight stays hidden while its
 * fingerprint is the same and shows again once it changes (another volume became unattached, the database
 * filled further). The state is stored by the adapter (VS Code's globalState) and validated on load.
 */
import type { Insight } from './types';

export type DismissalState = Readonly<Record<string, string>>;

/** Most dismissals kept; the oldest are dropped first. */
export const MAX_DISMISSALS = 500;
const MAX_KEY = 300;
const MAX_FINGERPRINT = 200;

/** The stored value as a state: anything malformed is dropped, never trusted. */
export function parseDismissals(stored: unknown): DismissalState {
  if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return {};
  const entries: Array<[string, string]> = [];
  for (const [id, fingerprint] of Object.entries(stored as Record<string, unknown>)) {
    if (!id || id.length > MAX_KEY || typeof fingerprint !== 'string' || fingerprint.length > MAX_FINGERPRINT) continue;
    entries.push([id, fingerprint]);
  }
  // Object.fromEntries defines own properties, so an id such as "__proto__" stays a plain key.
  return Object.fromEntries(entries.slice(-MAX_DISMISSALS));
}

export function dismiss(state: DismissalState, insight: Pick<Insight, 'id' | 'fingerprint'>): DismissalState {
  const entries = Object.entries(state).filter(([id]) => id !== insight.id);
  entries.push([insight.id, insight.fingerprint]);
  return Object.fromEntries(entries.slice(-MAX_DISMISSALS));
}

export function restore(state: DismissalState, id: string): DismissalState {
  if (!Object.hasOwn(state, id)) return state;
  return Object.fromEntries(Object.entries(state).filter(([key]) => key !== id));
}

export function isDismissed(state: DismissalState, insight: Pick<Insight, 'id' | 'fingerprint'>): boolean {
  return Object.hasOwn(state, insight.id) && state[insight.id] === insight.fingerprint;
}

/** The insights still to show, in their order, and how many are hidden by a dismissal. */
export function visibleInsights<T extends Pick<Insight, 'id' | 'fingerprint'>>(
  state: DismissalState,
  insights: readonly T[],
): { visible: T[]; dismissed: T[] } {
  const visible: T[] = [];
  const dismissed: T[] = [];
  for (const insight of insights) (isDismissed(state, insight) ? dismissed : visible).push(insight);
  return { visible, dismissed };
}

/** Where dismissals are kept: a key-value store such as VS Code's Memento. */
export interface DismissalStorage {
  get(key: string): unknown;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

type Thenable<T> = PromiseLike<T>;

export const DISMISSALS_KEY = 'pilotLight.insights.dismissed';

/** Dismissals over a storage, with changes written through. */
export class DismissalStore {
  constructor(
    private readonly storage: DismissalStorage,
    private readonly key = DISMISSALS_KEY,
  ) {}

  state(): DismissalState {
    return parseDismissals(this.storage.get(this.key));
  }

  async dismiss(insight: Pick<Insight, 'id' | 'fingerprint'>): Promise<void> {
    await this.storage.update(this.key, dismiss(this.state(), insight));
  }

  async restore(id: string): Promise<void> {
    await this.storage.update(this.key, restore(this.state(), id));
  }

  async restoreAll(): Promise<void> {
    await this.storage.update(this.key, {});
  }

  visible<T extends Pick<Insight, 'id' | 'fingerprint'>>(insights: readonly T[]) {
    return visibleInsights(this.state(), insights);
  }
}
