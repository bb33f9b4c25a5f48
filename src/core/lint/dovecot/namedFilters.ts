/**
 * Dovecot 2.4's named filters `ssl_server { }` and `ssl_client { }`: "Setting names that begin with the same prefix as
 * a named filter will be treated as if they belong inside the named filter" (doc.dovecot.org 2.4, Config Syntax,
 * Named Filters), and a setting inside a filter is looked up with the filter's prefix first. So
 * `ssl_server { cert_file = /x }` is `ssl_server_cert_file = /x`, the form doveconf 2.4 itself prints. Dovecot 2.3
 * has no such section (doveconf 2.3.19: "Unknown setting: ssl_server {"), so only a 2.4 config is written that way.
 */
import type { DovecotConf, DovecotSetting } from './parser';
import { FILE_SETTINGS_24, RENAMED_IN_24 } from './version';

/** The named filters with TLS settings, each its prefix. */
const FILTERS = new Set(['ssl_server', 'ssl_client']);

let known: Set<string> | undefined;
/** The 2.4 names of the ssl_server_* / ssl_client_* settings the rules read (built on first use). */
function knownNames(): Set<string> {
  known ??= new Set([...Object.values(RENAMED_IN_24), ...FILE_SETTINGS_24]);
  return known;
}

/**
 * Settings inside an `ssl_server { }` / `ssl_client { }` filter under their full names (`cert_file` ->
 * `ssl_server_cert_file`), with `filter` set; the ssl_server filter itself is dropped from their sections (it
 * narrows nothing: server TLS settings are the server's wherever written). A name the prefix does not complete
 * (`ssl_min_protocol`) stays as written. Ranges stay on the text as written.
 */
export function resolveNamedFilters(conf: DovecotConf): DovecotConf {
  if (!conf.sections.some((s) => FILTERS.has(s.section.name) && s.section.arg === '')) return conf;
  const settings = conf.settings.map((s) => resolve(s));
  return { ...conf, settings };
}

function resolve(s: DovecotSetting): DovecotSetting {
  let innermost = -1;
  for (let i = s.sections.length - 1; i >= 0 && innermost < 0; i--) if (FILTERS.has(s.sections[i].name) && s.sections[i].arg === '') innermost = i;
  if (innermost < 0) return s;
  const prefix = s.sections[innermost].name;
  const full = `${prefix}_${s.name}`;
  const name = knownNames().has(full) ? full : s.name;
  const sections = prefix === 'ssl_server' ? s.sections.filter((_, i) => i !== innermost) : s.sections;
  return { ...s, name, sections, filter: prefix };
}
