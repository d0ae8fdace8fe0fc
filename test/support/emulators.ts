/**
 * One emulator stack per mocha run, shared by every integration test file.
 *
 * Either load this module with `mocha --require out/test/support/emulators.js` (it exports
 * `mochaHooks`), or call `useEmulatorStack()` at the top level of a test file: the first call
 * registers root-level before/after hooks that start and stop the stack.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DescribeJobsCommand, type DrsClient, type Job } from '@aws-sdk/client-drs';
import { DEFAULT_PHASE_DURATIONS_MS, type ClockSettings } from '../../tools/emulators/drs/clock';
import { startEmulatorStack, type EmulatorStack, type SeedSummary, type StackSeed } from '../../tools/emulators/stack';

/** DRS jobs in tests take about a tenth of a second. */
export const TEST_DRS_CLOCK: ClockSettings = { timeScale: 0.02 };

function findRepoRoot(): string {
  // out/test/support/emulators.js, or test/support/emulators.ts under ts-node
  for (const candidate of [resolve(__dirname, '..', '..', '..'), resolve(__dirname, '..', '..')]) {
    if (existsSync(resolve(candidate, 'package.json'))) return candidate;
  }
  return process.cwd();
}

let stackPromise: Promise<EmulatorStack> | undefined;
let hooksRegistered = false;

export function startSharedStack(): Promise<EmulatorStack> {
  stackPromise ??= startEmulatorStack({
    repoRoot: findRepoRoot(),
    drsClock: TEST_DRS_CLOCK,
    log: process.env.EMULATOR_LOG ? (message) => process.stderr.write(`[emulators] ${message}\n`) : undefined,
  });
  return stackPromise;
}

export async function stopSharedStack(): Promise<void> {
  const pending = stackPromise;
  stackPromise = undefined;
  if (pending) await (await pending).stop();
}

/** Root hooks for `mocha --require`. Starting may install moto on first use, hence the long timeout. */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(600_000);
    await startSharedStack();
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(30_000);
    await stopSharedStack();
  },
};

let current: EmulatorStack | undefined;

/** Registers the shared stack's root hooks (once per run) and returns an accessor for it. */
export function useEmulatorStack(): () => EmulatorStack {
  if (!hooksRegistered) {
    hooksRegistered = true;
    before(async function () {
      this.timeout(600_000);
      current = await startSharedStack();
    });
    after(async function () {
      this.timeout(30_000);
      current = undefined;
      await stopSharedStack();
    });
  }
  return emulatorStack;
}

export function emulatorStack(): EmulatorStack {
  if (!current)
    throw new Error('the emulator stack is not running: call useEmulatorStack() at the top level of the test file');
  return current;
}

/** Puts the DRS clock back to the fast test pace with default phase durations. */
export async function restoreTestClock(): Promise<void> {
  await emulatorStack().admin.setClock({
    timeScale: TEST_DRS_CLOCK.timeScale,
    phaseDurationsMs: DEFAULT_PHASE_DURATIONS_MS,
  });
}

/** Empties moto and DRS, restores the test clock, and seeds (the sample account by default). */
export async function resetAndSeed(seed: StackSeed = 'sample'): Promise<SeedSummary> {
  await restoreTestClock();
  return emulatorStack().resetAndSeed(seed);
}

/** Client config for the gateway; pass maxAttempts: 1 to see errors the SDK would otherwise retry. */
export function clientConfig(options: { maxAttempts?: number } = {}) {
  const stack = emulatorStack();
  return {
    region: stack.region,
    endpoint: stack.endpoint,
    credentials: stack.credentials,
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  };
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  description: string,
  { timeoutMs = 20_000, intervalMs = 25 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((done) => setTimeout(done, intervalMs));
  }
}

export async function describeJob(drs: DrsClient, jobID: string | undefined): Promise<Job> {
  if (!jobID) throw new Error('no job ID');
  const { items } = await drs.send(new DescribeJobsCommand({ filters: { jobIDs: [jobID] } }));
  if (!items?.[0]) throw new Error(`job ${jobID} not found`);
  return items[0];
}

export function waitForJobCompletion(drs: DrsClient, jobID: string | undefined, timeoutMs = 20_000): Promise<Job> {
  return waitFor(
    async () => {
      const job = await describeJob(drs, jobID);
      return job.status === 'COMPLETED' ? job : undefined;
    },
    `job ${jobID} to complete`,
    { timeoutMs },
  );
}
