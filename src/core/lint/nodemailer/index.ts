/** The nodemailer linter: transports in JS/TS files, their values resolved through `.env`, the rules, endpoints. */
import * as nodePath from 'node:path';
import { makeEndpoint, printable, validateHostname } from '../../endpoint';
import { moduleLoader } from './modules';
import { MAILER_PACKAGE } from './nestMailer';
import { processWideNoVerify } from './processEnv';
import type { Finding } from '../../finding';
import { makeFinding } from '../../findings';
import { loadEnvFiles, lookupEnv, type EnvFile } from '../dotenv/envFiles';
import type { DiscoveredEndpoint, Linter, LintHost, LintResult } from '../types';
import { effectiveOf, type Effective } from './effective';
import { isDamaged, parseTolerant } from './parse';
import { LineIndex } from '../lines';
import { runRules } from './rules';
import { senderDomains } from './senders';
import { findMailSites, type OptionSite, type TransportSite } from './transports';

const CODE_FILE = /\.(js|mjs|cjs|jsx|ts|mts|cts|tsx)$/i;
/** Bundles and vendored code: big, generated, and not where a user configures a transport. */
const SKIP_PATH = /(^|[\\/])(node_modules|dist|build|out|coverage|\.next|\.nuxt)[\\/]|\.min\.js$|\.d\.ts$/i;
/** Larger files are generated; parsing them would cost more than any finding is worth. */
const MAX_BYTES = 1_000_000;

export const nodemailerLinter: Linter = {
  format: 'nodemailer',
  files: {
    label: 'nodemailer code (.js, .ts and their variants)',
    names: ['*.js', '*.mjs', '*.cjs', '*.jsx', '*.ts', '*.mts', '*.cts', '*.tsx'],
    activation: ['onLanguage:javascript', 'onLanguage:typescript'],
    oversize: 'skip',
    maxLength: MAX_BYTES,
  },
  matches(path: string, text?: string): boolean {
    if (!CODE_FILE.test(path) || SKIP_PATH.test(path)) return false;
    return text === undefined || mentionsTransport(text);
  },
  lint(path: string, text: string, host: LintHost): LintResult {
    return lintNodemailer(path, text, host);
  },
};

/** A NestJS module configuring @nestjs-modules/mailer makes its transport without writing `createTransport`. */
export function mentionsTransport(text: string): boolean {
  return text.length <= MAX_BYTES && (text.includes('createTransport') || text.includes('NODE_TLS_REJECT_UNAUTHORIZED') || text.includes(MAILER_PACKAGE));
}

export function lintNodemailer(path: string, text: string, host: LintHost): LintResult {
  const out: LintResult = { findings: [], endpoints: [] };
  if (typeof text !== 'string' || !mentionsTransport(text)) return out;
  const parsed = parseTolerant(text, path);
  if (!parsed) return out;
  let envFiles: EnvFile[] | undefined;
  const index = new LineIndex(text);
  const env = (key: string) => lookupEnv((envFiles ??= loadEnvFiles(path, host)), key);
  const { transports: sites, sendMailFrom } = findMailSites(parsed.ast, { text, index, lookupEnv: env, loadModule: moduleLoader(path, host, env) });
  for (const site of sites) {
    const eff = effectiveOf(site);
    const found = runRules(site, eff, { file: path, text, index, isDamaged: (s, e) => isDamaged(parsed, s, e) });
    out.findings.push(...found.map((f) => (site.module ? fromModule(f, site, path) : withinText(f, text.length, index))));
    const ep = endpointOf(site, eff, path);
    if (ep) out.endpoints.push(site.module ? { ...ep, range: site.argRange } : ep);
  }
  const templated = sites.flatMap((site) => [...site.options.values(), ...site.tls.values()]).filter((o) => o.resolved.templated && o.code);
  if (templated.length > 0 && !sites.some((s) => s.module)) out.findings.push(templateFinding(path, templated));
  if (text.includes('NODE_TLS_REJECT_UNAUTHORIZED')) out.findings.push(...processWideNoVerify(parsed.ast, path, index, env));
  const senders = senderDomains(path, sites, sendMailFrom);
  if (senders.length) out.domains = senders;
  out.findings.sort(byPosition);
  return out;
}

function endpointOf(site: TransportSite, eff: Effective, path: string): DiscoveredEndpoint | undefined {
  if (!eff.host || !validateHostname(eff.host).ok) return undefined;
  const mode = eff.secure === undefined ? undefined : eff.secure ? 'implicit' : 'starttls';
  const servername = site.tls.get('servername');
  const sni =
    servername?.resolved.known && typeof servername.resolved.value === 'string' && servername.resolved.value !== '' ? servername.resolved.value : undefined;
  // Probing with another name than the one configured would check a connection nodemailer never makes.
  if (sni !== undefined && !validateHostname(sni).ok) return undefined;
  const endpoint = makeEndpoint(eff.host, eff.port, { protocol: 'smtp', mode, servername: sni });
  return {
    endpoint,
    file: path,
    range: site.options.get('host')?.code?.valueRange ?? site.callRange,
    source: eff.service ? `nodemailer transport, service ${eff.service.name}` : 'nodemailer transport',
  };
}

/**
 * A finding about options written in another module: it stays on this file's `createTransport` argument (the
 * editor shows it where the transport is made) and points at the option in the module; edits, computed for
 * another file's text, are dropped.
 */
function fromModule(f: Finding, site: TransportSite, path: string): Finding {
  const { edits: _edits, editTitle: _title, ...rest } = f;
  const module = site.module ?? '';
  const related = [...(f.related ?? [])];
  if (f.range && f.file === path) related.unshift({ file: module, range: f.range, message: 'the option is written here' });
  return {
    ...rest,
    file: path,
    range: site.argRange,
    evidence: [...(f.evidence ?? []), `options from ${printable(nodePath.basename(module), 120)} (imported here)`],
    related,
  };
}

/** One info per file whose transport options are template text (`host: '{{ smtp_host }}'`). */
function templateFinding(path: string, options: OptionSite[]): Finding {
  const keys = [...new Set(options.map((o) => o.key))];
  return makeFinding('nodemailer.template-values', {
    severity: 'info',
    title: `Transport option${keys.length > 1 ? 's' : ''} ${keys.join(', ')} ${keys.length > 1 ? 'are' : 'is'} template text, filled in when the file is rendered: not checked.`,
    detail:
      "A value such as '{{ smtp_port }}' or '<%= host %>' is decided by the template engine (a generator, Ansible, " +
      'a build step), so no rule reads it as a host, a port or a switch. The rest of the transport is checked as usual.',
    fix: 'To check the values too, lint the rendered file.',
    evidence: keys.map((k) => `${k}: (template)`),
    file: path,
    range: options[0].code?.valueRange,
  });
}

/** A repaired parse may place a node in the closers we appended: such an edit could not apply, so it goes. */
function withinText(f: Finding, length: number, index: LineIndex): Finding {
  if (!f.edits) return f;
  const end = index.position(length);
  const inside = (p: { line: number; character: number }) => p.line < end.line || (p.line === end.line && p.character <= end.character);
  if (f.edits.every((e) => inside(e.range.end))) return f;
  const { edits: _dropped, editTitle: _title, ...rest } = f;
  return rest;
}

function byPosition(a: Finding, b: Finding): number {
  const ar = a.range?.start;
  const br = b.range?.start;
  return (ar?.line ?? 0) - (br?.line ?? 0) || (ar?.character ?? 0) - (br?.character ?? 0);
}
