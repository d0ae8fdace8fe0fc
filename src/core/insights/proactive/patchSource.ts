/**
 * Instances running 30+ days without patches, from SSM Patch Manager's patch states. Where the API is not
 * there (or not allowed), the source is "not checked", never "nothing found".
 */
import { readFacts } from '../reads';
import { fingerprintOf } from './fingerprint';
import { unknownEnvironment, type SourceOptions } from './sourceOptions';
import type { Insight, InsightSource } from './types';

export const UNPATCHED_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface PatchState {
  InstanceId?: string;
  OperationEndTime?: string | Date;
  MissingCount?: number;
  FailedCount?: number;
}

function dateOf(value: unknown): Date | undefined {
  if (!value) return undefined;
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Instances up 30+ days whose last patch operation is older than 30 days or that miss or failed patches. */
export function judgePatchStates(
  instances: Array<{ id: string; name: string; launchTime?: Date }>,
  states: readonly PatchState[],
  now: Date,
): { stale: Array<{ id: string; name: string; why: string }>; unreported: string[] } {
  const byId = new Map(states.filter((state) => state.InstanceId).map((state) => [state.InstanceId!, state]));
  const stale: Array<{ id: string; name: string; why: string }> = [];
  const unreported: string[] = [];
  for (const instance of instances) {
    if (!instance.launchTime || now.getTime() - instance.launchTime.getTime() < UNPATCHED_DAYS * DAY_MS) continue;
    const state = byId.get(instance.id);
    if (!state) {
      unreported.push(instance.id);
      continue;
    }
    const last = dateOf(state.OperationEndTime);
    const days = last ? Math.floor((now.getTime() - last.getTime()) / DAY_MS) : undefined;
    const why =
      days === undefined || days >= UNPATCHED_DAYS
        ? days === undefined
          ? 'no patch operation recorded'
          : `last patched or scanned ${days} days ago`
        : (state.MissingCount ?? 0) > 0 || (state.FailedCount ?? 0) > 0
          ? `${state.MissingCount ?? 0} missing and ${state.FailedCount ?? 0} failed patches`
          : undefined;
    if (why) stale.push({ id: instance.id, name: instance.name, why });
  }
  return { stale, unreported };
}

export function patchComplianceSource(options: SourceOptions = {}): InsightSource {
  return {
    id: 'patch-compliance',
    title: 'Instances without patches',
    async collect(context) {
      const { facts, truncated } = await readFacts(
        context.read,
        'ec2:instance',
        context.region,
        options.resolveEnvironment ?? unknownEnvironment,
        { filters: [{ name: 'instance-state-name', values: ['running'] }] },
      );
      if (truncated) throw new Error('more than 1000 running instances; Pilot Light reads at most 1000 at once');
      const instances = facts.map((fact) => ({
        id: fact.id,
        name: fact.name,
        launchTime: dateOf(fact.extra.launchTime),
      }));
      const longRunning = instances.filter(
        (instance) =>
          instance.launchTime && context.now.getTime() - instance.launchTime.getTime() >= UNPATCHED_DAYS * DAY_MS,
      );
      if (!longRunning.length) return [];
      const states: PatchState[] = [];
      for (let start = 0; start < longRunning.length; start += 50) {
        try {
          const output = (await context.read('ssm.patchStates.list', {
            instanceIds: longRunning.slice(start, start + 50).map((instance) => instance.id),
          })) as { items?: PatchState[] };
          states.push(...(output?.items ?? []));
        } catch (error) {
          throw new Error(`SSM patch states could not be read: ${(error as Error).message}`, { cause: error });
        }
      }
      const { stale, unreported } = judgePatchStates(longRunning, states, context.now);
      const insights: Insight[] = [];
      if (stale.length)
        insights.push({
          id: `unpatched-instances:${context.account}:${context.region}`,
          fingerprint: fingerprintOf(stale.map((instance) => instance.id)),
          sourceId: 'patch-compliance',
          severity: 'medium',
          title: `${stale.length} instance${stale.length === 1 ? ' has' : 's have'} run ${UNPATCHED_DAYS}+ days without patches`,
          detail: stale
            .slice(0, 10)
            .map((instance) => `${instance.name}: ${instance.why}`)
            .concat(stale.length > 10 ? [`and ${stale.length - 10} more`] : [])
            .concat([
              'Patch them with a Patch Manager maintenance window or AWS-RunPatchBaseline; Pilot Light has no patch operation yet.',
            ])
            .join('\n'),
          resources: stale.map((instance) => ({
            type: 'ec2:instance',
            id: instance.id,
            region: context.region,
            account: context.account,
          })),
        });
      if (unreported.length)
        insights.push({
          id: `unmanaged-patching:${context.account}:${context.region}`,
          fingerprint: fingerprintOf(unreported),
          sourceId: 'patch-compliance',
          severity: 'low',
          title: `${unreported.length} instance${unreported.length === 1 ? '' : 's'} running ${UNPATCHED_DAYS}+ days report${unreported.length === 1 ? 's' : ''} no patch state`,
          detail:
            'Patch Manager has never scanned them (no SSM agent, no instance profile, or no patch baseline association), so whether they are patched is unknown.',
          resources: unreported.map((id) => ({
            type: 'ec2:instance',
            id,
            region: context.region,
            account: context.account,
          })),
        });
      return insights;
    },
  };
}
