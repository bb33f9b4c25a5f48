/**
 * Which Postfix a config is for, as far as the advice needs to know it: the `>=TLSv1.2` bound syntax of the TLS
 * protocol lists exists only since Postfix 3.6 (tls_proto.c); older Postfix rejects the whole list ("Invalid TLS
 * protocol list"), so smtpd answers STARTTLS with 454 and the client aborts TLS. Postfix 3.5 is still what RHEL 8
 * and 9 and Debian 11 ship, so an edit must not assume 3.6 unless something says so.
 *
 * Evidence, strongest first: the version the user declared (setting `mailTlsDoctor.postfix.version`, CLI
 * `--postfix-version`); `postconf mail_version` when the file is the live config of the Postfix on this machine;
 * `compatibility_level` in the 3.6+ "major.minor" form (older releases only know 0, 1 and 2); a `>=`/`<=` bound
 * already written in a protocol list of this config.
 */
import * as nodePath from 'node:path';
import type { RuleContext } from './context';
import { tokenizeProtocols } from './protocols';

export interface PostfixVersion {
  major: number;
  minor: number;
}

export type VersionSource = 'declared' | 'postconf' | 'compatibility_level' | 'syntax';

export interface VersionKnowledge {
  /** Undefined when nothing tells the version. */
  version?: PostfixVersion;
  /** True when the version is only known to be at least `version` (compatibility_level, syntax). */
  atLeast?: boolean;
  source?: VersionSource;
}

export function parsePostfixVersion(text: string | undefined): PostfixVersion | undefined {
  const m = /^\s*(\d{1,3})\.(\d{1,3})(?:\.\d{1,4})?(?:[-.~+][\w.~+-]*)?\s*$/.exec(text ?? '');
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

export function versionAtLeast(v: PostfixVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

export const formatVersion = (v: PostfixVersion): string => `${v.major}.${v.minor}`;

const PROTOCOL_PARAMS = ['smtpd', 'smtp', 'lmtp', 'postscreen', 'tlsproxy', 'tlsproxy_client'].flatMap((p) => [
  `${p}_tls_protocols`,
  `${p}_tls_mandatory_protocols`,
]);

/** The protocol-list values written in this context's file (and, for a master.cf service, main.cf). */
function writtenProtocolLists(ctx: RuleContext): string[] {
  const out: string[] = [];
  for (const name of PROTOCOL_PARAMS) {
    const r = ctx.scope.definedAt(name);
    if (r) out.push(r.setting.value);
  }
  return out;
}

/** What is known about the Postfix version this context's file is read by. */
export function knownVersion(ctx: RuleContext): VersionKnowledge {
  const declared = parsePostfixVersion(ctx.host.postfixVersion);
  if (declared) return { version: declared, source: 'declared' };
  const local = ctx.host.localPostfix;
  if (local) {
    const v = parsePostfixVersion(local.version);
    const dir = nodePath.resolve(nodePath.dirname(ctx.file));
    if (v && dir === nodePath.resolve(local.configDirectory)) return { version: v, source: 'postconf' };
  }
  const compat = parsePostfixVersion(ctx.scope.value('compatibility_level'));
  if (compat && versionAtLeast(compat, 3, 6)) return { version: compat, atLeast: true, source: 'compatibility_level' };
  for (const value of writtenProtocolLists(ctx)) {
    if (tokenizeProtocols(value).some((t) => /^[<>]=\S/.test(t.text))) return { version: { major: 3, minor: 6 }, atLeast: true, source: 'syntax' };
  }
  return {};
}

/** True when the config writes its protocol lists in the `!name` exclusion form (and never with bounds). */
export function usesExclusionSyntax(ctx: RuleContext): boolean {
  const lists = writtenProtocolLists(ctx);
  const toks = lists.flatMap((v) => tokenizeProtocols(v).map((t) => t.text));
  return toks.some((t) => t.startsWith('!')) && !toks.some((t) => /^[<>]=/.test(t));
}

export function knowsBounds(k: VersionKnowledge): boolean | undefined {
  return k.version ? versionAtLeast(k.version, 3, 6) : undefined;
}

export function describeKnowledge(k: VersionKnowledge): string {
  if (!k.version) return 'Postfix version unknown';
  const v = formatVersion(k.version);
  switch (k.source) {
    case 'declared':
      return `Postfix ${v} (declared in the settings / --postfix-version)`;
    case 'postconf':
      return `Postfix ${v} (postconf mail_version: this is the live config)`;
    case 'compatibility_level':
      return `Postfix ${v} or later (compatibility_level)`;
    default:
      return 'Postfix 3.6 or later (the file already uses ">=" protocol bounds)';
  }
}

export const EXCLUSION_TLS12 = '!SSLv2, !SSLv3, !TLSv1, !TLSv1.1';
export const BOUND_TLS12 = '>=TLSv1.2';

/**
 * The value that allows TLS 1.2 and newer, in the syntax this Postfix reads: `>=TLSv1.2` only when it is known to
 * be 3.6 or later and the file does not already use the exclusion form; otherwise the exclusion list, which every
 * Postfix reads. In master.cf (`-o name=value`) the list is written without blanks.
 */
export function tls12Value(ctx: RuleContext): string {
  const k = knownVersion(ctx);
  const bounds = knowsBounds(k) === true && !usesExclusionSyntax(ctx);
  if (bounds) return BOUND_TLS12;
  return ctx.service ? EXCLUSION_TLS12.replace(/ /g, '') : EXCLUSION_TLS12;
}

/** Advice text naming both forms, and which one applies when the version is known. */
export function tls12Advice(name: string, ctx?: RuleContext): string {
  const k = ctx ? knownVersion(ctx) : {};
  const b = knowsBounds(k);
  if (b === false) return `${name} = ${EXCLUSION_TLS12} (${describeKnowledge(k)}: the ">=TLSv1.2" form needs Postfix 3.6 or later)`;
  return (
    `${name} = ${EXCLUSION_TLS12} (works on every Postfix version) or ${name} = ${BOUND_TLS12} (Postfix 3.6 and later only: ` +
    'older Postfix rejects the whole list and turns TLS off)'
  );
}
