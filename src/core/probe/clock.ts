/**
 * Exim and Sendmail put the server's date in the SMTP banner (RFC 5322 form). Compared with our clock, it
 * shows a skewed clock on either side, the usual reason a fresh certificate looks "not yet valid".
 */
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const ZONES: Record<string, number> = { UT: 0, UTC: 0, GMT: 0, Z: 0, EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420 };

const DATE =
  /(?:\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\s+)?\b(\d{1,2})\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\s+(\d{4}|\d{2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{4}|UTC|UT|GMT|Z|[ECMP][SD]T)\b/i;

const HOUR_MINUTE = /\d:\d\d/;

/** The date a greeting carries, or undefined when it has none with a usable time zone. */
export function dateInGreeting(text: string): Date | undefined {
  // Most greetings (Postfix, Dovecot) carry no time of day: a small pattern says so before the large one, whose
  // compilation on first use was the costliest part of reading a greeting (about 1 ms, while the next connection
  // waits for it).
  if (!HOUR_MINUTE.test(text)) return undefined;
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [, d, mon, y, hh, mm, ss, zone] = m;
  let year = Number(y);
  if (y.length === 2) year += year < 50 ? 2000 : 1900;
  const month = MONTHS.indexOf(mon.slice(0, 3).toLowerCase());
  const offsetMin = /^[+-]/.test(zone) ? (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) : ZONES[zone.toUpperCase()];
  if (offsetMin === undefined || Number(hh) > 23 || Number(mm) > 59 || Number(ss ?? 0) > 60 || Number(d) < 1 || Number(d) > 31) return undefined;
  const utc = Date.UTC(year, month, Number(d), Number(hh), Number(mm), Number(ss ?? 0)) - offsetMin * 60_000;
  return Number.isFinite(utc) ? new Date(utc) : undefined;
}

export const CLOCK_SKEW_LIMIT_MS = 5 * 60_000;

/** Signed offset of the server's clock against ours (positive: the server is ahead), when it exceeds the limit. */
export function clockSkew(greeting: string, receivedAt: Date): number | undefined {
  const d = dateInGreeting(greeting);
  if (!d) return undefined;
  const skew = d.getTime() - receivedAt.getTime();
  return Math.abs(skew) > CLOCK_SKEW_LIMIT_MS ? skew : undefined;
}
