import data from '../../../../data/postfix-params.json';

/** The Postfix release the parameter list and defaults come from (see scripts/gen-postfix-params.mjs). */
export const PARAMS_VERSION: string = data.postfixVersion;

const defaults = data.defaults as Record<string, string | null>;
const newer = data.newerParameters as Record<string, string>;
const names = Object.keys(defaults);

/**
 * Per-transport parameters (`relay_destination_concurrency_limit`, `mysmtp_time_limit`): Postfix accepts them
 * for any master.cf service name, so an unknown prefix with one of these suffixes is never a typo.
 */
const PER_TRANSPORT_SUFFIXES = [
  '_delivery_slot_cost', '_delivery_slot_discount', '_delivery_slot_loan', '_destination_concurrency_failed_cohort_limit',
  '_destination_concurrency_limit', '_destination_concurrency_negative_feedback', '_destination_concurrency_positive_feedback',
  '_destination_rate_delay', '_destination_recipient_limit', '_extra_recipient_limit', '_initial_destination_concurrency',
  '_minimum_delivery_slots', '_recipient_limit', '_recipient_refill_delay', '_recipient_refill_limit', '_transport_rate_delay',
  '_time_limit',
];

export function isKnownParameter(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(defaults, name) || Object.prototype.hasOwnProperty.call(newer, name) ||
    PER_TRANSPORT_SUFFIXES.some((s) => name.endsWith(s) && name.length > s.length);
}

/** Postfix's default, `null` when it depends on the machine (myhostname...), undefined for unknown names. */
export function postfixDefault(name: string): string | null | undefined {
  return Object.prototype.hasOwnProperty.call(defaults, name) ? defaults[name] : undefined;
}

/** The closest real parameter name within a small edit distance, for "did you mean". */
export function suggestParameter(name: string): string | undefined {
  if (name.length < 4 || name.length > 80) return undefined;
  const max = name.length < 10 ? 1 : 2;
  let best: string | undefined;
  let bestD = max + 1;
  for (const n of names) {
    if (Math.abs(n.length - name.length) > max) continue;
    const d = distance(name, n, bestD);
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  return best;
}

/** Damerau-Levenshtein (adjacent swaps count 1), abandoned once every cell exceeds `cap`. */
function distance(a: string, b: string, cap: number): number {
  const m = a.length;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = new Array<number>(n + 1);
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin >= cap) return cap;
    prev2 = prev;
    prev = cur;
  }
  return prev[n];
}
