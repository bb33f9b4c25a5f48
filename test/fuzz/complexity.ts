/**
 * A complexity check, not a speed limit: the same pathological input at size n and 4n, timed in the same process
 * moments apart. Linear work grows about 4x, quadratic 16x, a catastrophic regular expression far more; the
 * bound sits between linear and quadratic with room for noise. Inputs too fast to time at any size pass.
 */

/** Pathological inputs by format family, each a function of a size in characters (roughly). */
export const PATHOLOGICAL: Readonly<Record<string, ReadonlyArray<[string, (n: number) => string]>>> = {
  common: [
    ['one long word', (n) => 'a'.repeat(n)],
    ['spaces then a word', (n) => `${' '.repeat(n)}x`],
    ['tabs and spaces', (n) => ' \t'.repeat(n >> 1)],
    ['equals signs', (n) => '='.repeat(n)],
    ['quotes', (n) => '"'.repeat(n)],
    ['backslashes', (n) => '\\'.repeat(n)],
    ['open brackets', (n) => '['.repeat(n)],
    ['open braces', (n) => '{'.repeat(n)],
    ['open parentheses', (n) => '('.repeat(n)],
    ['empty lines', (n) => '\n'.repeat(n)],
    ['CRs', (n) => '\r'.repeat(n)],
    ['hashes', (n) => '#'.repeat(n)],
    ['dollar braces', (n) => '${'.repeat(n >> 1)],
    ['comma space', (n) => ', '.repeat(n >> 1)],
    ['dots', (n) => 'a.'.repeat(n >> 1)],
    ['colons', (n) => 'a:'.repeat(n >> 1)],
    ['short lines', (n) => 'a=b\n'.repeat(n >> 2)],
  ],
  'postfix-main': [
    ['continuation lines', (n) => `smtpd_tls_protocols = !SSLv2${'\n  ,!SSLv3'.repeat(n / 10)}`],
    ['long value', (n) => `relayhost = ${'x'.repeat(n)}`],
    ['bracketed host', (n) => `relayhost = [${'a.'.repeat(n >> 1)}`],
    ['many lookup tables', (n) => `smtp_tls_policy_maps = ${'hash:/etc/p, '.repeat(n / 13)}`],
    ['variable chain', (n) => Array.from({ length: n >> 5 }, (_, i) => `v${i} = $v${i + 1}\n`).join('')],
    ['repeated parameter', (n) => 'smtp_tls_security_level = may\n'.repeat(n / 30)],
    ['protocol list', (n) => `smtp_tls_protocols = ${'!TLSv1 '.repeat(n / 7)}`],
  ],
  'postfix-master': [
    ['many -o', (n) => `submission inet n - y - - smtpd${'\n  -o smtpd_tls_security_level=encrypt'.repeat(n / 40)}`],
    ['many services', (n) => 'smtps inet n - y - - smtpd\n  -o smtpd_tls_wrappermode=yes\n'.repeat(n / 55)],
    ['long argument', (n) => `smtp inet n - y - - smtpd -o x=${'y'.repeat(n)}`],
    ['brace argument', (n) => `smtp inet n - y - - smtpd { ${'-o a=b '.repeat(n / 8)}`],
  ],
  dotenv: [
    ['unterminated quote', (n) => `SMTP_PASS="${'x'.repeat(n)}`],
    ['escapes', (n) => `SMTP_PASS="${'\\"'.repeat(n >> 1)}`],
    ['many exports', (n) => `${'export '.repeat(n / 7)}A=1`],
    ['many entries', (n) => Array.from({ length: n >> 4 }, (_, i) => `SMTP_HOST_${i}=h${i}.test\n`).join('')],
    ['url with many at signs', (n) => `MAIL_URL=smtps://${'u@'.repeat(n >> 1)}h:465`],
    ['interpolation', (n) => `A=${'${A}'.repeat(n / 4)}`],
  ],
  nodemailer: [
    ['many transports', (n) => "nodemailer.createTransport({ host: 'h.test', port: 465, secure: false });\n".repeat(n / 70)],
    ['deep nesting', (n) => `nodemailer.createTransport(${'{a:'.repeat(n / 3)}`],
    ['long string', (n) => `nodemailer.createTransport({ host: '${'a'.repeat(n)}' })`],
    ['unterminated template', (n) => `nodemailer.createTransport({ host: \`${'${x}'.repeat(n / 4)}`],
    ['many properties', (n) => `nodemailer.createTransport({ ${'secure: true, '.repeat(n / 14)} })`],
    ['unterminated comment', (n) => `nodemailer.createTransport({ /*${'*'.repeat(n)}`],
    ['missing commas', (n) => `nodemailer.createTransport({ ${'a: 1\n'.repeat(n / 5)} })`],
    ['env chain', (n) => `nodemailer.createTransport({ host: ${'process.env.A || '.repeat(n / 18)}'h.test' })`],
  ],
  maillog: [
    ['one long line', (n) => `Nov 28 05:00:01 mx postfix/smtp[1]: ${'x'.repeat(n)}`],
    [
      'many failures',
      (n) =>
        'Nov 28 05:00:01 mx postfix/smtp[1]: 4AB: to=<a@b.test>, relay=h.test[192.0.2.1]:25, status=deferred (TLS is required, but was not offered by host h.test[192.0.2.1])\n'.repeat(
          n / 150,
        ),
    ],
    ['nested parentheses', (n) => `Nov 28 05:00:01 mx postfix/smtp[1]: status=deferred ${'('.repeat(n)}`],
    ['many brackets', (n) => `Nov 28 05:00:01 mx postfix/smtp[1]: relay=${'h['.repeat(n >> 1)}`],
    ['ssl routines', (n) => `Nov 28 05:00:01 mx postfix/smtp[1]: warning: TLS library problem: ${'error:0A000086:SSL routines::'.repeat(n / 30)}`],
    [
      'many distinct hosts',
      (n) =>
        Array.from(
          { length: n / 120 },
          (_, i) => `Nov 28 05:00:01 mx postfix/smtp[1]: Untrusted TLS connection established to h${i}.test[192.0.2.1]:25: TLSv1.2\n`,
        ).join(''),
    ],
  ],
};

