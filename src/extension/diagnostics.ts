import * as vscode from 'vscode';
import type { Finding, Range, Severity } from '../core/finding';
import { findingDocUri } from './findingDocs';
import { DIAGNOSTIC_SOURCE } from './ids';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function toRange(r: Range | undefined): vscode.Range {
  if (!r) return new vscode.Range(0, 0, 0, 0);
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

/** A diagnostic's message: the finding's title and its fix. */
function messageOf(title: string, fix: string): string {
  return `${title} ${fix ? `Fix: ${fix}` : ''}`.trim();
}

/**
 * The message of each title, made once per title and fix within one refresh: findings of one kind share their
 * texts (a file that sets parameters again and again has hundreds of findings with a few titles), and each message
 * is a copy of both texts.
 */
class MessageMemo {
  private readonly byTitle = new Map<string, { fix: string; message: string }>();

  of(title: string, fix: string): string {
    const hit = this.byTitle.get(title);
    if (hit && hit.fix === fix) return hit.message;
    const message = messageOf(title, fix);
    this.byTitle.set(title, { fix, message });
    return message;
  }
}

/**
 * A file's diagnostics go out in parts by line (PART_LINES lines each, the last part takes the rest), one
 * DiagnosticCollection per part: `DiagnosticCollection.set(uri, list)` converts and sends the whole list to the
 * window, so a keystroke in a file with hundreds of findings re-sent all of them (665 in the editor bench's
 * stress file: about 14 ms of the extension host's CPU). Now a refresh sends only the parts whose list changed or
 * whose diagnostics an edit since their last send may have moved (see `moves`), so no squiggle is ever left where
 * an edit moved it: the window re-creates the squiggles of the parts it receives and leaves the others alone.
 */
const PART_LINES = 64;
const PARTS = 32;
/**
 * VS Code keeps at most 1,000 diagnostics per file and collection (the rest become one "N more" entry): a file
 * with more goes out whole in the first collection, so that what it shows does not depend on the parts.
 */
const MAX_PER_COLLECTION = 1000;

function partOf(f: Finding): number {
  return Math.min(PARTS - 1, Math.floor((f.range?.start.line ?? 0) / PART_LINES));
}

/** What a diagnostic shows, compared: message (title, fix), severity, range, code (the id and its link), related places. */
function sameShown(a: Finding, b: Finding): boolean {
  if (a.id !== b.id || a.severity !== b.severity || a.title !== b.title || a.fix !== b.fix || !sameRange(a.range, b.range)) return false;
  const ra = a.related ?? [];
  const rb = b.related ?? [];
  if (ra.length !== rb.length) return false;
  for (let i = 0; i < ra.length; i++) if (ra[i].file !== rb[i].file || ra[i].message !== rb[i].message || !sameRange(ra[i].range, rb[i].range)) return false;
  return true;
}

function sameRange(a: Range | undefined, b: Range | undefined): boolean {
  if (!a || !b) return a === b;
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/**
 * Whether an edit can have moved a squiggle at `r` (both in the document before the edit): VS Code's decorations
 * move with the text, so an edit moves those on its lines at or after its start, and, when it changes the line
 * count, everything after it. The window draws an empty range over the word around it, so an empty range counts
 * to the end of its line. Erring towards "moved" only costs a send.
 */
export function moves(change: { range: vscode.Range; text: string }, r: vscode.Range): boolean {
  const c = change.range;
  if (r.isEmpty ? r.end.line < c.start.line : r.end.isBefore(c.start)) return false;
  if (c.start.line !== c.end.line || /[\r\n]/.test(change.text)) return true;
  return r.start.line <= c.end.line;
}

/**
 * Whether an edit can have moved one of a part's squiggles: `moves` for each, with the answer read off the part's
 * lines where they settle it (a part wholly above the edit stays, one wholly below moves with a change of the line
 * count and stays otherwise), so a keystroke looks at the diagnostics of the part it lands in, not at all of them.
 */
function partMoves(change: { range: vscode.Range; text: string }, part: Part): boolean {
  const c = change.range;
  if (part.lastLine < c.start.line) return false;
  if (part.firstLine > c.end.line) return c.start.line !== c.end.line || /[\r\n]/.test(change.text);
  return part.diagnostics.some((d) => moves(change, d.range));
}

/** Whether a part's findings show as `next` would: the same length, each the same as shown (`sameShown`). */
function sameList(prev: readonly Finding[], next: readonly Finding[]): boolean {
  if (prev.length !== next.length) return false;
  for (let i = 0; i < prev.length; i++) if (!sameShown(prev[i], next[i])) return false;
  return true;
}

/**
 * One part of a file as last sent: its diagnostics, the findings now behind them (the latest lint's, while they show
 * the same), the lines its ranges span, and whether an edit since may have moved them. A send makes a new Part, so a
 * Diagnostic of an earlier send keeps the findings it was made from.
 */
interface Part {
  readonly diagnostics: vscode.Diagnostic[];
  findings: Finding[];
  /** Smallest start line and largest end line of the ranges (of the document as sent, moved or not). */
  firstLine: number;
  lastLine: number;
  moved: boolean;
}

/** One file's parts as last sent (undefined: nothing sent for that part). */
interface SentFile {
  parts: (Part | undefined)[];
}

/**
 * A diagnostic that knows where it was sent: its finding is `part.findings[index]`, read there so that a part kept as
 * it was takes a new lint's findings in one step. Properties, not a WeakMap beside it: a WeakMap write per diagnostic
 * was a tenth of a keystroke that sends all 665 of the editor bench's stress file (CPU profile, session 9).
 */
class SentDiagnostic extends vscode.Diagnostic {
  constructor(
    range: vscode.Range,
    message: string,
    severity: vscode.DiagnosticSeverity,
    readonly part: Part,
    readonly index: number,
  ) {
    super(range, message, severity);
  }
}

/** Whether two findings show as one (same title, id and start): the dedup key of `refresh`. */
function sameStart(a: Finding, b: Finding): boolean {
  const [ra, rb] = [a.range?.start, b.range?.start];
  return a.id === b.id && a.title === b.title && (ra && rb ? ra.line === rb.line && ra.character === rb.character : ra === rb);
}

/** A number per start position for a Map key (a collision only costs a comparison; no range: -1). */
function startKey(f: Finding): number {
  const r = f.range;
  return r ? r.start.line * 1024 + (r.start.character & 1023) : -1;
}

/**
 * Owns the Problems entries of the extension. Findings arrive per *source* (the file whose lint or the endpoint
 * whose probe produced them) but may point at other files (a nodemailer lint blames the `.env` line), so the
 * diagnostics of a file are the union over all sources that target it, and replacing one source's findings
 * never wipes another's.
 */
export class DiagnosticsStore implements vscode.Disposable {
  /** Created together, in line order: `vscode.languages.getDiagnostics(uri)` lists collections in creation order. */
  private readonly collections = Array.from({ length: PARTS }, (_, i) =>
    vscode.languages.createDiagnosticCollection(i === 0 ? 'mailTlsDoctor' : `mailTlsDoctor.${i}`),
  );
  private readonly sent = new Map<string, SentFile>();
  private readonly bySource = new Map<string, Map<string, Finding[]>>();
  /**
   * The docs link per finding id: the shipped pages do not change while the extension runs, and a keystroke's lint
   * turns hundreds of findings of a few ids into diagnostics (each link was a path join and a file-exists check).
   */
  private readonly docUris = new Map<string, vscode.Uri>();
  private readonly edits: vscode.Disposable;

  constructor(private readonly extensionUri: vscode.Uri) {
    this.edits = vscode.workspace.onDidChangeTextDocument((e) => this.edited(e.document.uri, e.contentChanges));
  }

  /** Replaces everything `source` said; `fallbackFile` is used for findings that carry no file. */
  set(source: string, findings: readonly Finding[], fallbackFile?: string): void {
    const before = this.bySource.get(source);
    const byTarget = new Map<string, Finding[]>();
    // A source's findings nearly all name one file: its key is made once per run of findings naming the same file
    // (a URI and its string per finding were a tenth of the extension's own work on a keystroke with 665 findings).
    let lastFile: string | undefined;
    let list: Finding[] = [];
    for (const f of findings) {
      const file = f.file ?? fallbackFile;
      if (!file) continue;
      if (file !== lastFile) {
        lastFile = file;
        const key = vscode.Uri.file(file).toString();
        const had = byTarget.get(key);
        if (had) list = had;
        else byTarget.set(key, (list = []));
      }
      list.push(f);
    }
    if (byTarget.size) this.bySource.set(source, byTarget);
    else this.bySource.delete(source);
    const touched = new Set<string>([...(before?.keys() ?? []), ...byTarget.keys()]);
    for (const target of touched) this.refresh(target);
  }

  delete(source: string): void {
    this.set(source, []);
  }

  sources(): string[] {
    return [...this.bySource.keys()];
  }

  /** The finding a diagnostic was made from, for the quick fixes (they never re-derive what the linter knew). */
  findingFor(d: vscode.Diagnostic): Finding | undefined {
    return d instanceof SentDiagnostic ? d.part.findings[d.index] : undefined;
  }

  get(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.sent.get(uri.toString())?.parts.flatMap((p) => p?.diagnostics ?? []) ?? [];
  }

  /**
   * Notes the parts of a file whose squiggles these edits may have moved, each change against the parts not yet
   * noted (whose squiggles are where they were sent, so the change's positions and theirs agree). Every target that
   * names the document counts, spelled in any case: VS Code compares file names without case where the disk does.
   */
  private edited(doc: vscode.Uri, changes: readonly vscode.TextDocumentContentChangeEvent[]): void {
    const key = doc.toString();
    const folded = key.toLowerCase();
    for (const [target, file] of this.sent) {
      if (target !== key && target.toLowerCase() !== folded) continue;
      for (const change of changes) for (const part of file.parts) if (part && !part.moved) part.moved = partMoves(change, part);
    }
  }

  private refresh(target: string): void {
    const all: Finding[] = [];
    // The findings so far at each start position: one finding reached through two sources (main.cf linted on its own
    // and via master.cf) shows once. A number per position, not a string per finding (665 of them a keystroke).
    const atStart = new Map<number, Finding | Finding[]>();
    for (const byTarget of this.bySource.values()) {
      for (const f of byTarget.get(target) ?? []) {
        const k = startKey(f);
        const here = atStart.get(k);
        if (here === undefined) atStart.set(k, f);
        else if (Array.isArray(here)) {
          if (here.some((g) => sameStart(g, f))) continue;
          here.push(f);
        } else {
          if (sameStart(here, f)) continue;
          atStart.set(k, [here, f]);
        }
        all.push(f);
      }
    }
    const parts: Finding[][] = Array.from({ length: PARTS }, () => []);
    const whole = all.length > MAX_PER_COLLECTION;
    for (const f of all) parts[whole ? 0 : partOf(f)].push(f);
    const file = this.sent.get(target) ?? { parts: [] };
    const uri = vscode.Uri.parse(target);
    const messages = new MessageMemo();
    for (let i = 0; i < PARTS; i++) {
      const next = parts[i];
      const prev = file.parts[i];
      if (prev ? !prev.moved && sameList(prev.findings, next) : !next.length) {
        // Shown as it is: not sent again, but the quick fixes get the new lint's edits (other lines may have moved).
        if (prev) prev.findings = next;
        continue;
      }
      if (next.length) {
        file.parts[i] = this.send(i, uri, next, messages);
      } else {
        this.collections[i].delete(uri);
        file.parts[i] = undefined;
      }
    }
    if (file.parts.some((p) => p)) this.sent.set(target, file);
    else this.sent.delete(target);
  }

  /** Sends one part's diagnostics for `uri` (replacing what its collection had) and returns the part as sent. */
  private send(i: number, uri: vscode.Uri, findings: Finding[], messages: MessageMemo): Part {
    const part: Part = { diagnostics: [], findings, firstLine: Infinity, lastLine: -Infinity, moved: false };
    for (let index = 0; index < findings.length; index++) {
      const d = this.toDiagnostic(findings[index], messages, part, index);
      part.diagnostics.push(d);
      part.firstLine = Math.min(part.firstLine, d.range.start.line);
      part.lastLine = Math.max(part.lastLine, d.range.end.line);
    }
    this.collections[i].set(uri, part.diagnostics);
    return part;
  }

  private toDiagnostic(f: Finding, messages: MessageMemo, part: Part, index: number): vscode.Diagnostic {
    const d = new SentDiagnostic(toRange(f.range), messages.of(f.title, f.fix), SEVERITY[f.severity], part, index);
    d.source = DIAGNOSTIC_SOURCE;
    let target = this.docUris.get(f.id);
    if (!target) this.docUris.set(f.id, (target = findingDocUri(this.extensionUri, f.id)));
    d.code = { value: f.id, target };
    if (f.related?.length) {
      d.relatedInformation = f.related.map(
        (r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(r.file), toRange(r.range)), r.message),
      );
    }
    return d;
  }

  dispose(): void {
    this.edits.dispose();
    for (const c of this.collections) c.dispose();
  }
}
