/**
 * Instance states in transition, which moto never shows: its instances are running, stopped or terminated
 * at once. When switched on (admin API, `transitionMs`), the gateway remembers the instances that a
 * StartInstances, StopInstances, TerminateInstances or RunInstances touched, and for `transitionMs`
 * reports them in DescribeInstances as AWS would: pending, stopping or shutting-down. Moto's own state is
 * untouched, and is what shows once the time is up. Off by default.
 */

/** EC2's state codes (InstanceState.Code). */
const STATE_CODES = { pending: 0, 'shutting-down': 32, stopping: 64 } as const;
export type TransitionalState = keyof typeof STATE_CODES;

const STARTS: Record<string, TransitionalState> = {
  StartInstances: 'pending',
  StopInstances: 'stopping',
  TerminateInstances: 'shutting-down',
  RunInstances: 'pending',
};

export interface Ec2LifecycleStatus {
  /** How long a transition shows, or null when the emulation is off. */
  transitionMs: number | null;
  /** Instances in transition now: id → state shown and when it ends. */
  transitions: Record<string, { state: TransitionalState; untilMs: number }>;
}

export class Ec2Lifecycle {
  private transitionMs: number | null = null;
  private readonly transitions = new Map<string, { state: TransitionalState; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  get enabled(): boolean {
    return this.transitionMs !== null;
  }

  /** Turns the emulation on for `transitionMs` per transition, or off (null), forgetting transitions. */
  configure(transitionMs: number | null): void {
    if (transitionMs !== null && !(Number.isFinite(transitionMs) && transitionMs > 0)) {
      throw new Error(
        `transitionMs must be a positive number of milliseconds, or null to switch off; got ${JSON.stringify(transitionMs)}`,
      );
    }
    this.transitionMs = transitionMs;
    this.transitions.clear();
  }

  status(): Ec2LifecycleStatus {
    this.expire();
    const transitions: Ec2LifecycleStatus['transitions'] = {};
    for (const [id, { state, until }] of this.transitions) transitions[id] = { state, untilMs: until - this.now() };
    return { transitionMs: this.transitionMs, transitions };
  }

  /** Whether the answer to `action` must be read whole, to learn from it or rewrite it. */
  wantsAnswer(action: string): boolean {
    if (!this.enabled) return false;
    if (action === 'RunInstances') return true;
    this.expire();
    return action === 'DescribeInstances' && this.transitions.size > 0;
  }

  /** Records the transitions a successful call started; instance IDs come from the request, or the answer for RunInstances. */
  observe(action: string, params: URLSearchParams, answer?: string): void {
    const state = STARTS[action];
    if (!state || this.transitionMs === null) return;
    const ids =
      action === 'RunInstances'
        ? [...(answer ?? '').matchAll(/<instanceId>(i-[0-9a-f]+)<\/instanceId>/g)].map((match) => match[1])
        : [...params.entries()].filter(([key]) => /^InstanceId\.\d+$/.test(key)).map(([, id]) => id);
    const until = this.now() + this.transitionMs;
    for (const id of new Set(ids)) this.transitions.set(id, { state, until });
  }

  /** Shows each instance in transition with its transitional state in a DescribeInstances answer. */
  rewriteDescribeInstances(xml: string): string {
    this.expire();
    if (this.transitions.size === 0) return xml;
    return xml.replace(
      /<instanceId>(i-[0-9a-f]+)<\/instanceId>([\s\S]*?)<instanceState>[\s\S]*?<\/instanceState>/g,
      (whole, id: string, between: string) => {
        const transition = this.transitions.get(id);
        // An instance's own state follows its ID before any other instance starts.
        if (!transition || between.includes('<instanceId>')) return whole;
        return `<instanceId>${id}</instanceId>${between}<instanceState><code>${STATE_CODES[transition.state]}</code><name>${transition.state}</name></instanceState>`;
      },
    );
  }

  private expire(): void {
    const now = this.now();
    for (const [id, { until }] of this.transitions) if (until <= now) this.transitions.delete(id);
  }
}
