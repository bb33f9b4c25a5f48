/** Small helpers shared by the benchmarks. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export async function timeIt(fn: () => Promise<unknown> | unknown, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

/**
 * Times several functions in turns, so that each sees the same load: on a shared machine the load drifts, and
 * timing one after the other would put that drift into their ratio. Every other turn runs them in reverse order
 * (a, b, c, c, b, a...): in a fixed order the one that always comes first (after the build, after the previous
 * turn's last process exits) carries that position's cost into the ratio.
 */
export async function timeInTurns(fns: Array<() => Promise<unknown> | unknown>, runs: number): Promise<number[][]> {
  const out: number[][] = fns.map(() => []);
  const order = fns.map((_, j) => j);
  for (let i = 0; i < runs; i++) {
    for (const j of i % 2 ? [...order].reverse() : order) {
      const fn = fns[j];
      const t = process.hrtime.bigint();
      await fn();
      out[j].push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  return out;
}

export const ms = (x: number) => `${x.toFixed(1)} ms`;
export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
