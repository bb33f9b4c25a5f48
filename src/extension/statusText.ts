/** What the main status bar item counts: endpoints the workspace names, probe results and their verdicts. */
export interface StatusCounts {
  probing: boolean;
  endpoints: number;
  results: number;
  fail: number;
  warn: number;
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The main status bar item's text and tooltip (no editor API, so unit-tested). */
export function statusText(c: StatusCounts): { text: string; tooltip: string } {
  const text = c.probing
    ? '$(loading~spin) Mail TLS: probing'
    : c.results
      ? c.fail
        ? `$(error) Mail TLS: ${c.fail} failing`
        : c.warn
          ? `$(warning) Mail TLS: ${c.warn} with warnings`
          : `$(pass) Mail TLS: ${c.results} OK`
      : `$(mail) Mail TLS: ${count(c.endpoints, 'endpoint')}`;
  const tooltip = `Mail TLS Doctor: ${count(c.endpoints, 'endpoint')} found, ${count(c.results, 'probe result')} (${c.fail} failing, ${c.warn} with warnings). Click to open the view.`;
  return { text, tooltip };
}
