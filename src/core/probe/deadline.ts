/**
 * A timer for "the server did not answer in time" that does not blame the server for our own stalls.
 *
 * Node runs due timers before it polls for I/O in each turn of the event loop. When this process could not run
 * for a while (a loaded machine, an editor host busy with another extension, a synchronous child-process start
 * in the same process: libuv waits until the child has called exec), the timer and the answer that came in the
 * meantime are both due in the same turn, and the timer wins: a connection the kernel completed, or a reply
 * sitting in the socket, was reported as a timeout. So a timer that fires more than STALL_MS late is re-armed
 * for as long as it was late: the answers that came during the stall are read first. Extensions are bounded by
 * the timeout itself (so nothing waits more than twice its timeout), and a timer that fires on time expires at
 * once: an unloaded process behaves exactly as a plain setTimeout.
 */

/** Monotonic milliseconds. Not `performance.now()`: the first use of `performance` loads perf_hooks (ten modules). */
const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Lateness below this is ordinary timer jitter, not a stall. */
export const STALL_MS = 20;

/** Calls `onExpire` after `ms` of time in which this process could have seen an answer; returns the cancel function. */
export function deadline(ms: number, onExpire: () => void): () => void {
  let due = nowMs() + ms;
  let granted = 0;
  let timer: NodeJS.Timeout;
  const fire = () => {
    const now = nowMs();
    const late = now - due;
    if (late > STALL_MS && granted < ms) {
      const extra = Math.min(late, ms - granted);
      granted += extra;
      due = now + extra;
      timer = setTimeout(fire, extra);
      return;
    }
    onExpire();
  };
  timer = setTimeout(fire, ms);
  return () => clearTimeout(timer);
}
