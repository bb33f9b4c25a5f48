import * as path from 'node:path';
import * as vscode from 'vscode';
import { linkOutsideFinding } from '../core/fsread';
import { lintersFor, lintText } from '../core/lint';
import { candidateGlob, isCandidateName } from '../core/lint/fileKinds';
import type { DiscoveredDomain, DiscoveredEndpoint } from '../core/lint/types';
import type { Finding } from '../core/finding';
import { applySeverityOverrides } from '../core/report/overrides';
import type { DiagnosticsStore } from './diagnostics';
import { blockedLink, lintHostFor, readDiskLint, readLintInput } from './lintHost';
import type { Settings } from './settings';
import { OutsideWatchers } from './outsideWatchers';
import { DiskStamps } from './diskStamps';
import { LinkedFiles } from './linkedFiles';
import { SideFileCache } from './sideFileCache';
import { cpuMs, type TypingLintTiming } from './timings';
import { CreatedFolders, EXCLUDE_GLOB } from './createdFolders';
import { plural } from '../core/wording';

/** Names the linters own (their FileKind); the scan reads only these, and each linter still decides from the text. */
export const CANDIDATE_GLOB = candidateGlob();
const MAX_FILES = 3000;
const TYPING_DEBOUNCE_MS = 300;
const WATCH_DEBOUNCE_MS = 750;
/** Commands ending in a burst (a script in the terminal) are looked after once. */
const RECHECK_DEBOUNCE_MS = 250;
/** Files linted between two yields to the event loop in a scan or a relint. */
const YIELD_EVERY = 25;
const ENV_FILE = /(^|[\\/])(\.env[^\\/]*|[^\\/]*\.env)$/;

export interface LintedFile {
  uri: vscode.Uri;
  findings: Finding[];
  endpoints: DiscoveredEndpoint[];
  /** Mail domains the file names (for the domain check). */
  domains?: DiscoveredDomain[];
}

/**
 * Lints open documents (as you type, debounced) and the workspace's candidate files (on start and when a watcher
 * sees a change, debounced), feeds the Problems panel and keeps the endpoints each file defines. Lints never open
 * a connection, so they run in untrusted workspaces too.
 */
