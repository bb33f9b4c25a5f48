/**
 * TLS-RPT reports arrive as `.json` or gzipped `.json.gz` (RFC 8460 section 5.3: `application/tlsrpt+gzip`).
 * Decompression is capped: a few kilobytes of gzip can expand to gigabytes, so the output is bounded and a
 * report that exceeds the cap is refused, never decompressed in full.
 */
import * as zlib from 'node:zlib';

/** No real daily report comes near this: Google's and Microsoft's are a few kilobytes. */
export const MAX_REPORT_BYTES = 8 * 1024 * 1024;
/** Compressed input above this is not read at all. */
export const MAX_COMPRESSED_BYTES = 2 * 1024 * 1024;

export type Decoded = { ok: true; text: string; gzipped: boolean } | { ok: false; gzipped: boolean; reason: string };

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Bytes of a report file (plain or gzip, by content, not by name) to text. Never throws. */
export function decodeReportBytes(bytes: Uint8Array, maxBytes = MAX_REPORT_BYTES): Decoded {
  if (!isGzip(bytes)) {
    if (bytes.length > maxBytes) return { ok: false, gzipped: false, reason: `larger than ${maxBytes} bytes` };
    return { ok: true, gzipped: false, text: stripBom(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8')) };
  }
  if (bytes.length > MAX_COMPRESSED_BYTES) return { ok: false, gzipped: true, reason: `compressed size above ${MAX_COMPRESSED_BYTES} bytes` };
  try {
    const out = zlib.gunzipSync(bytes, { maxOutputLength: maxBytes });
    return { ok: true, gzipped: true, text: stripBom(out.toString('utf8')) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof RangeError || code === 'ERR_BUFFER_TOO_LARGE') {
      return { ok: false, gzipped: true, reason: `decompresses to more than ${maxBytes} bytes (refused: a report is never that large)` };
    }
    return { ok: false, gzipped: true, reason: `not valid gzip (${code ?? (err instanceof Error ? err.message : 'unknown error')})` };
  }
}

function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}
