/** Turns what Node's TLS layer throws into the probe's vocabulary. Pure, so each case is unit-testable. */
export type TlsFailureKind = 'timeout' | 'lost' | 'alert' | 'plaintext' | 'no-common-version' | 'local' | 'other';

export interface TlsFailure {
  kind: TlsFailureKind;
  /** The alert name in words, e.g. "protocol version", "handshake failure". */
  alert?: string;
  /** One line for evidence: the library's own text, e.g. "ssl3_get_record:wrong version number". */
  reason: string;
}

export function classifyTlsError(err: unknown): TlsFailure {
  const e = err as NodeJS.ErrnoException & { reason?: string; library?: string };
  const code = e?.code ?? '';
  const msg = err instanceof Error ? err.message : String(err);
  const reason = oneLine(msg);
  if (err instanceof Error && err.name === 'TimeoutError') return { kind: 'timeout', reason };
  const alert = /ALERT_([A-Z0-9_]+)$/.exec(code);
  if (alert) return { kind: 'alert', alert: alert[1].toLowerCase().replace(/_/g, ' '), reason };
  if (
    /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|UNKNOWN_PROTOCOL|RECORD_LAYER_FAILURE/.test(code) ||
    /wrong version number|packet length too long|http request|unknown protocol/i.test(msg)
  ) {
    return { kind: 'plaintext', reason };
  }
  if (/NO_PROTOCOLS_AVAILABLE|LEGACY_SIGALG|NO_CIPHERS_AVAILABLE|NO_CIPHER_MATCH|ERR_LOCAL_TLS_SETUP|INVALID_PROTOCOL_VERSION/.test(code))
    return { kind: 'local', reason };
  if (/UNSUPPORTED_PROTOCOL/.test(code) || /unsupported protocol/i.test(msg)) return { kind: 'no-common-version', reason };
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket disconnected before secure TLS|closed the connection|socket hang up/i.test(msg)) {
    return { kind: 'lost', reason };
  }
  return { kind: 'other', reason };
}

/** OpenSSL's text without its hex prefix and source location: "ssl3_read_bytes:sslv3 alert handshake failure: SSL alert number 40". */
function oneLine(s: string): string {
  return s
    .replace(/\s+/g, ' ')
    .replace(/^[0-9A-F]+:error:[0-9A-F]+:(SSL routines:)?/, '')
    .replace(/:[^: ]*\.c:\d+:/, ': ')
    .replace(/[:\s]+$/, '')
    .trim()
    .slice(0, 300);
}