/** The common inputs the bounded pass (npm test) keeps; the long pass (npm run fuzz) tries them all. */
const BOUNDED_COMMON = new Set(['one long word', 'quotes', 'backslashes', 'open braces', 'short lines']);

/** The pathological inputs that fit a format (its own plus the common ones; a subset of those when bounded). */
export function pathologicalFor(formatName: string, bounded = false): Array<[string, (n: number) => string]> {
  const family = formatName.startsWith('nodemailer') ? 'nodemailer' : formatName;
  const common = bounded ? PATHOLOGICAL.common.filter(([name]) => BOUNDED_COMMON.has(name)) : PATHOLOGICAL.common;
  return [...common, ...(PATHOLOGICAL[family] ?? [])];
}

/** Sizes and repetitions: small for the bounded pass, larger for `npm run fuzz`. */
export function growthOptions(long: boolean): GrowthOptions {
  return long ? { from: 2048, upTo: 1 << 15, runs: 3 } : { from: 2048, upTo: 8192, runs: 3 };
}

/**
 * CPU time, not wall time: on a loaded 2-core machine a wall clock mostly measures the scheduler. The best of
 * several runs drops the ones a compile or a stray collection landed in.
 *
 * Exact in the process test/fuzz/growth.ts starts, with V8's --single-threaded (no background compiler or
 * collector thread adds to the process's CPU time) and a young generation larger than any run allocates, emptied
 * before each run: no collection falls inside a timed run. Otherwise a linter that keeps a finding per line pays
 * for copying them once its allocation outgrows the young generation, a jump in cost per line that comes once,
 * at a size that moves with the heap the process already has, and reads as quadratic there.
 */
function minTime(fn: () => void, runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    emptyYoungGeneration();
    const t = process.cpuUsage();
    fn();
    const d = process.cpuUsage(t);
    best = Math.min(best, (d.user + d.system) / 1000);
  }
  return best;
}

/** A scavenge, where the process exposes the collector (--expose-gc); nothing otherwise. */
function emptyYoungGeneration(): void {
  const gc = (globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc;
  gc?.({ type: 'minor' });
}

export interface Growth {
  n: number;
  small: number;
  large: number;
  ratio: number;
}

export interface GrowthOptions {
  /** Start size (characters). */
  from?: number;
  /** Largest n tried before giving up on making the input slow enough to time. */
  upTo?: number;
  /** Timings below this (ms) are noise: the size grows until the small run reaches it. */
  floorMs?: number;
  runs?: number;
}

/**
 * Times `run(make(n))` against `run(make(4n))`, growing n until the small input is slow enough to time. Both
 * inputs run once untimed first, so the JIT has compiled the hot paths before either is timed (a cold small run
 * against a hot large one flatters the ratio; the reverse condemns a linear parser). A ratio over the bound is
 * measured once more at the next size (a GC pause can double one timing; a quadratic parser fails both times),
 * and the better of the two counts.
 */
export function measureGrowth(make: (n: number) => string, run: (text: string) => void, opts: GrowthOptions = {}): Growth {
  const { from = 2048, upTo = 8192, floorMs = 4, runs = 3 } = opts;
  const pair = (size: number, times: number) => {
    const small = make(size);
    const large = make(4 * size);
    run(large);
    run(small);
    return { small: minTime(() => run(small), times), large: minTime(() => run(large), times) };
  };
  let n = from;
  let t = pair(n, runs);
  while (t.small < floorMs && n < upTo) {
    n *= 4;
    t = pair(n, runs);
  }
  let best = { n, ...t, ratio: t.large / Math.max(t.small, 0.05) };
  // Once more one size up, and again (4n against 16n, then 16n against 64n): a quadratic parser stays near 16x
  // at every size, while the garbage collector's cost jumps once, at the size where a parser's many small objects
  // start to survive, and then flattens out. Where that jump falls depends on the heap the process already has
  // (alone, 'short lines' of main.cf jumped between 8,192 and 32,768 lines; after the unit suite's other tests,
  // one step lower), so one step up can land on it; two cannot both. The second step only while the larger
  // input of the first took under SECOND_STEP_MS: a truly quadratic input would take 16x that again.
  let last = best;
  for (let step = 1; step <= 2 && growthProblem(best) !== undefined && (step === 1 || last.large < SECOND_STEP_MS); step++) {
    const size = 4 ** step * n;
    const again = pair(size, runs);
    last = { n: size, ...again, ratio: again.large / Math.max(again.small, 0.05) };
    if (last.ratio < best.ratio) best = last;
  }
  return best;
}

/** Linear is ~4, quadratic ~16: fail above this. */
export const MAX_GROWTH_RATIO = 10;
/** The slowest larger input after which measureGrowth still tries one more size (see there). */
const SECOND_STEP_MS = 200;
/** Below this (ms of CPU) for the 4n input, growth cannot matter in practice, whatever the ratio. */
export const NEGLIGIBLE_MS = 20;

export function growthProblem(g: Growth): string | undefined {
  if (g.large < NEGLIGIBLE_MS || g.ratio <= MAX_GROWTH_RATIO) return undefined;
  return `n=${g.n}: ${g.small.toFixed(2)} ms, 4n: ${g.large.toFixed(2)} ms (x${g.ratio.toFixed(1)}, linear would be ~4)`;
}
