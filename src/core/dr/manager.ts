/**
 * The runs of one process (e.g. one VS Code extension host), over one journal folder.
 *
 * - `start` creates a run (lock, origin, journal) and executes it in the background.
 * - `recover` finds every unfinished run in the folder and either continues it (`DrRunner.resume`) when
 *   its lock is free or stale, or watches its journal when another live process holds the lock, taking
 *   over as soon as that process goes away. After a window reload or an extension-host crash, calling
 *   `recover` again is all it takes to carry on; nothing is started twice (see runner.ts).
 * - Controls (pause, resume, cancel, approve) act on the runs this process executes; a watched run is
 *   controlled in the window that executes it.
 * - `dispose` stops the local runners without writing anything (like a crash) and releases their
 *   locks, so the next process continues at once.
 */
import { statSync } from 'node:fs';
import { DrRunner, type RunnerDeps, type StartRunInput, newRunId } from './run';
import { journalPath as journalPathFor, readJournal } from './journal';
import { listRunHistory, type RunHistoryEntry } from './results';
import { applyEvent, TERMINAL_RUN, type RunEvent, type RunState } from './state';
import { isStepFunctionsRun } from './stepFunctions/sidecar';
import {
  activeRunIds,
  clearActive,
  lockStaleness,
  markActive,
  newLockOwner,
  readLock,
  readRunOrigin,
  removeRunFiles,
  RunLock,
  writeRunOrigin,
  type LockOptions,
  type LockOwner,
  type LockRecord,
  type RunOrigin,
} from './runLock';

/** Thrown by `deps` when the current connection must not serve a run (e.g. another account). */
export class RunBlockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunBlockedError';
  }
}

/**
 * - owner: this process executes the run.
 * - watcher: another live process executes it; this one follows the journal.
 * - blocked: unfinished, but this process cannot continue it now (see `blockedReason`).
 * - finished: ended (and any drill cleanup too).
 */
export type RunRole = 'owner' | 'watcher' | 'blocked' | 'finished';

export interface RunSession {
  runId: string;
  journalPath: string;
  role: RunRole;
  /** The live state; read it, do not change it. */
  state: RunState;
  origin?: RunOrigin;
  /** The lock holder when watching. */
  heldBy?: LockRecord;
  blockedReason?: string;
}

export interface RunChange {
  runId: string;
  /** added: a session appeared; event: a journal event (owned or watched); role: the session's role changed. */
  kind: 'added' | 'event' | 'role';
  event?: RunEvent;
  session: RunSession;
}

export interface RunManagerOptions {
  journalDir: string;
  /** The runner's dependencies for a run. Throw RunBlockedError to leave the run for later. */
  deps(origin: RunOrigin | undefined, runId: string): Promise<Omit<RunnerDeps, 'journalDir'> & { journalDir?: string }>;
  owner?: LockOwner;
  lock?: LockOptions;
  /** Lock heartbeat interval. Default 5000 ms. */
  heartbeatMs?: number;
  /** How often a watched journal is read. Default 1000 ms. */
  watchMs?: number;
  log?(message: string): void;
}

interface Session extends RunSession {
  runner?: DrRunner;
  lock?: RunLock;
  heartbeat?: NodeJS.Timeout;
  watcher?: NodeJS.Timeout;
  watchedSize?: number;
  unsubscribe?: () => void;
  waiters: ((state: RunState) => void)[];
}

/** True while a run still needs a process: not ended, or its drill cleanup is still running. */
export function needsProcess(state: RunState): boolean {
  return !TERMINAL_RUN.includes(state.status) || state.cleanup?.status === 'running';
}

export class DrRunManager {
  readonly owner: LockOwner;
  private readonly sessions = new Map<string, Session>();
  private readonly listeners = new Set<(change: RunChange) => void>();
  private readonly attaching = new Map<string, Promise<void>>();
  private disposed = false;

  constructor(private readonly options: RunManagerOptions) {
    this.owner = options.owner ?? newLockOwner();
  }

  get journalDir(): string {
    return this.options.journalDir;
  }