export class LintService implements vscode.Disposable {
  private readonly files = new Map<string, LintedFile>();
  private readonly typingTimers = new Map<string, NodeJS.Timeout>();
  /** The latest as-you-type lint's times per file (numbers only), for the editor bench. */
  private readonly typingTimings = new Map<string, TypingLintTiming>();
  private watchTimer: NodeJS.Timeout | undefined;
  /** Not pushed back by later events (files are created all the time in some workspaces): at most one wait. */
  private foldersTimer: NodeJS.Timeout | undefined;
  private recheckTimer: NodeJS.Timeout | undefined;
  /** Files the watcher reported since the last debounced run; undefined after an event that needs a full scan. */
  private pendingFiles: Map<string, vscode.Uri> | undefined = new Map();
  /** Paths created since the last debounced run: new folders among them are searched for candidate files. */
  private readonly created = new CreatedFolders();
  /** The latest search of new folders (see `lintNewFolders`). */
  private folderLint: Promise<void> | undefined;
  private scanning: Promise<void> | undefined;
  private rescanRequested = false;
  /** The latest relint; an older one stops at its next yield, since the newer one covers every file again. */
  private relinting: Promise<void> | undefined;
  private relintGeneration = 0;
  /** Side files (master.cf beside main.cf, certificates, .env...) read again only when their `stat` changed. */
  private readonly sideFiles = new SideFileCache();
  /** The linted files as read from disk: a change the watchers missed is found when the window gets the focus back. */
  private readonly diskStamps = new DiskStamps();
  /** Watchers for the folders outside the workspace that side files live in, and the cache generation they follow. */
  private readonly outside: OutsideWatchers;
  private outsideGeneration = '';
  /** Disk-linted files reached through a link to a folder: watched by `outside` at the link's target. */
  private readonly linked = new LinkedFiles();
  /** The UTC hour of the last check on focus: certificate verdicts (expired, expiring soon, "in 4 days 23 h") depend on the time. */
  private checkedHour = utcHour();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the set of files, findings or endpoints changed. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly diagnostics: DiagnosticsStore,
    private readonly settings: () => Settings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher(CANDIDATE_GLOB);
    const scheduleReaders = (readers: string[]) => {
      for (const reader of readers) {
        const f = this.files.get(reader);
        if (f) this.scheduleFile(f.uri);
      }
    };
    // Any file a lint read (a certificate, a key, a map, a conf.d file read with its dovecot.conf): forget it and
    // lint its readers again, whichever watcher reports it first (the other then finds nothing left to forget).
    const onSide = (uri: vscode.Uri) => scheduleReaders(this.sideFiles.invalidate(uri.fsPath));
    const onFs = (uri: vscode.Uri) => {
      onSide(uri);
      this.scheduleFile(uri);
    };
    // A file created in or deleted from a folder a lint listed (a Dovecot `!include conf.d/*.conf`): that lint changes too.
    const onListed = (uri: vscode.Uri) => {
      onSide(uri);
      scheduleReaders(this.sideFiles.listingChanged(uri.fsPath));
    };
    const onFsListed = (uri: vscode.Uri) => {
      onListed(uri);
      this.scheduleFile(uri);
    };
    const sideWatcher = vscode.workspace.createFileSystemWatcher('**/*');
    this.outside = new OutsideWatchers((uri) => {
      onSide(uri);
      // A config in a folder the workspace links to: the workspace watcher would have reported it, had it followed the link.
      if (this.linked.hasFolder(path.dirname(uri.fsPath)) && isCandidateName(path.basename(uri.fsPath))) this.scheduleFile(uri);
    });
    // A saved (or closed) document: its readers got its open text, now the disk's.
    const onWritten = (d: vscode.TextDocument) => {
      if (d.uri.scheme === 'file') onSide(d.uri);
    };
    this.disposables.push(
      this.changed,
      watcher,
      watcher.onDidCreate(onFsListed),
      watcher.onDidChange(onFs),
      watcher.onDidDelete(onFsListed),
      sideWatcher,
      sideWatcher.onDidCreate((uri) => {
        onListed(uri);
        // A folder made with its files may come as one event, without one per file in it: search it (once per wait).
        if (uri.scheme !== 'file') return;
        this.created.add(uri.fsPath, vscode.workspace.asRelativePath(uri, false));
        if (this.created.size) this.scheduleFolders();
      }),
      sideWatcher.onDidChange(onSide),
      sideWatcher.onDidDelete((uri) => {
        onListed(uri);
        // A deleted folder may come as one event, without one per file in it: its linted files go too.
        const below = uri.fsPath.endsWith(path.sep) ? uri.fsPath : uri.fsPath + path.sep;
        for (const f of this.files.values()) if (f.uri.fsPath.startsWith(below)) this.scheduleFile(f.uri);
      }),
      vscode.workspace.onDidOpenTextDocument((d) => this.lintDocument(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.scheduleDocument(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        onWritten(d);
        this.onClosed(d);
      }),
      vscode.workspace.onDidSaveTextDocument(onWritten),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.scheduleScan()),
      this.outside,
      vscode.window.onDidChangeWindowState((s) => {
        if (s.focused) this.recheckDisk();
      }),
      // A command run in VS Code's own terminal (`postconf -e`, `git checkout`, certbot) leaves the focus in the
      // window: its end is the moment to look (with the terminal's shell integration; without it, the focus only).
      vscode.window.onDidEndTerminalShellExecution(() => {
        this.recheckTimer ??= setTimeout(() => {
          this.recheckTimer = undefined;
          this.recheckDisk();
        }, RECHECK_DEBOUNCE_MS);
      }),
    );
  }

  /**
   * Back in the window or after a command in its terminal, a renewal the watchers did not report (they miss some: a
   * folder made with its parent, a folder the workspace links to, a network file system) or a new hour still reaches
   * the Problems panel: one `stat` per kept side file, and the
   * files that read a changed one are linted again; in a new hour, every file that read one, since a certificate's
   * "expires in 4 days 23 h" is judged against the time of the lint. A linted file (not open) that changed or went
   * since its lint is linted again (or forgotten) the same way.
   */
  private recheckDisk(): void {
    const hour = utcHour();
    const readers = hour !== this.checkedHour ? this.sideFiles.readers() : this.sideFiles.stale();
    this.checkedHour = hour;
    for (const reader of [...readers, ...this.diskStamps.changed()]) {
      const f = this.files.get(reader);
      if (f) this.scheduleFile(f.uri);
    }
  }

  /** Called after lints: the outside folders to watch follow the side files kept. */
  private syncOutsideWatchers(): void {
    const generation = `${this.sideFiles.generation}:${this.linked.generation}`;
    if (generation === this.outsideGeneration) return;
    this.outsideGeneration = generation;
    this.outside.sync([...this.sideFiles.paths(), ...this.linked.values()]);
  }

  endpoints(): DiscoveredEndpoint[] {
    return [...this.files.values()].flatMap((f) => f.endpoints);
  }

  domains(): DiscoveredDomain[] {
    return [...this.files.values()].flatMap((f) => f.domains ?? []);
  }

  lintedFiles(): LintedFile[] {
    return [...this.files.values()];
  }

  /** Lints every open document and every candidate file in the workspace. Concurrent calls share one scan. */
  scanWorkspace(): Promise<void> {
    if (this.scanning) {
      this.rescanRequested = true;
      return this.scanning;
    }
    this.scanning = this.doScan().finally(() => {
      this.scanning = undefined;
      if (this.rescanRequested) {
        this.rescanRequested = false;
        this.scanInBackground();
      }
    });
    return this.scanning;
  }

  /** A scan nobody awaits: its failure goes to the output channel instead of an unhandled rejection. */
  private scanInBackground(): void {
    this.scanWorkspace().catch((err) => this.log.error(`Workspace lint failed: ${errorText(err)}`));
  }

  /** Resolves once no scan, relint or typing lint is pending: what the tests wait for. */
  async whenIdle(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      if (this.scanning) await this.scanning;
      else if (this.relinting) await this.relinting;
      else if (this.folderLint) await this.folderLint;
      else if (this.watchTimer || this.foldersTimer || this.recheckTimer || this.typingTimers.size) await new Promise((r) => setTimeout(r, 100));
      else return;
    }
  }

  lintDocument(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== 'file') return;
    this.lintText(doc.uri, doc.getText());
  }

  typingLintTiming(uri: string): TypingLintTiming | undefined {
    return this.typingTimings.get(uri);
  }

  /** Re-applies settings (severity overrides, expiry days) to everything linted so far. */
  relintAll(): Promise<void> {
    const run = this.doRelintAll(++this.relintGeneration).finally(() => {
      if (this.relinting === run) this.relinting = undefined;
    });
    this.relinting = run;
    return run;
  }

  private async doRelintAll(generation: number): Promise<void> {
    let n = 0;
    for (const f of [...this.files.values()]) {
      if (generation !== this.relintGeneration) return;
      if (!this.files.has(f.uri.toString())) continue; // forgotten while we yielded
      this.lintFromDisk(f.uri);
      if (++n % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
    }
    this.changed.fire();
  }

  private async doScan(): Promise<void> {
    const started = Date.now();
    this.sideFiles.clear();
    const uris = await vscode.workspace.findFiles(CANDIDATE_GLOB, EXCLUDE_GLOB, MAX_FILES);
    const seen = new Set<string>();
    let n = 0;
    for (const uri of uris) {
      seen.add(uri.toString());
      this.lintFromDisk(uri);
      // Yield now and then: a big workspace must not freeze the extension host.
      if (++n % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
    }
    for (const d of vscode.workspace.textDocuments) {
      if (d.uri.scheme === 'file' && !seen.has(d.uri.toString())) {
        seen.add(d.uri.toString());
        this.lintText(d.uri, d.getText(), false);
      }
    }
    for (const f of [...this.files.values()]) if (!seen.has(f.uri.toString())) this.forget(f.uri, false);
    this.log.info(
      `Linted ${plural(this.files.size, 'mail config file')} of ${plural(uris.length, 'candidate')} in ${Date.now() - started} ms; ${plural(this.endpoints().length, 'endpoint')} found.`,
    );
    this.changed.fire();
  }

  /**
   * Returns the time the core lint took (0 when no linter claims the file). `firstLine`: the file's line the text
   * starts on (a log on disk over the size bound is linted from its tail, its findings on the file's lines).
   */
  private lintText(uri: vscode.Uri, text: string, notify = true, firstLine = 0): number {
    const file = uri.fsPath;
    if (lintersFor(file, text).length === 0) {
      if (this.files.has(uri.toString())) this.forget(uri, notify);
      return 0;
    }
    const s = this.settings();
    const host = lintHostFor(uri, s.expiryWarningDays, this.sideFiles, s.postfixVersion);
    if (firstLine) host.firstLine = firstLine;
    // An open document's text never holds the byte-order mark its file starts with ("UTF-8 with BOM").
    if (vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())?.encoding === 'utf8bom') host.byteOrderMark = true;
    const coreStart = performance.now();
    const result = lintText(file, text, host);
    const coreMs = performance.now() - coreStart;
    const findings = applySeverityOverrides(result.findings, s.severityOverrides);
    this.files.set(uri.toString(), { uri, findings, endpoints: result.endpoints, domains: result.domains });
    this.diagnostics.set(`lint:${uri.toString()}`, findings, file);
    this.syncOutsideWatchers();
    if (notify) this.changed.fire();
    return coreMs;
  }

  /**
   * Lints a file as the editor sees it (open document first, then the disk), without notifying. A link out of an
   * untrusted workspace is not read: the file gets one finding saying so instead.
   */
  private lintFromDisk(uri: vscode.Uri): void {
    const open = vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());
    if (!open && blockedLink(uri.fsPath) !== undefined) {
      const finding = linkOutsideFinding(uri.fsPath);
      this.files.set(uri.toString(), { uri, findings: [finding], endpoints: [] });
      this.diagnostics.set(`lint:${uri.toString()}`, [finding], uri.fsPath);
      return;
    }
    if (!open) {
      this.diskStamps.note(uri.toString(), uri.fsPath);
      this.linked.note(uri.toString(), uri.fsPath);
    }
    const read = readLintInput(uri.fsPath);
    if (read === undefined) this.forget(uri, false);
    else this.lintText(uri, read.text, false, read.firstLine);
  }

  private forget(uri: vscode.Uri, notify = true): void {
    this.files.delete(uri.toString());
    this.diskStamps.drop(uri.toString());
    this.linked.drop(uri.toString());
    this.diagnostics.delete(`lint:${uri.toString()}`);
    if (notify) this.changed.fire();
  }

  private scheduleDocument(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== 'file') return;
    const key = doc.uri.toString();
    clearTimeout(this.typingTimers.get(key));
    const changedAt = performance.now();
    this.typingTimers.set(
      key,
      setTimeout(() => {
        const fired = performance.now();
        const cpu = cpuMs();
        this.typingTimers.delete(key);
        if (doc.isClosed) return;
        const coreLintMs = this.lintText(doc.uri, doc.getText());
        const seq = (this.typingTimings.get(key)?.seq ?? 0) + 1;
        this.typingTimings.set(key, { seq, debounceMs: fired - changedAt, workMs: performance.now() - fired, workCpuMs: cpuMs() - cpu, coreLintMs });
      }, TYPING_DEBOUNCE_MS),
    );
  }

  /**
   * A changed code or config file is linted again on its own; a changed `.env` feeds the transports of other files,
   * so it (and a burst of many changes, like a branch switch) re-scans the workspace.
   */
  private scheduleFile(uri: vscode.Uri): void {
    if (this.pendingFiles && !ENV_FILE.test(uri.fsPath) && this.pendingFiles.size < 50) {
      this.pendingFiles.set(uri.toString(), uri);
    } else {
      this.pendingFiles = undefined;
    }
    this.debounceWatch();
  }

  private scheduleScan(): void {
    this.pendingFiles = undefined;
    this.debounceWatch();
  }

  private debounceWatch(): void {
    clearTimeout(this.watchTimer);
    this.watchTimer = setTimeout(() => {
      this.watchTimer = undefined;
      const files = this.pendingFiles;
      this.pendingFiles = new Map();
      if (!files) {
        this.scanInBackground();
        return;
      }
      // Files beside a changed one may read it (master.cf reads main.cf): lint them again too.
      const dirs = new Set([...files.values()].map((u) => path.dirname(u.fsPath)));
      for (const f of this.files.values()) if (dirs.has(path.dirname(f.uri.fsPath))) files.set(f.uri.toString(), f.uri);
      for (const uri of files.values()) this.lintFromDisk(uri);
      this.changed.fire();
    }, WATCH_DEBOUNCE_MS);
  }

  private scheduleFolders(): void {
    this.foldersTimer ??= setTimeout(() => {
      this.foldersTimer = undefined;
      const folders = this.created.take();
      if (!folders) this.scanInBackground();
      else if (folders.length) this.lintNewFolders(folders);
    }, WATCH_DEBOUNCE_MS);
  }

  /** Lints the candidate files below new folders, as a scan would; a `.env` among them feeds other files: a scan. */
  private lintNewFolders(folders: string[]): void {
    const run = (async () => {
      const found = await Promise.all(
        folders.map((d) => vscode.workspace.findFiles(new vscode.RelativePattern(vscode.Uri.file(d), CANDIDATE_GLOB), EXCLUDE_GLOB, MAX_FILES)),
      );
      const uris = found.flat().slice(0, MAX_FILES);
      if (uris.some((u) => ENV_FILE.test(u.fsPath))) {
        this.scanInBackground();
        return;
      }
      let n = 0;
      for (const uri of uris) {
        this.lintFromDisk(uri);
        if (++n % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
      }
      if (uris.length) {
        this.log.info(`Linted ${plural(uris.length, 'candidate file')} in ${plural(folders.length, 'new folder')}.`);
        this.changed.fire();
      }
    })()
      .catch((err) => this.log.error(`Linting new folders failed: ${errorText(err)}`))
      .finally(() => {
        if (this.folderLint === run) this.folderLint = undefined;
      });
    this.folderLint = run;
  }

  private onClosed(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== 'file') return;
    clearTimeout(this.typingTimers.get(doc.uri.toString()));
    this.typingTimers.delete(doc.uri.toString());
    this.typingTimings.delete(doc.uri.toString());
    // Back to what is on disk (the unsaved text is gone); a file outside the workspace scan just disappears.
    this.diskStamps.note(doc.uri.toString(), doc.uri.fsPath);
    const read = readDiskLint(doc.uri.fsPath);
    const inWorkspace = vscode.workspace.getWorkspaceFolder(doc.uri) !== undefined;
    if (read !== undefined && inWorkspace) this.lintText(doc.uri, read.text, true, read.firstLine);
    else this.forget(doc.uri);
  }

  dispose(): void {
    clearTimeout(this.watchTimer);
    clearTimeout(this.foldersTimer);
    clearTimeout(this.recheckTimer);
    for (const t of this.typingTimers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}

function utcHour(): string {
  return new Date().toISOString().slice(0, 13);
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
