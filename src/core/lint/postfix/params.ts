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
  '_delivery_slot_cost',
  '_delivery_slot_discount',
  '_delivery_slot_loan',
  '_destination_concurrency_failed_cohort_limit',
  '_destination_concurrency_limit',
  '_destination_concurrency_negative_feedback',
  '_destination_concurrency_positive_feedback',
  '_destination_rate_delay',
  '_destination_recipient_limit',
  '_extra_recipient_limit',
  '_initial_destination_concurrency',
  '_minimum_delivery_slots',
  '_recipient_limit',
  '_recipient_refill_delay',
  '_recipient_refill_limit',
  '_transport_rate_delay',
  '_time_limit',
];

export function isKnownParameter(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(defaults, name) || Object.prototype.hasOwnProperty.call(newer, name) || hasTransportSuffix(name);
}

/** PER_TRANSPORT_SUFFIXES.some((s) => name.endsWith(s) && name.length > s.length), without a closure per call. */
function hasTransportSuffix(name: string): boolean {
  for (let i = 0; i < PER_TRANSPORT_SUFFIXES.length; i++) {
    const s = PER_TRANSPORT_SUFFIXES[i];
    if (name.length > s.length && name.endsWith(s)) return true;
  }
  return false;
}

/** Known names by nameHash (see knownNameAt); made on the first call. */
let knownByHash: Map<number, string | string[]> | undefined;

/**
 * A hash of text[start, end) from its length and six of its characters (spread over it: the names share
 * prefixes and suffixes), cheaper than one over every character; the 1,056 known names fall into 1,004 buckets.
 */
function nameHash(text: string, start: number, end: number): number {
  const n = end - start;
  let h = n;
  h = Math.imul(h ^ text.charCodeAt(start), 0x01000193);
  h = Math.imul(h ^ text.charCodeAt(start + (n >> 2)), 0x01000193);
  h = Math.imul(h ^ text.charCodeAt(start + (n >> 1)), 0x01000193);
  h = Math.imul(h ^ text.charCodeAt(start + ((3 * n) >> 2)), 0x01000193);
  h = Math.imul(h ^ text.charCodeAt(start + Math.max(0, n - 2)), 0x01000193);
  return Math.imul(h ^ text.charCodeAt(end - 1), 0x01000193);
}

/**
 * The known parameter name that text[start, end) spells, as the table's own string, else undefined: a parser
 * keeps it instead of a slice of the line, so a setting of a known name (nearly all of them) makes no string.
 */
export function knownNameAt(text: string, start: number, end: number): string | undefined {
  if (!knownByHash) {
    knownByHash = new Map();
    for (const n of [...names, ...Object.keys(newer)]) {
      const h = nameHash(n, 0, n.length);
      const had = knownByHash.get(h);
      knownByHash.set(h, had === undefined ? n : typeof had === 'string' ? [had, n] : [...had, n]);
    }
  }
  if (end <= start) return undefined;
  const found = knownByHash.get(nameHash(text, start, end));
  if (found === undefined) return undefined;
  const len = end - start;
  if (typeof found === 'string') return found.length === len && text.startsWith(found, start) ? found : undefined;
  for (const n of found) if (n.length === len && text.startsWith(n, start)) return n;
  return undefined;
}

/** Postfix's default, `null` when it depends on the machine (myhostname...), undefined for unknown names. */
export function postfixDefault(name: string): string | null | undefined {
  return Object.prototype.hasOwnProperty.call(defaults, name) ? defaults[name] : undefined;
}

/** Known names by length: a suggestion is at most 2 edits away, so only 5 lengths are ever compared. */
const namesByLength = new Map<number, Array<{ name: string; counts: Uint8Array }>>();
for (const n of names) {
  const entry = { name: n, counts: letterCounts(n) };
  const list = namesByLength.get(n.length);
  if (list) list.push(entry);
  else namesByLength.set(n.length, [entry]);
}

