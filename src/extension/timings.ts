/**
 * The extension's own times, for the editor bench (bench/editor.bench.ts reads them through the API): how long
 * `activate()` itself ran, and for the latest as-you-type lint of each file, how long it waited for the typing
 * debounce and how long the lint and the diagnostics then took. Only numbers: no text of the file is kept.
 */
export interface TypingLintTiming {
  /** Counts up with every as-you-type lint of the file, so a reader can wait for the next one. */
  seq: number;
  /** From the last change event to the debounce timer firing (the debounce plus the event loop's lateness). */
  debounceMs: number;
  /** The extension's own work after the timer: choosing the linters, the core lint, overrides, diagnostics. */
  workMs: number;
  /** The process's CPU time during that work: on a loaded machine the wall time includes waiting for a core. */
  workCpuMs: number;
  /** Of `workMs`, the core `lintText` call alone. */
  coreLintMs: number;
}

/** What activation measures of itself (src/extension/activate.ts). */
export interface ActivationTimings {
  /** Evaluation of the bundle's modules on load, before the host calls `activate()` (src/extension/loadClock.ts). */
  loadMs: number;
  loadCpuMs: number;
  /** Wall time of `activate()` from its first line to its return (startup work runs after it). */
  activateMs: number;
  /** The process's CPU time during `activate()`. */
  activateCpuMs: number;
  /** Loading the editor part (dist/ext-editor.js: lints, diagnostics, the tree's content, the commands' work), once. */
  editorLoad?: { ms: number; cpuMs: number };
  /** From the start of `activate()` to the end of the startup work (the workspace's first lint), once it ended. */
  startedMs?: number;
}

export interface ExtensionTimings extends ActivationTimings {
  typingLint(uri: string): TypingLintTiming | undefined;
  /** The parts of the engine loaded on first use so far (src/extension/engineParts.ts), with their load times. */
  partLoads: readonly { part: string; ms: number; cpuMs: number }[];
}

/** This process's CPU time so far (user + system), in milliseconds. */
export function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}
