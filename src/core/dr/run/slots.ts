import type { DrsLimits } from '../model';

/** Limits our own DRS jobs to the concurrent-job and active-server limits. */
export class JobSlots {
  private jobs = 0;
  private servers = 0;
  private readonly queue: { servers: number; resolve: () => void }[] = [];

  constructor(private readonly limits: DrsLimits) {}

  acquire(servers: number): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = (): void => {
        this.jobs += 1;
        this.servers += servers;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.jobs -= 1;
          this.servers -= servers;
          this.drain();
        });
      };
      this.queue.push({ servers, resolve: grant });
      this.drain();
    });
  }

  private drain(): void {
    while (this.queue.length) {
      const next = this.queue[0];
      const fits =
        this.jobs < this.limits.maxConcurrentJobs &&
        (this.servers + next.servers <= this.limits.maxServersInActiveJobs || this.jobs === 0);
      if (!fits) return;
      this.queue.shift();
      next.resolve();
    }
  }
}
