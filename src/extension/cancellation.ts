import type * as vscode from 'vscode';

/**
 * One AbortController for every token that may cancel a run: the Cancel button and a caller's token take the
 * same path to the run's signal, so what a test proves with its token holds for the button.
 */
export function abortOnCancel(tokens: readonly vscode.CancellationToken[]): { signal: AbortSignal; dispose(): void } {
  const abort = new AbortController();
  const subs = tokens.map((t) => t.onCancellationRequested(() => abort.abort()));
  if (tokens.some((t) => t.isCancellationRequested)) abort.abort();
  return { signal: abort.signal, dispose: () => subs.forEach((sub) => sub.dispose()) };
}

/** Command arguments can come from anywhere: anything that is not a token is ignored rather than crashing the run. */
export function asCancellationToken(t: unknown): vscode.CancellationToken | undefined {
  const c = t as Partial<vscode.CancellationToken> | undefined;
  return typeof c?.onCancellationRequested === 'function' && typeof c.isCancellationRequested === 'boolean' ? (c as vscode.CancellationToken) : undefined;
}
