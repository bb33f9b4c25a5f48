/** Counts the runs in flight, so callers (the API's whenIdle, tests) can wait until none is left. */
export class IdleTracker {
  private running = 0;
  private waiters: (() => void)[] = [];

  get busy(): boolean {
    return this.running > 0;
  }

  whenIdle(): Promise<void> {
    return this.running === 0 ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }

  /** One more run in flight; call what it returns once when the run ends (the last one releases every waiter). */
  start(): () => void {
    this.running++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.running === 0) for (const w of this.waiters.splice(0)) w();
    };
  }
}
