/** TLS-RPT (RFC 8460 3): `_smtp._tls.DOMAIN` TXT, `v=TLSRPTv1; rua=mailto:...,https://...`. */
import { tagList } from './mtasts';

export type RptVerdict = { ok: true; record: string; rua: string[] } | { ok: false; reason: string; records: string[] } | { ok: 'absent' };

export function checkTlsRpt(records: string[]): RptVerdict {
  const rpt = records.filter((r) => /^v=TLSRPTv1(;|\s|$)/.test(r));
  if (rpt.length === 0) return { ok: 'absent' };
  if (rpt.length > 1) return { ok: false, reason: `${rpt.length} records start with v=TLSRPTv1, exactly one is allowed`, records: rpt };
  const rua = tagList(rpt[0]).get('rua');
  if (rua === undefined || rua === '') return { ok: false, reason: 'no rua= field', records: rpt };
  const uris = rua.split(',').map((u) => u.trim());
  const bad = uris.find((u) => !/^mailto:[^@\s]+@[^@\s]+$/i.test(u) && !/^https:\/\/[^\s/]+/i.test(u));
  if (bad !== undefined) return { ok: false, reason: `rua "${bad.slice(0, 60)}" is neither a mailto: nor an https: URI`, records: rpt };
  return { ok: true, record: rpt[0], rua: uris };
}
