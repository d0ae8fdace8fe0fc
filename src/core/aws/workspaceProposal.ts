import { createHash } from 'node:crypto';
import type { ConnectionSettings } from './resolution';

/**
 * Which connection settings are in force when the user's settings and a workspace's `.vscode/settings.json`
 * both name a profile, region or endpoint. A workspace arrives with a cloned repository, so it may only
 * PROPOSE these values: they take effect after the user allowed that exact proposal, except endpoints on
 * loopback, which apply at once when they override no user value.
 */

/** One setting as the editor reports it: the user's (global) value and the workspace's (folder value first). */
export interface SettingScopes<T> {
  user?: T;
  workspace?: T;
}

export interface ConnectionSettingScopes {
  profile: SettingScopes<unknown>;
  region: SettingScopes<unknown>;
  endpointUrl: SettingScopes<unknown>;
  serviceEndpoints: SettingScopes<unknown>;
  explorerProfiles: SettingScopes<unknown>;
}

export interface EffectiveConnectionSettings extends ConnectionSettings {
  serviceEndpoints: Record<string, string>;
  /** Profiles shown beside the active one in the explorer. */
  explorerProfiles: string[];
}

/** Workspace values for the connection settings (only those that differ from the user's). */
export interface WorkspaceValues {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  serviceEndpoints?: Record<string, string>;
  explorerProfiles?: string[];
}

export type ProposalDecision = 'allowed' | 'declined';

/**
 * none: the workspace proposes nothing that needs asking; pending: it does and the user has not answered;
 * allowed / declined: the user's remembered answer; restricted: Restricted Mode, workspace values ignored.
 */
export type ProposalState = 'none' | 'pending' | 'allowed' | 'declined' | 'restricted';

export interface ConnectionSettingsDecision {
  settings: EffectiveConnectionSettings;
  state: ProposalState;
  /** The workspace values that need the user's answer (empty when the state is none or restricted). */
  proposal: WorkspaceValues;
  /** Identifies the proposal: a changed proposal has another key and is asked again. */
  proposalKey?: string;
  /** Workspace values in force now: loopback endpoints, and the proposal once allowed. */
  fromWorkspace: WorkspaceValues;
  /** Workspace values ignored because of Restricted Mode. */
  ignored: WorkspaceValues;
}

export interface DecisionInputs {
  /** False in Restricted Mode: workspace values are ignored entirely. */
  trusted: boolean;
  /** The remembered answer for a proposal key, if any. */
  decisionFor(proposalKey: string): ProposalDecision | undefined;
}

/** Bounds for workspace values (user values are taken as they are). */
export const MAX_SETTING_TEXT_LENGTH = 2048;
export const MAX_SETTING_ENTRIES = 64;

/** True only for http(s) URLs whose host is `localhost`, an address in 127.0.0.0/8, or `[::1]`. */
export function isLoopbackEndpoint(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const host = url.hostname.toLowerCase();
  // The URL parser writes every IPv4 form (127.1, 0x7f.0.0.1 …) as four decimal parts.
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function text(value: unknown, bounded: boolean): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (!trimmed || (bounded && trimmed.length > MAX_SETTING_TEXT_LENGTH)) return undefined;
  return trimmed;
}

function endpointMap(value: unknown, bounded: boolean): Record<string, string> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  if (bounded && entries.length > MAX_SETTING_ENTRIES) return undefined;
  const map: Record<string, string> = {};
  for (const [service, url] of entries) {
    const key = text(service, bounded)?.toLowerCase();
    const endpoint = text(url, bounded);
    if (key && endpoint && key !== '__proto__') map[key] = endpoint;
  }
  return Object.keys(map).length ? map : undefined;
}

function profileList(value: unknown, bounded: boolean): string[] | undefined {
  if (!Array.isArray(value) || (bounded && value.length > MAX_SETTING_ENTRIES)) return undefined;
  const names = [
    ...new Set(
      value
        .map((entry) =>
          typeof entry === 'string' || typeof entry === 'number' ? text(String(entry), bounded) : undefined,
        )
        .filter((entry): entry is string => Boolean(entry)),
    ),
  ];
  return names;
}

function normalize(scopes: ConnectionSettingScopes, scope: 'user' | 'workspace'): WorkspaceValues {
  const bounded = scope === 'workspace';
  return {
    profile: text(scopes.profile[scope], bounded),
    region: text(scopes.region[scope], bounded),
    endpointUrl: text(scopes.endpointUrl[scope], bounded),
    serviceEndpoints: endpointMap(scopes.serviceEndpoints[scope], bounded),
    explorerProfiles: profileList(scopes.explorerProfiles[scope], bounded),
  };
}

const sameList = (a: string[] | undefined, b: string[] | undefined) =>
  JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

function isEmpty(values: WorkspaceValues): boolean {
  return Object.values(values).every((value) => value === undefined);
}

function withoutUndefined(values: WorkspaceValues): WorkspaceValues {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as WorkspaceValues;
}

