import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson } from '../../audit/hashing';
import type { GuardrailPolicy } from '../../guardrails/policy';
import type { RunOutcome } from '../../operations/runner';

/** How long a plan can be applied after it was made. */
export const PLAN_TTL_MS = 10 * 60_000;
/** Plans kept at once; the oldest is forgotten first. */
export const MAX_PLANS = 200;

/** What a plan is bound to: applying it anywhere else is refused. */
export interface PlanBinding {
  operationId: string;
  input: unknown;
  account: string;
  region: string;
  policyHash: string;
}

export interface IssuedPlan extends PlanBinding {
  planId: string;
  /** sha256 over the binding, recorded in the audit trail. */
  bindingHash: string;
  issuedAt: number;
  expiresAt: number;
  /** The audited dry-run this plan is (its correlation ID links the execution to it). */
  dryRun: RunOutcome;
  profile?: string;
}

export type PlanRefusalCode = 'plan-unknown' | 'plan-expired' | 'plan-used' | 'plan-mismatch';

export function policyHash(policy: GuardrailPolicy): string {
  return createHash('sha256').update(canonicalJson(policy)).digest('hex');
}

export function bindingHash(binding: PlanBinding): string {
  const { operationId, input, account, region, policyHash: policy } = binding;
  return createHash('sha256').update(canonicalJson({ operationId, input, account, region, policy })).digest('hex');
}

/**
 * Plans issued by this server: an unguessable ID, bound to a hash of operation, input, account, region
 * and policy; single use; expiring. A changed input is a new plan, never a changed old one.
 */
export class PlanStore {
  private readonly plans = new Map<string, IssuedPlan>();
  /** Taken or expired IDs, so a reuse is named as such (bounded). */
  private readonly spent = new Map<string, 'used' | 'expired'>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = PLAN_TTL_MS,
  ) {}

  issue(binding: PlanBinding, dryRun: RunOutcome, profile?: string): IssuedPlan {
    this.sweep();
    const issuedAt = this.now();
    const plan: IssuedPlan = {
      ...binding,
      input: structuredClone(binding.input),
      planId: `plan-${randomUUID()}`,
      bindingHash: bindingHash(binding),
      issuedAt,
      expiresAt: issuedAt + this.ttlMs,
      dryRun,
      profile,
    };
    this.plans.set(plan.planId, plan);
    while (this.plans.size > MAX_PLANS) this.forget(this.plans.keys().next().value!, 'expired');
    return plan;
  }

  /** Takes a plan for its one application; any later take of the same ID is refused. */
  take(planId: string): { ok: true; plan: IssuedPlan } | { ok: false; code: PlanRefusalCode; message: string } {
    const plan = this.plans.get(planId);
    if (!plan) {
      const spent = this.spent.get(planId);
      if (spent === 'used')
        return {
          ok: false,
          code: 'plan-used',
          message: `Plan ${planId} was already applied or refused once; a plan is single use. Make a new plan with plan_change.`,
        };
      if (spent === 'expired')
        return {
          ok: false,
          code: 'plan-expired',
          message: `Plan ${planId} expired (plans last ${Math.round(this.ttlMs / 60_000)} minutes). Make a new plan with plan_change.`,
        };
      return {
        ok: false,
        code: 'plan-unknown',
        message: `This server issued no plan "${planId.slice(0, 80)}". Make one with plan_change.`,
      };
    }
    if (this.now() > plan.expiresAt) {
      this.forget(planId, 'expired');
      return {
        ok: false,
        code: 'plan-expired',
        message: `Plan ${planId} expired (plans last ${Math.round(this.ttlMs / 60_000)} minutes). Make a new plan with plan_change.`,
      };
    }
    this.forget(planId, 'used');
    if (bindingHash(plan) !== plan.bindingHash)
      return { ok: false, code: 'plan-mismatch', message: `Plan ${planId} no longer matches what was planned.` };
    return { ok: true, plan };
  }

  private forget(planId: string, why: 'used' | 'expired'): void {
    this.plans.delete(planId);
    this.spent.set(planId, why);
    while (this.spent.size > MAX_PLANS * 5) this.spent.delete(this.spent.keys().next().value!);
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, plan] of this.plans) if (now > plan.expiresAt) this.forget(id, 'expired');
  }
}

/** What differs between a plan and where it would now run (empty: the same). */
export function bindingDifferences(
  plan: PlanBinding,
  current: Pick<PlanBinding, 'account' | 'region' | 'policyHash'>,
): string[] {
  const differences: string[] = [];
  if (plan.account !== current.account) differences.push(`account ${current.account} instead of ${plan.account}`);
  if (plan.region !== current.region) differences.push(`region ${current.region} instead of ${plan.region}`);
  if (plan.policyHash !== current.policyHash) differences.push('a different guardrail policy');
  return differences;
}