/** How often each character occurs (letters, digits and `_` apart; anything else shares one bucket). */
function letterCounts(s: string): Uint8Array {
  const c = new Uint8Array(38);
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    const k = ch >= 97 && ch <= 122 ? ch - 97 : ch >= 48 && ch <= 57 ? ch - 22 : ch === 95 ? 36 : 37;
    if (c[k] < 255) c[k]++;
  }
  return c;
}

/**
 * A lower bound of the edit distance: one edit changes the character counts by at most 2 in total (a
 * substitution), an insertion or deletion by 1, a swap by 0. Far cheaper than the distance itself.
 */
function countsBound(a: Uint8Array, b: Uint8Array, stopAt: number): number {
  // Stops once the bound reaches stopAt: the caller only asks whether it is below that.
  const stopDiff = 2 * stopAt - 1;
  let diff = 0;
  for (let k = 0; k < 38; k++) {
    diff += Math.abs(a[k] - b[k]);
    if (diff >= stopDiff) return stopAt;
  }
  return Math.ceil(diff / 2);
}

/**
 * suggestParameter's answers by name: the answer depends on the name and the shipped list alone, and an editor lints
 * a file again on every keystroke, asking again for each unknown name it sets (83 in the editor bench's stress file,
 * about a third of its re-lint in plain Node). Bounded: emptied once it holds MAX_REMEMBERED names.
 */
const remembered = new Map<string, string | undefined>();
const MAX_REMEMBERED = 4096;

/** The closest real parameter name within a small edit distance, for "did you mean". */
export function suggestParameter(name: string): string | undefined {
  if (name.length < 4 || name.length > 80) return undefined;
  if (remembered.has(name)) return remembered.get(name);
  if (remembered.size >= MAX_REMEMBERED) remembered.clear();
  const best = closestParameter(name);
  // A copy as the key: the name is usually a slice of the linted text, which it would keep alive.
  remembered.set((name + ' ').slice(0, -1), best);
  return best;
}

function closestParameter(name: string): string | undefined {
  const max = name.length < 10 ? 1 : 2;
  let best: string | undefined;
  let bestD = max + 1;
  const counts = letterCounts(name);
  // Nearest lengths first, so an exact-length match tightens the cap before the farther lengths are tried.
  for (const delta of [0, -1, 1, -2, 2]) {
    if (Math.abs(delta) > max) continue;
    for (const n of namesByLength.get(name.length + delta) ?? []) {
      if (countsBound(counts, n.counts, bestD) >= bestD) continue;
      const d = distance(name, n.name, bestD);
      if (d < bestD) {
        bestD = d;
        best = n.name;
      }
    }
  }
  return best;
}

// Three reusable rows: the search runs for every unknown name of a large file, and fresh arrays per pair
// made it mostly garbage collection. Names are at most 80 characters long (checked above) plus 2 edits.
const ROW = 84;
let rowPrev2 = new Int32Array(ROW);
let rowPrev = new Int32Array(ROW);
let rowCur = new Int32Array(ROW);

/** Damerau-Levenshtein (adjacent swaps count 1), abandoned once every cell reaches `cap`. */
function distance(a: string, b: string, cap: number): number {
  const m = a.length;
  const n = b.length;
  for (let j = 0; j <= n; j++) {
    rowPrev[j] = j;
    rowPrev2[j] = 0;
  }
  for (let i = 1; i <= m; i++) {
    const cur = rowCur;
    cur[0] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const bj = b.charCodeAt(j - 1);
      const cost = ai === bj ? 0 : 1;
      let v = Math.min(rowPrev[j] + 1, cur[j - 1] + 1, rowPrev[j - 1] + cost);
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) v = Math.min(v, rowPrev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin >= cap) return cap;
    rowCur = rowPrev2;
    rowPrev2 = rowPrev;
    rowPrev = cur;
  }
  return rowPrev[n];
}