  onChange(listener: (change: RunChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(session: Session, kind: RunChange['kind'], event?: RunEvent): void {
    for (const listener of this.listeners) {
      try {
        listener({ runId: session.runId, kind, event, session: this.view(session) });
      } catch (error) {
        this.log(`run listener failed: ${(error as Error).message}`);
      }
    }
  }

  private log(message: string): void {
    this.options.log?.(message);
  }

  private view(session: Session): RunSession {
    const { runId, journalPath, role, state, origin, heldBy, blockedReason } = session;
    return {
      runId,
      journalPath,
      role,
      state,
      ...(origin ? { origin } : {}),
      ...(heldBy ? { heldBy } : {}),
      ...(blockedReason ? { blockedReason } : {}),
    };
  }

  /** The runs this process knows (started, resumed, watched or blocked), newest first. */
  list(): RunSession[] {
    return [...this.sessions.values()]
      .sort((a, b) => (a.runId < b.runId ? 1 : -1))
      .map((session) => this.view(session));
  }

  get(runId: string): RunSession | undefined {
    const session = this.sessions.get(runId);
    return session && this.view(session);
  }

  /** Every run in the journal folder, newest first. */
  history(): RunHistoryEntry[] {
    return listRunHistory(this.journalDir);
  }

  /** A run's state: live when this process follows it, else read from its journal. */
  state(runId: string): RunState {
    return this.sessions.get(runId)?.state ?? DrRunner.inspect(journalPathFor(this.journalDir, runId));
  }

  private async depsFor(origin: RunOrigin | undefined, runId: string): Promise<RunnerDeps> {
    return { ...(await this.options.deps(origin, runId)), journalDir: this.journalDir };
  }

  /** Creates a run (preflight unless given, lock, origin, journal) and executes it in the background. */
  async start(input: StartRunInput & { origin: Omit<RunOrigin, 'runId'> }): Promise<RunSession> {
    this.assertOpen();
    const runId = input.runId ?? newRunId(input.plan.name);
    const acquired = RunLock.tryAcquire(this.journalDir, runId, this.owner, this.options.lock);
    if (!acquired.acquired) throw new Error(`Run ${runId} is already locked by ${describeHolder(acquired.heldBy)}.`);
    const origin: RunOrigin = { ...input.origin, runId };
    let runner: DrRunner;
    try {
      writeRunOrigin(this.journalDir, origin);
      markActive(this.journalDir, runId);
      const deps = await this.depsFor(origin, runId);
      const { origin: _origin, ...startInput } = input;
      runner = await DrRunner.create(deps, { ...startInput, runId });
    } catch (error) {
      acquired.lock.release();
      removeRunFiles(this.journalDir, runId);
      throw error;
    }
    const session: Session = {
      runId,
      journalPath: runner.journalPath,
      role: 'owner',
      state: runner.current as RunState,
      origin,
      waiters: [],
    };
    this.sessions.set(runId, session);
    this.emit(session, 'added');
    this.own(session, runner, acquired.lock, () => runner.run());
    return this.view(session);
  }

  /**
   * Continues or watches every unfinished run in the journal folder; retries blocked runs. Returns
   * the sessions it touched.
   */
  async recover(): Promise<RunSession[]> {
    this.assertOpen();
    const touched: Session[] = [];
    const marked = new Set(activeRunIds(this.journalDir));
    const history = this.history();
    for (const entry of history) {
      const hadMarker = marked.delete(entry.runId);
      // A Step Functions run executes in AWS: its journal is followed, never continued by this runner.
      if (isStepFunctionsRun(entry.journalPath)) continue;
      if (!entry.resumable) {
        // A marker left by a process that stopped right after the run ended.
        if (hadMarker && !readLock(this.journalDir, entry.runId)) clearActive(this.journalDir, entry.runId);
        continue;
      }
      markActive(this.journalDir, entry.runId);
      const existing = this.sessions.get(entry.runId);
      if (existing && existing.role !== 'blocked') continue;
      await this.attach(entry.runId, entry.journalPath);
      const session = this.sessions.get(entry.runId);
      if (session) touched.push(session);
    }
    // Markers without a journal (a start that failed half-way) would make every window look here for nothing.
    for (const runId of marked) if (!readLock(this.journalDir, runId)) clearActive(this.journalDir, runId);
    return touched.map((session) => this.view(session));
  }

  /** Resolves with the final state when the run has ended here or in the process that executes it. */
  whenFinished(runId: string): Promise<RunState> {
    const session = this.sessions.get(runId);
    if (!session) {
      const state = this.state(runId);
      if (!needsProcess(state)) return Promise.resolve(state);
      return Promise.reject(new Error(`Run ${runId} is unfinished and not followed by this window; recover it first.`));
    }
    if (session.role === 'finished') return Promise.resolve(session.state);
    return new Promise((resolve) => session.waiters.push(resolve));
  }

  /** One attach per run at a time (recover and a watcher's takeover may ask together). */
  private attach(runId: string, path: string): Promise<void> {
    let attaching = this.attaching.get(runId);
    if (!attaching) {
      attaching = this.doAttach(runId, path).finally(() => this.attaching.delete(runId));
      this.attaching.set(runId, attaching);
    }
    return attaching;
  }

  private async doAttach(runId: string, path: string): Promise<void> {
    if (this.disposed) return;
    let session = this.sessions.get(runId);
    const isNew = !session;
    const acquired = RunLock.tryAcquire(this.journalDir, runId, this.owner, this.options.lock);
    if (!acquired.acquired) {
      this.watch(runId, path, acquired.heldBy);
      return;
    }
    const lock = acquired.lock;
    let state: RunState;
    try {
      state = DrRunner.inspect(path);
    } catch (error) {
      lock.release();
      throw error;
    }
    const origin = readRunOrigin(this.journalDir, runId);
    session ??= { runId, journalPath: path, role: 'blocked', state, ...(origin ? { origin } : {}), waiters: [] };
    session.state = state;
    session.heldBy = undefined;
    this.sessions.set(runId, session);
    if (isNew) this.emit(session, 'added');
    if (!needsProcess(state)) {
      lock.release();
      this.finish(session);
      return;
    }
    let deps: RunnerDeps;
    try {
      deps = await this.depsFor(origin, runId);
    } catch (error) {
      lock.release();
      session.role = 'blocked';
      session.blockedReason = (error as Error).message;
      this.log(`run ${runId} cannot continue here: ${session.blockedReason}`);
      this.emit(session, 'role');
      return;
    }
    if (this.disposed) {
      lock.release();
      return;
    }
    const runner = DrRunner.resume(deps, path);
    if (acquired.tookOverFrom) this.log(`run ${runId}: took over from ${describeHolder(acquired.tookOverFrom)}`);
    this.log(`run ${runId}: resumed from its journal (event ${runner.current.lastSeq}, ${runner.current.status})`);
    this.own(session, runner, lock, () => runner.run());
  }

  private own(session: Session, runner: DrRunner, lock: RunLock, work: () => Promise<RunState>): void {
    this.stopWatching(session);
    session.runner = runner;
    session.lock = lock;
    session.state = runner.current as RunState;
    session.role = 'owner';
    session.heldBy = undefined;
    session.blockedReason = undefined;
    session.unsubscribe = runner.onEvent((event, state) => {
      session.state = state;
      this.emit(session, 'event', event);
    });
    this.emit(session, 'role');
    session.heartbeat = setInterval(() => {
      let ours: boolean;
      try {
        ours = lock.heartbeat();
      } catch (error) {
        this.log(`run ${session.runId}: lock heartbeat failed: ${(error as Error).message}`);
        return;
      }
      if (ours) return;
      // Someone took the run over (they judged us dead): stop at once and watch instead.
      this.log(`run ${session.runId}: lost its lock; another process continues the run`);
      this.release(session, { abandon: true });
      this.watch(session.runId, session.journalPath, readLock(this.journalDir, session.runId));
    }, this.options.heartbeatMs ?? 5000);
    session.heartbeat.unref?.();
    work().then(
      (state) => {
        if (this.disposed || session.runner !== runner) return;
        session.state = state;
        this.release(session, { abandon: false });
        this.finish(session);
      },
      (error: unknown) => {
        if (this.disposed || session.runner !== runner) return;
        this.log(`run ${session.runId} stopped with an error: ${(error as Error).message}`);
        this.release(session, { abandon: false });
        session.state = DrRunner.inspect(session.journalPath);
        if (needsProcess(session.state)) {
          session.role = 'blocked';
          session.blockedReason = (error as Error).message;
          this.emit(session, 'role');
        } else {
          this.finish(session);
        }
      },
    );
  }

  /** Stops following with a local runner: abandon (no writes) or dispose a finished one; releases the lock. */
  private release(session: Session, { abandon }: { abandon: boolean }): void {
    clearInterval(session.heartbeat);
    session.heartbeat = undefined;
    session.unsubscribe?.();
    session.unsubscribe = undefined;
    const runner = session.runner;
    session.runner = undefined;
    if (runner) {
      if (abandon) runner.abandon();
      else runner.dispose();
    }
    session.lock?.release();
    session.lock = undefined;
  }

  private finish(session: Session): void {
    if (!needsProcess(session.state)) clearActive(this.journalDir, session.runId);
    session.role = 'finished';
    session.blockedReason = undefined;
    session.heldBy = undefined;
    this.stopWatching(session);
    this.emit(session, 'role');
    for (const waiter of session.waiters.splice(0)) waiter(session.state);
  }

  // ---- watching a run another process executes ----------------------------------------------------

  private watch(runId: string, path: string, heldBy: LockRecord | undefined): void {
    if (this.disposed) return;
    let session = this.sessions.get(runId);
    const isNew = !session;
    if (!session) {
      const origin = readRunOrigin(this.journalDir, runId);
      session = {
        runId,
        journalPath: path,
        role: 'watcher',
        state: DrRunner.inspect(path),
        ...(origin ? { origin } : {}),
        waiters: [],
      };
      this.sessions.set(runId, session);
    } else {
      session.state = DrRunner.inspect(path);
    }
    session.role = 'watcher';
    session.heldBy = heldBy;
    session.blockedReason = undefined;
    session.watchedSize = sizeOf(path);
    this.emit(session, isNew ? 'added' : 'role');
    if (!needsProcess(session.state) && !heldBy) return this.finish(session);
    this.stopWatching(session);
    const watched = session;
    watched.watcher = setInterval(() => this.pollWatched(watched), this.options.watchMs ?? 1000);
    watched.watcher.unref?.();
  }

  private pollWatched(session: Session): void {
    if (this.disposed || session.role !== 'watcher') return this.stopWatching(session);
    try {
      // The lock first, then the journal: a holder that released after its last write has been read in full.
      const holder = readLock(this.journalDir, session.runId);
      const free = !holder || lockStaleness(holder, this.options.lock) !== undefined;
      const size = sizeOf(session.journalPath);
      if (size !== session.watchedSize) {
        session.watchedSize = size;
        const { events } = readJournal(session.journalPath);
        for (const event of events) {
          if (event.seq <= session.state.lastSeq) continue;
          applyEvent(session.state, event);
          this.emit(session, 'event', event);
        }
      }
      // An ended run may still be wrapping up in its window (jobs completing): follow it until the lock goes.
      if (!free) return;
      this.stopWatching(session);
      if (!needsProcess(session.state)) return this.finish(session);
      void this.attach(session.runId, session.journalPath).catch((error) =>
        this.log(`run ${session.runId}: takeover failed: ${(error as Error).message}`),
      );
    } catch (error) {
      this.log(`run ${session.runId}: reading the journal failed: ${(error as Error).message}`);
    }
  }

  private stopWatching(session: Session): void {
    if (session.watcher) clearInterval(session.watcher);
    session.watcher = undefined;
  }

  // ---- controls ------------------------------------------------------------------------------------

  private runnerOf(runId: string): DrRunner {
    const session = this.sessions.get(runId);
    if (!session) throw new Error(`Run ${runId} is not followed in this window.`);
    if (session.role === 'watcher')
      throw new Error(
        `Run ${runId} is executed by another VS Code window (${describeHolder(session.heldBy)}); pause, resume, cancel or approve it there.`,
      );
    if (session.role === 'blocked')
      throw new Error(`Run ${runId} is not running here: ${session.blockedReason ?? 'blocked'}`);
    if (!session.runner) throw new Error(`Run ${runId} has ended.`);
    return session.runner;
  }

  pause(runId: string, by?: string): void {
    this.runnerOf(runId).pause(by);
  }

  /** Resumes a paused run; with `wave`, releases only that wave's pauseBeforeWave hold. */
  resume(runId: string, wave?: string, by?: string): void {
    this.runnerOf(runId).resume(wave, by);
  }

  cancel(runId: string, by?: string): void {
    this.runnerOf(runId).cancel(by);
  }

  approve(runId: string, wave: string, stepId: string, approved: boolean, by?: string, comment?: string): void {
    this.runnerOf(runId).approve(wave, stepId, approved, by, comment);
  }

  /**
   * Terminates a finished drill's recovery instances (through the runner's gateway) and follows the
   * TERMINATE jobs; the cleanup is journaled like the run, so it survives a reload too.
   */
  async cleanupDrill(runId: string): Promise<RunState> {
    this.assertOpen();
    const path = journalPathFor(this.journalDir, runId);
    const existing = this.sessions.get(runId);
    if (existing && existing.role !== 'finished' && existing.role !== 'blocked') {
      throw new Error(
        existing.role === 'watcher'
          ? `Run ${runId} is executed by another VS Code window; clean it up there once it has ended.`
          : `Wait for run ${runId} to end (or cancel it) before cleaning up.`,
      );
    }
    const state = DrRunner.inspect(path);
    if (state.mode !== 'drill')
      throw new Error('Only drills are cleaned up; the recovery instances of a recovery are the recovered workload.');
    if (!TERMINAL_RUN.includes(state.status))
      throw new Error(`Wait for run ${runId} to end (or cancel it) before cleaning up.`);
    const acquired = RunLock.tryAcquire(this.journalDir, runId, this.owner, this.options.lock);
    if (!acquired.acquired)
      throw new Error(`Run ${runId} is locked by ${describeHolder(acquired.heldBy)}; try again when it is done there.`);
    const origin = readRunOrigin(this.journalDir, runId);
    let runner: DrRunner;
    try {
      runner = DrRunner.resume(await this.depsFor(origin, runId), path);
      markActive(this.journalDir, runId); // until the TERMINATE jobs are done: a reload continues the cleanup
    } catch (error) {
      acquired.lock.release();
      throw error;
    }
    const session: Session = existing ?? {
      runId,
      journalPath: path,
      role: 'owner',
      state: runner.current as RunState,
      ...(origin ? { origin } : {}),
      waiters: [],
    };
    if (!existing) {
      this.sessions.set(runId, session);
      this.emit(session, 'added');
    }
    const done = new Promise<RunState>((resolve, reject) => {
      this.own(session, runner, acquired.lock, async () => {
        try {
          const result = await runner.cleanupDrill();
          resolve(result);
          return result;
        } catch (error) {
          reject(error);
          throw error;
        }
      });
    });
    return done;
  }

  private assertOpen(): void {
    if (this.disposed) throw new Error('The run manager was disposed.');
  }

  /**
   * Stops every local runner without writing anything and releases the locks (`keepLocks` leaves them,
   * as a crash would), so another process can continue the runs from their journals.
   */
  dispose(options: { keepLocks?: boolean } = {}): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const session of this.sessions.values()) {
      this.stopWatching(session);
      clearInterval(session.heartbeat);
      session.unsubscribe?.();
      session.runner?.abandon();
      session.runner = undefined;
      if (!options.keepLocks) session.lock?.release();
      session.lock = undefined;
    }
    this.listeners.clear();
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}

export function describeHolder(holder: LockRecord | undefined): string {
  if (!holder) return 'another process';
  return `${holder.label ?? 'process'} ${holder.pid} on ${holder.hostname}`;
}
