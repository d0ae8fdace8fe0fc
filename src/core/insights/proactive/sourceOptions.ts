import type { EnvironmentResolver } from '../facts';

export interface SourceOptions {
  /** How resources' environments are named (the guardrails' resolver); unknown when not given. */
  resolveEnvironment?: EnvironmentResolver;
  /** Days an instance must have been stopped to count as unused (setting pilotLight.insights.stoppedInstanceDays). */
  stoppedDays?: number;
}

export const unknownEnvironment: EnvironmentResolver = () => ({ name: 'unknown', protected: false });

export function usd(amount: number): string {
  return `$${amount >= 100 ? Math.round(amount).toLocaleString('en-US') : amount.toFixed(2)}`;
}
