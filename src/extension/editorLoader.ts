/**
 * Loads the editor part (src/extension/editor.ts; dist/ext-editor.js in the build, scripts/build.mjs) once, on
 * first use, and times it for the editor bench. From the TypeScript sources (tsx) it is a plain require.
 */
import type * as vscode from 'vscode';
import type * as EditorPart from './editor';
import type { ActivationTimings } from './timings';
import { cpuMs } from './timings';

export type Editor = EditorPart.Editor;

export class EditorLoader {
  private editor: Editor | undefined;
  private loading = false;
  private times: { ms: number; cpuMs: number } | undefined;

  /** `onLoad` connects the registrations made on activation to the loaded part (their events). */
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly view: vscode.TreeView<unknown>,
    private readonly started: Promise<void>,
    private readonly activation: () => ActivationTimings,
    private readonly onLoad: (editor: Editor) => void,
  ) {}

  /** The part if it is loaded; nothing is loaded by asking. */
  get loaded(): Editor | undefined {
    return this.editor;
  }

  get loadTimes(): { ms: number; cpuMs: number } | undefined {
    return this.times;
  }

  /** The part, loaded now if it is not yet. */
  get(): Editor {
    if (this.editor) return this.editor;
    // Building the part registers nothing that calls back into this synchronously; if it did, that is a bug.
    if (this.loading) throw new Error('the editor part was asked for while it was being loaded');
    this.loading = true;
    try {
      const start = performance.now();
      const cpu = cpuMs();
      const part = require('./editor') as typeof EditorPart;
      const editor = part.load(this.context, this.view, this.started, this.activation);
      this.times = { ms: performance.now() - start, cpuMs: cpuMs() - cpu };
      this.editor = editor;
      this.onLoad(editor);
      return editor;
    } finally {
      this.loading = false;
    }
  }
}
