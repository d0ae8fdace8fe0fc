/**
 * A Step Functions run's journal has a sidecar file naming the execution it follows. The run executes in
 * AWS: its journal is followed, never continued by the local runner (the run manager checks this).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { StateRole } from './compile';

export interface StepFunctionsSidecar {
  executionArn: string;
  stateRoles: Record<string, StateRole>;
}

export function sidecarPath(journalPath: string): string {
  return journalPath.replace(/\.run\.jsonl$/, '') + '.sfn.json';
}

export function isStepFunctionsRun(journalPath: string): boolean {
  return existsSync(sidecarPath(journalPath));
}

export function writeSidecar(journalPath: string, sidecar: StepFunctionsSidecar): void {
  writeFileSync(sidecarPath(journalPath), JSON.stringify(sidecar));
}

/** The execution a journal follows, or undefined for a local run. */
export function readSidecar(journalPath: string): StepFunctionsSidecar | undefined {
  if (!isStepFunctionsRun(journalPath)) return undefined;
  return JSON.parse(readFileSync(sidecarPath(journalPath), 'utf8')) as StepFunctionsSidecar;
}
