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
 * Owns the Problems entries of the extension. Findings arrive per *source* (the file whose lint or the endpoint
 * whose probe produced them) but may point at other files (a nodemailer lint blames the `.env` line), so the
 * diagnostics of a file are the union over all sources that target it, and replacing one source's findings
 * never wipes another's.
 */
export class DiagnosticsStore implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('mailTlsDoctor');
  private readonly bySource = new Map<string, Map<string, Finding[]>>();
  private readonly findingOf = new WeakMap<vscode.Diagnostic, Finding>();
  /**
   * The docs link per finding id: the shipped pages do not change while the extension runs, and a keystroke's lint
   * turns hundreds of findings of a few ids into diagnostics (each link was a path join and a file-exists check).
   */
  private readonly docUris = new Map<string, vscode.Uri>();

  constructor(private readonly extensionUri: vscode.Uri) {}

  /** Replaces everything `source` said; `fallbackFile` is used for findings that carry no file. */
  set(source: string, findings: readonly Finding[], fallbackFile?: string): void {
    const before = this.bySource.get(source);
    const byTarget = new Map<string, Finding[]>();
    // A source's findings nearly all name one file: its key is made once per run of findings naming the same file
    // (a URI and its string per finding were a tenth of the extension's own work on a keystroke with 665 findings).
    let lastFile: string | undefined;
    let lastKey = '';
    for (const f of findings) {
      const file = f.file ?? fallbackFile;
      if (!file) continue;
      if (file !== lastFile) {
        lastFile = file;
        lastKey = vscode.Uri.file(file).toString();
      }
      const key = lastKey;
      let list = byTarget.get(key);
      if (!list) byTarget.set(key, (list = []));
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
    return this.findingOf.get(d);
  }

  get(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  private refresh(target: string): void {
    const all: vscode.Diagnostic[] = [];
    // Id and start per title (titles are shared by findings of a kind, and a key holding the title copied it).
    const seen = new Map<string, Set<string>>();
    const messages = new MessageMemo();
    for (const byTarget of this.bySource.values()) {
      for (const f of byTarget.get(target) ?? []) {
        // One finding reached through two sources (main.cf linted on its own and via master.cf) shows once.
        const k = `${f.id}|${f.range?.start.line}:${f.range?.start.character}`;
        let ofTitle = seen.get(f.title);
        if (!ofTitle) seen.set(f.title, (ofTitle = new Set()));
        if (ofTitle.has(k)) continue;
        ofTitle.add(k);
        all.push(this.toDiagnostic(f, messages));
      }
    }
    const uri = vscode.Uri.parse(target);
    if (all.length) this.collection.set(uri, all);
    else this.collection.delete(uri);
  }

  private toDiagnostic(f: Finding, messages: MessageMemo): vscode.Diagnostic {
    const d = new vscode.Diagnostic(toRange(f.range), messages.of(f.title, f.fix), SEVERITY[f.severity]);
    d.source = DIAGNOSTIC_SOURCE;
    let target = this.docUris.get(f.id);
    if (!target) this.docUris.set(f.id, (target = findingDocUri(this.extensionUri, f.id)));
    d.code = { value: f.id, target };
    if (f.related?.length) {
      d.relatedInformation = f.related.map(
        (r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(r.file), toRange(r.range)), r.message),
      );
    }
    this.findingOf.set(d, f);
    return d;
  }

  dispose(): void {
    this.collection.dispose();
  }
}
