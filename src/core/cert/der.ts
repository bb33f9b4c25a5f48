/**
 * A minimal, bounds-checked DER reader: just enough to read the certificate fields Node's X509Certificate does
 * not expose (signature algorithm, SAN entries unquoted, key usage bits, key identifiers). Every read checks its
 * bounds and returns undefined instead of throwing, because the bytes come from hostile servers.
 */
export interface Tlv {
  /** Tag class: 0 universal, 1 application, 2 context-specific, 3 private. */
  cls: number;
  constructed: boolean;
  /** Tag number (low-tag form only; high-tag forms are rejected, X.509 never uses them). */
  tag: number;
  /** Offsets of the value within the buffer. */
  start: number;
  end: number;
}

export function readTlv(buf: Buffer, offset: number, limit = buf.length): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const id = buf[offset];
  if ((id & 0x1f) === 0x1f) return undefined;
  let len = buf[offset + 1];
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    // DER forbids indefinite lengths; 4 length bytes is far beyond any certificate.
    if (n === 0 || n > 4 || pos + n > limit) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + i];
    pos += n;
  }
  if (pos + len > limit) return undefined;
  return { cls: id >> 6, constructed: (id & 0x20) !== 0, tag: id & 0x1f, start: pos, end: pos + len };
}

/** The direct children of a constructed value (bounded, so a hostile nesting cannot explode). */
export function children(buf: Buffer, parent: Tlv, max = 1024): Tlv[] {
  const out: Tlv[] = [];
  let pos = parent.start;
  while (pos < parent.end && out.length < max) {
    const t = readTlv(buf, pos, parent.end);
    if (!t) break;
    out.push(t);
    pos = t.end;
  }
  return out;
}

export function decodeOid(buf: Buffer, t: Tlv): string | undefined {
  if (t.end <= t.start || t.end - t.start > 64) return undefined;
  const parts: number[] = [];
  let value = 0;
  for (let i = t.start; i < t.end; i++) {
    value = value * 128 + (buf[i] & 0x7f);
    if (!(buf[i] & 0x80)) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** Decodes the string types X.509 names use; BMPString is UTF-16BE. */
export function decodeString(buf: Buffer, t: Tlv): string {
  const bytes = buf.subarray(t.start, t.end);
  if (t.cls === 0 && t.tag === 30) {
    let s = '';
    for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode(bytes[i] * 256 + bytes[i + 1]);
    return s;
  }
  if (t.cls === 0 && t.tag === 12) return bytes.toString('utf8');
  return bytes.toString('latin1');
}
