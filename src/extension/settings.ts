// No `vscode` import: validation is pure, so it runs in unit tests and the adapter only supplies the raw values.
import { termSafe } from '../core/escape';
import { isSeverityOverride, type SeverityOverrides } from '../core/report/overrides';
import { parseServer, type DnsServer } from '../core/dns/server';

export interface Settings {
  timeoutMs: number;
  concurrency: number;
  extraCaFiles: string[];
  expiryWarningDays: number;
  probeOnStartup: boolean;
  /** Exact names or `*.example.com` wildcards, lower-cased. */
  ignoredHosts: string[];
  severityOverrides: SeverityOverrides;
  /** The Postfix version the configs are for ("" = unknown: edits use the syntax every version reads). */
  postfixVersion: string;
  /** Watch mode: re-probe the workspace's endpoints every so many minutes; 0 = off, else at least 5. */
  probeIntervalMinutes: number;
  /** The DNS resolver the domain check asks (and whose AD bit it trusts); undefined: the system's. */
  dnsResolver?: DnsServer;
  /** Offer the sender domains nodemailer files name (`from`, `auth.user`) to the domain check too. */
  includeSenderDomains: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  timeoutMs: 10_000,
  concurrency: 4,
  extraCaFiles: [],
  expiryWarningDays: 30,
  probeOnStartup: false,
  ignoredHosts: [],
  severityOverrides: {},
  postfixVersion: '',
  probeIntervalMinutes: 0,
  includeSenderDomains: false,
};

/** Keys under the `mailTlsDoctor` section, as declared in package.json. */
export const SettingKey = {
  timeout: 'probe.timeoutSeconds',
  concurrency: 'probe.concurrency',
  extraCaFiles: 'probe.extraCaFiles',
  probeOnStartup: 'probe.onStartup',
  ignoredHosts: 'probe.ignoredHosts',
  expiryWarningDays: 'certificates.expiryWarningDays',
  severityOverrides: 'severityOverrides',
  postfixVersion: 'postfix.version',
  probeIntervalMinutes: 'probe.intervalMinutes',
  dnsResolver: 'dns.resolver',
  includeSenderDomains: 'domains.includeSenderDomains',
} as const;

export interface SettingsReading {
  settings: Settings;
  /**
   * One sentence per bad value: which setting, what was wrong, what is used instead. Values are quoted through the
   * terminal escaper (one line each), for the output channel; never put them into a notification.
   */
  problems: string[];
  /** The full names of the settings that have a problem: what a notification may name. */
  problemKeys: string[];
}

