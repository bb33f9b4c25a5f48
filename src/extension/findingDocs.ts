import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { docsPageForFamily, findingDocs, isFindingId } from '../core/findings';

/** For a string that is no registered id (a stale override key): its family's page, else the probe page. */
const DEFAULT_PAGE = 'findings-probe.md';

const lineCache = new Map<string, Map<string, number>>();

/** 1-based line of the first table row or heading naming `` `id` `` in a docs page (read once per page). */
function lineOf(file: vscode.Uri, id: string): number | undefined {
  let lines = lineCache.get(file.fsPath);
  if (!lines) {
    lines = new Map();
    try {
      fs.readFileSync(file.fsPath, 'utf8')
        .split('\n')
        .forEach((text, i) => {
          for (const m of text.matchAll(/`([a-z0-9-]+(?:\.[a-z0-9-]+)+)`/g)) if (!lines!.has(m[1])) lines!.set(m[1], i + 1);
        });
    } catch {
      // Not shipped or unreadable: the link opens the page (or the README) without a line.
    }
    lineCache.set(file.fsPath, lines);
  }
  return lines.get(id);
}

/** The README shipped with the extension: `vsce` stores it as `readme.md`, a checkout has `README.md`. */
export function readmeUri(extensionUri: vscode.Uri): vscode.Uri {
  const upper = vscode.Uri.joinPath(extensionUri, 'README.md');
  return fs.existsSync(upper.fsPath) ? upper : vscode.Uri.joinPath(extensionUri, 'readme.md');
}

/**
 * Where a finding id is explained, as the diagnostic's code link: its docs page (shipped in the VSIX) at the
 * line that names it, e.g. `docs/findings-postfix.md#L24`. Falls back to the README.
 */
export function findingDocUri(extensionUri: vscode.Uri, id: string): vscode.Uri {
  const { page, anchor } = isFindingId(id) ? findingDocs(id) : { page: docsPageForFamily(id.split('.')[0]) ?? DEFAULT_PAGE, anchor: id };
  const file = vscode.Uri.joinPath(extensionUri, 'docs', page);
  if (!fs.existsSync(file.fsPath)) return readmeUri(extensionUri);
  const line = lineOf(file, anchor);
  return line ? file.with({ fragment: `L${line}` }) : file;
}
