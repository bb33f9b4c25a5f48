import * as path from 'node:path';
import * as vscode from 'vscode';
import { readForLint } from '../lintHost';
import { effectiveValue, serviceOverridesAt } from '../../core/lint/postfix/effective';
import { tlsParamDoc } from './tlsParamDocs';
import { isMasterCf } from '../../core/lint/postfix/masterLinter';
import { termSafe } from '../../core/escape';

/**
 * Hovers on a Postfix parameter name (in main.cf, or after `-o` in master.cf) explain TLS parameters and show the
 * value Postfix would use: in master.cf the service's `-o` wins, then main.cf beside it, then the default.
 */
export class PostfixHoverProvider implements vscode.HoverProvider {
  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const range = doc.getWordRangeAtPosition(pos, /[A-Za-z0-9_]+/);
    if (!range) return undefined;
    const name = doc.getText(range);
    const line = doc.lineAt(pos.line).text;
    const before = line.slice(0, range.start.character);
    const after = line.slice(range.end.character);
    // A master.cf by the linters' names (relay-master.cf) or a copy the language claims (master.cf.proto, .dpkg-dist).
    const isMaster = isMasterCf(doc.uri.fsPath) || /^master\.cf\./i.test(path.basename(doc.uri.fsPath));
    // Only names in a parameter position: `name =` at the start of a main.cf line, or `-o name=` in master.cf.
    const isName = isMaster ? /-o\s*\{?\s*$/.test(before) && /^\s*=/.test(after) : /^\s*$/.test(before) && /^\s*=/.test(after);
    const isRef = /\$\{?$/.test(before) || /\$\($/.test(before);
    if (!isName && !isRef) return undefined;

    const doc1 = tlsParamDoc(name);
    const mainText = isMaster ? (readForLint(path.join(path.dirname(doc.uri.fsPath), 'main.cf')) ?? '') : doc.getText();
    const overrides = isMaster ? serviceOverridesAt(doc.getText(), pos.line) : {};
    const eff = effectiveValue(mainText, name, overrides);
    if (!doc1 && !eff) return undefined;
    const m = new vscode.MarkdownString();
    m.appendMarkdown(`**\`${name}\`**\n\n`);
    if (doc1) m.appendMarkdown(`${doc1}\n\n`);
    if (eff) {
      const src =
        eff.from === 'file'
          ? overrides[name] !== undefined
            ? "this service's `-o`"
            : isMaster
              ? 'main.cf'
              : 'this file'
          : eff.from === 'default'
            ? 'the Postfix default'
            : 'the machine';
      m.appendMarkdown(`Effective value (from ${src}): \`${code(eff.raw)}\``);
      if (eff.expanded !== undefined) m.appendMarkdown(` = \`${code(eff.expanded)}\``);
      if (!eff.complete && eff.from !== 'machine-dependent') m.appendMarkdown(' (partly unresolved)');
    }
    return new vscode.Hover(m, range);
  }
}

/** A value from the file inside a code span: no backtick to close it, and control or bidi characters shown, never acted on. */
function code(s: string): string {
  return termSafe(s.replace(/`/g, "'").slice(0, 200));
}