/** Validates raw configuration values; a bad value falls back to the default and yields a problem. */
export function readSettings(get: (key: string) => unknown, section = 'mailTlsDoctor'): SettingsReading {
  const problems: string[] = [];
  const problemKeys = new Set<string>();
  const name = (k: string) => {
    problemKeys.add(`${section}.${k}`);
    return `${section}.${k}`;
  };
  const quote = (v: unknown) => termSafe(JSON.stringify(v) ?? String(v), 80);
  const int = (key: string, min: number, max: number, fallback: number): number => {
    const v = get(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      problems.push(`${name(key)} must be a number from ${min} to ${max} (got ${quote(v)}); using ${fallback}.`);
      return fallback;
    }
    return v;
  };
  const strings = (key: string): string[] => {
    const v = get(key);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      problems.push(`${name(key)} must be a list of strings; ignoring it.`);
      return [];
    }
    return v.map((x: string) => x.trim()).filter((x) => x.length > 0);
  };

  const timeoutSeconds = int(SettingKey.timeout, 1, 120, DEFAULT_SETTINGS.timeoutMs / 1000);
  const concurrency = Math.floor(int(SettingKey.concurrency, 1, 32, DEFAULT_SETTINGS.concurrency));
  const expiryWarningDays = Math.floor(int(SettingKey.expiryWarningDays, 1, 365, DEFAULT_SETTINGS.expiryWarningDays));

  const startup = get(SettingKey.probeOnStartup);
  let probeOnStartup = DEFAULT_SETTINGS.probeOnStartup;
  if (typeof startup === 'boolean') probeOnStartup = startup;
  else if (startup !== undefined && startup !== null) problems.push(`${name(SettingKey.probeOnStartup)} must be true or false; using false.`);

  const ignoredHosts: string[] = [];
  for (const h of strings(SettingKey.ignoredHosts)) {
    if (/^(\*\.)?[A-Za-z0-9_.:-]+$/.test(h)) ignoredHosts.push(h.toLowerCase());
    else problems.push(`${name(SettingKey.ignoredHosts)}: ${quote(h.slice(0, 60))} is not a host name or *.domain pattern; ignoring it.`);
  }

  const severityOverrides: Record<string, 'error' | 'warning' | 'info' | 'off'> = {};
  const rawOverrides = get(SettingKey.severityOverrides);
  if (rawOverrides !== undefined && rawOverrides !== null) {
    if (typeof rawOverrides !== 'object' || Array.isArray(rawOverrides)) {
      problems.push(`${name(SettingKey.severityOverrides)} must be an object like {"cert.expires-soon": "info"}; ignoring it.`);
    } else {
      for (const [id, value] of Object.entries(rawOverrides as Record<string, unknown>)) {
        if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*(\.\*)?$/.test(id)) {
          problems.push(`${name(SettingKey.severityOverrides)}: ${quote(id.slice(0, 60))} is not a finding id (like cert.expired or cert.*); ignoring it.`);
        } else if (!isSeverityOverride(value)) {
          problems.push(`${name(SettingKey.severityOverrides)}: ${quote(id)} must be "error", "warning", "info" or "off" (got ${quote(value)}); ignoring it.`);
        } else {
          severityOverrides[id] = value;
        }
      }
    }
  }

  let postfixVersion = '';
  const rawVersion = get(SettingKey.postfixVersion);
  if (typeof rawVersion === 'string' && /^\s*\d{1,3}\.\d{1,3}(\.\d{1,4})?\s*$/.test(rawVersion)) postfixVersion = rawVersion.trim();
  else if (rawVersion !== undefined && rawVersion !== null && rawVersion !== '') {
    problems.push(`${name(SettingKey.postfixVersion)} must be a version such as "3.5" or "3.7.11"; treating the version as unknown.`);
  }

  let probeIntervalMinutes = Math.floor(int(SettingKey.probeIntervalMinutes, 0, 10_080, 0));
  if (probeIntervalMinutes > 0 && probeIntervalMinutes < 5) {
    problems.push(`${name(SettingKey.probeIntervalMinutes)} is ${probeIntervalMinutes}; watch mode probes at most every 5 minutes, so 5 is used.`);
    probeIntervalMinutes = 5;
  }

  const senders = get(SettingKey.includeSenderDomains);
  let includeSenderDomains = DEFAULT_SETTINGS.includeSenderDomains;
  if (typeof senders === 'boolean') includeSenderDomains = senders;
  else if (senders !== undefined && senders !== null) problems.push(`${name(SettingKey.includeSenderDomains)} must be true or false; using false.`);

  let dnsResolver: DnsServer | undefined;
  const rawResolver = get(SettingKey.dnsResolver);
  if (typeof rawResolver === 'string' && rawResolver.trim() !== '') {
    const server = parseServer(rawResolver);
    if ('error' in server)
      problems.push(
        `${name(SettingKey.dnsResolver)}: ${quote(rawResolver.slice(0, 60))} is not a resolver address (an IP address with an optional :PORT, like 127.0.0.1 or [::1]:5353); using the system's resolver.`,
      );
    else dnsResolver = server;
  } else if (rawResolver !== undefined && rawResolver !== null && rawResolver !== '') {
    problems.push(`${name(SettingKey.dnsResolver)} must be an address such as "127.0.0.1" or "[::1]:5353"; using the system's resolver.`);
  }

  return {
    settings: {
      timeoutMs: timeoutSeconds * 1000,
      concurrency,
      extraCaFiles: strings(SettingKey.extraCaFiles),
      expiryWarningDays,
      probeOnStartup,
      ignoredHosts,
      severityOverrides,
      postfixVersion,
      probeIntervalMinutes,
      dnsResolver,
      includeSenderDomains,
    },
    problems,
    problemKeys: [...problemKeys],
  };
}

export function isIgnoredHost(host: string, ignored: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return ignored.some((p) => (p.startsWith('*.') ? h.endsWith(p.slice(1)) : h === p.replace(/\.$/, '')));
}
