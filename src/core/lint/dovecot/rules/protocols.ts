/**
 * TLS versions. ssl_min_protocol TLSv1 or TLSv1.1 (or SSLv3, ANY) lets clients use versions RFC 8996 deprecated;
 * Dovecot's own default is TLSv1.2 since 2.3.15 (doveconf -d on 2.3.19: TLSv1.2). The 2.2 setting ssl_protocols:
 * Dovecot 2.3 converts it into an ssl_min_protocol with a warning at every start ("Obsolete setting ...
 * ssl_protocols has been replaced by ssl_min_protocol"; seen with doveconf 2.3.19, which fails to convert some lists,
 * e.g. "!SSLv2 !SSLv3 !TLSv1": "Unrecognized protocol 'SSLv2'"); Dovecot 2.4 does not know it and refuses to start.
 */
import { printable } from '../../../endpoint';
import { lineEvidence, replaceSetting, replaceValue, report, type DovecotContext } from '../context';
import { mayBeDovecot22 } from '../version';

const LEGACY = /^(SSLv3|TLSv1|TLSv1\.1|ANY)$/i;

export function checkMinProtocol(ctx: DovecotContext): void {
  for (const s of ctx.conf.settings) {
    if (s.name !== 'ssl_min_protocol' || !LEGACY.test(s.value.trim())) continue;
    const v = s.value.trim();
    report(ctx, 'dovecot.legacy-protocols', {
      severity: 'warning',
      title: `ssl_min_protocol = ${printable(v, 20)} accepts ${v.toUpperCase() === 'ANY' ? 'every SSL/TLS version' : `${v} and later`}, below TLS 1.2.`,
      detail:
        'TLS 1.0 and 1.1 are deprecated (RFC 8996) and SSLv3 is broken (RFC 7568); every mail client of the last ' +
        "ten years speaks TLS 1.2. Dovecot's own default is TLSv1.2. The setting applies to incoming IMAP/POP3 " +
        "connections and to Dovecot's outgoing ones (proxying, imapc) alike.",
      fix: 'Set ssl_min_protocol = TLSv1.2 (the same name in Dovecot 2.3 and 2.4), then `doveadm reload`.',
      range: s.valueRange,
      evidence: [lineEvidence(ctx, s)],
      edits: s.valueLiteral ? [replaceValue(s, 'TLSv1.2')] : undefined,
      editTitle: 'Set ssl_min_protocol = TLSv1.2',
    });
  }
}

/** The floor to replace an ssl_protocols list with: TLSv1.2, or TLSv1.3 where the list allowed nothing lower. */
export function floorFor(list: string): 'TLSv1.2' | 'TLSv1.3' {
  const toks = list.split(/[\s,:]+/).filter(Boolean);
  const allowed = toks.filter((t) => !t.startsWith('!'));
  if (allowed.length > 0 && allowed.every((t) => /^TLSv1\.3$/i.test(t))) return 'TLSv1.3';
  if (toks.some((t) => /^!TLSv1\.2$/i.test(t))) return 'TLSv1.3';
  return 'TLSv1.2';
}

export function checkRemovedProtocols(ctx: DovecotContext): void {
  const hasMin = ctx.conf.settings.some((s) => s.name === 'ssl_min_protocol');
  const maybe22 = mayBeDovecot22(ctx.version, ctx.conf.settings);
  for (const s of ctx.conf.settings) {
    if (s.name !== 'ssl_protocols') continue;
    const v24 = ctx.version.version === '2.4';
    const floor = floorFor(s.value);
    report(ctx, 'dovecot.removed-setting', {
      severity: v24 ? 'error' : 'warning',
      title: v24 ? 'Dovecot 2.4 does not know ssl_protocols: it refuses to start.' : 'ssl_protocols was removed in Dovecot 2.3: use ssl_min_protocol.',
      detail: v24
        ? 'ssl_protocols is a Dovecot 2.2 setting; 2.4 stops at an unknown setting, so IMAP and POP3 are down.'
        : 'ssl_protocols is a Dovecot 2.2 setting. Dovecot 2.3 converts it into an ssl_min_protocol and logs "Obsolete ' +
          'setting ... ssl_protocols has been replaced by ssl_min_protocol" at every start; some lists it cannot convert ' +
          '(doveconf 2.3.19 rejects "!SSLv2 !SSLv3 !TLSv1" with "Unrecognized protocol \'SSLv2\'"). Dovecot 2.4 refuses ' +
          'to start with it.',
      fix: hasMin
        ? 'Remove the ssl_protocols line: ssl_min_protocol is already set in this file (keep it at TLSv1.2 or higher).'
        : `Replace it with ssl_min_protocol = ${floor} (the lowest TLS version to accept), then \`doveadm reload\`.` +
          (maybe22
            ? ' Dovecot 2.2 (`dovecot --version`; end of life) does not know ssl_min_protocol and would refuse to start: ' +
              'there keep ssl_protocols, excluding !SSLv3 !TLSv1 !TLSv1.1, until the upgrade.'
            : ''),
      range: s.nameRange,
      evidence: [lineEvidence(ctx, s)],
      edits: !hasMin && s.valueRange.end.line === s.line ? [replaceSetting(ctx, s, 'ssl_min_protocol', floor)] : undefined,
      editTitle: `Replace with ssl_min_protocol = ${floor}${maybe22 ? ' (Dovecot 2.3 and later)' : ''}`,
    });
  }
}
