/**
 * The probe's transcript: bounded (a hostile server cannot make it grow without limit) and printable (server
 * text is escaped, so no terminal control sequence reaches the user's screen).
 */
import { printable } from '../endpoint';
import type { TranscriptLine } from './types';

const MAX_LINES = 400;
const MAX_LINE_CHARS = 300;

export class Transcript {
  readonly lines: TranscriptLine[] = [];
  private dropped = 0;
  private readonly t0 = Date.now();

  constructor(private readonly onLine?: (line: TranscriptLine) => void) {}

  add(kind: TranscriptLine['kind'], text: string, conn?: string): void {
    const line: TranscriptLine = { at: Date.now() - this.t0, kind, text: printable(text, MAX_LINE_CHARS) };
    if (conn) line.conn = conn;
    if (this.lines.length >= MAX_LINES) {
      this.dropped++;
      return;
    }
    this.lines.push(line);
    try {
      this.onLine?.(line);
    } catch {
      // A listener's bug must not break the probe.
    }
  }

  /** The transcript with a final note if lines were dropped. */
  finish(): TranscriptLine[] {
    if (this.dropped > 0) {
      this.lines.push({ at: Date.now() - this.t0, kind: 'note', text: `(${this.dropped} more lines not kept)` });
      this.dropped = 0;
    }
    return this.lines;
  }

  /** The last dialogue lines, as evidence for a finding. */
  tail(n = 4, conn?: string): string[] {
    return this.lines
      .filter((l) => l.conn === conn && (l.kind === 'C' || l.kind === 'S' || l.kind === 'tls'))
      .slice(-n)
      .map(formatLine);
  }
}

export function formatLine(l: TranscriptLine): string {
  const who = l.kind === 'C' ? 'C:' : l.kind === 'S' ? 'S:' : l.kind === 'tls' ? 'TLS:' : '--';
  return `${l.conn ? `[${l.conn}] ` : ''}${who} ${l.text}`;
}