/** A stable key for a proposal: the same values give the same key, whatever their order. */
export function proposalKey(proposal: WorkspaceValues): string {
  const canonical = JSON.stringify([
    proposal.profile ?? null,
    proposal.region ?? null,
    proposal.endpointUrl ?? null,
    proposal.serviceEndpoints
      ? Object.entries(proposal.serviceEndpoints).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      : null,
    proposal.explorerProfiles ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * The settings in force. A user value is never replaced without an allow decision; a workspace endpoint
 * that overrides no user value applies at once only when it is loopback; in Restricted Mode every workspace
 * value is ignored.
 */
export function decideConnectionSettings(
  scopes: ConnectionSettingScopes,
  inputs: DecisionInputs,
): ConnectionSettingsDecision {
  const user = normalize(scopes, 'user');
  const workspace = normalize(scopes, 'workspace');
  const settings: EffectiveConnectionSettings = {
    profile: user.profile,
    region: user.region,
    endpointUrl: user.endpointUrl,
    serviceEndpoints: { ...user.serviceEndpoints },
    explorerProfiles: user.explorerProfiles ?? [],
  };
  const differing: WorkspaceValues = {
    profile: workspace.profile !== user.profile ? workspace.profile : undefined,
    region: workspace.region !== user.region ? workspace.region : undefined,
    endpointUrl: workspace.endpointUrl !== user.endpointUrl ? workspace.endpointUrl : undefined,
    serviceEndpoints:
      workspace.serviceEndpoints &&
      Object.entries(workspace.serviceEndpoints).some(([service, url]) => user.serviceEndpoints?.[service] !== url)
        ? workspace.serviceEndpoints
        : undefined,
    explorerProfiles:
      workspace.explorerProfiles && !sameList(workspace.explorerProfiles, user.explorerProfiles)
        ? workspace.explorerProfiles
        : undefined,
  };
  if (!inputs.trusted) {
    const ignored = withoutUndefined(differing);
    return { settings, state: isEmpty(ignored) ? 'none' : 'restricted', proposal: {}, fromWorkspace: {}, ignored };
  }

  // Loopback endpoints that replace no user value apply without asking; everything else is a proposal.
  const fromWorkspace: WorkspaceValues = {};
  const proposal: WorkspaceValues = {
    profile: differing.profile,
    region: differing.region,
    explorerProfiles: differing.explorerProfiles,
  };
  if (differing.endpointUrl !== undefined) {
    if (isLoopbackEndpoint(differing.endpointUrl) && !user.endpointUrl)
      fromWorkspace.endpointUrl = differing.endpointUrl;
    else proposal.endpointUrl = differing.endpointUrl;
  }
  for (const [service, url] of Object.entries(differing.serviceEndpoints ?? {})) {
    if (user.serviceEndpoints?.[service] === url) continue;
    const overridesUser = user.serviceEndpoints?.[service] !== undefined || user.endpointUrl !== undefined;
    const target = isLoopbackEndpoint(url) && !overridesUser ? fromWorkspace : proposal;
    target.serviceEndpoints = { ...target.serviceEndpoints, [service]: url };
  }
  const asked = withoutUndefined(proposal);
  const key = isEmpty(asked) ? undefined : proposalKey(asked);
  const decision = key ? inputs.decisionFor(key) : undefined;
  if (decision === 'allowed') {
    fromWorkspace.profile = asked.profile;
    fromWorkspace.region = asked.region;
    fromWorkspace.endpointUrl ??= asked.endpointUrl;
    fromWorkspace.explorerProfiles = asked.explorerProfiles;
    if (asked.serviceEndpoints)
      fromWorkspace.serviceEndpoints = { ...fromWorkspace.serviceEndpoints, ...asked.serviceEndpoints };
  }
  const applied = withoutUndefined(fromWorkspace);
  if (applied.profile !== undefined) settings.profile = applied.profile;
  if (applied.region !== undefined) settings.region = applied.region;
  if (applied.endpointUrl !== undefined) settings.endpointUrl = applied.endpointUrl;
  if (applied.serviceEndpoints)
    settings.serviceEndpoints = { ...settings.serviceEndpoints, ...applied.serviceEndpoints };
  if (applied.explorerProfiles) settings.explorerProfiles = applied.explorerProfiles;
  const state: ProposalState = !key ? 'none' : (decision ?? 'pending');
  return { settings, state, proposal: asked, proposalKey: key, fromWorkspace: applied, ignored: {} };
}

/** An endpoint for display: a user name or password in the URL is replaced by `***`; unparsable text is quoted. */
export function displayEndpoint(value: string): string {
  try {
    const url = new URL(value);
    if (!url.username && !url.password) return url.href === `${value}/` ? value : url.href;
    url.username = '***';
    url.password = '';
    return url.href;
  } catch {
    return JSON.stringify(value);
  }
}

/** Workspace text as it can be shown: plain names as they are, anything else quoted with escapes (no line breaks). */
const shown = (value: string) => (/^[\w.@:/-]+$/.test(value) ? value : JSON.stringify(value));

/** The proposal in words, e.g. `profile "dev", endpoint https://example.test (all services)`. */
export function describeWorkspaceValues(values: WorkspaceValues): string {
  const parts: string[] = [];
  if (values.profile) parts.push(`profile ${JSON.stringify(values.profile)}`);
  if (values.region) parts.push(`region ${shown(values.region)}`);
  if (values.endpointUrl) parts.push(`endpoint ${displayEndpoint(values.endpointUrl)} (all services)`);
  for (const [service, url] of Object.entries(values.serviceEndpoints ?? {}))
    parts.push(`endpoint ${displayEndpoint(url)} for ${shown(service)}`);
  if (values.explorerProfiles)
    parts.push(
      values.explorerProfiles.length
        ? `explorer profiles ${values.explorerProfiles.map((name) => JSON.stringify(name)).join(', ')}`
        : 'no other explorer profiles',
    );
  return parts.join(', ');
}

/** Remembered answers, newest last, at most `limit` of them. */
export function rememberDecision(
  decisions: Record<string, ProposalDecision>,
  key: string,
  decision: ProposalDecision,
  limit = 20,
): Record<string, ProposalDecision> {
  const entries = Object.entries(decisions).filter(
    ([known, value]) => known !== key && (value === 'allowed' || value === 'declined'),
  );
  entries.push([key, decision]);
  return Object.fromEntries(entries.slice(-limit));
}
