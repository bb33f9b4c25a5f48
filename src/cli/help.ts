/** Usage of each command, for `mail-tls-doctor help COMMAND` and `COMMAND --help`. */
import { PROTOCOL_NAMES } from '../core/protocols';

const COMMON = `Output and exit code (every command):
  --format text|json|jsonl|sarif   text (default); one JSON document; JSON Lines (one object per endpoint,
                                   file or explanation, printed as soon as it is done); SARIF 2.1.0 for code
                                   scanning. --json is the same as --format json.
  --fail-on error|warning|info|never
                                   the lowest severity that makes the exit code 1 (default: error).
Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 bad usage, 3 internal error,
130 cancelled.`;

export const COMMAND_HELP: Readonly<Record<string, string>> = {
  probe: `Usage: mail-tls-doctor probe [HOST[:PORT]...] [options]
Connects to each mail server (SMTP, IMAP, POP3; STARTTLS or implicit TLS), checks its TLS and certificate,
and explains every problem with its fix.

Targets:
  HOST[:PORT]                 a host name or address, [IPv6]:PORT; the port picks protocol and TLS mode
  SCHEME://HOST[:PORT]        this target's own protocol and mode: smtp, submission, imap, pop3 (STARTTLS);
                              smtps, submissions, imaps, pop3s (implicit TLS); it wins over --protocol,
                              --starttls and --implicit; the port defaults as with them (e.g. imaps: 993)
  --input FILE|-              one target per line (either form, so one list mixes protocols; or standard
                              input); # starts a comment; blank lines skipped
  --from-config PATH          probe the servers the configs under PATH name (Postfix relayhost, nodemailer...);
                              findings then point at the config line
  --shard K/N                 probe only the K-th of N stable parts of the targets (1 <= K <= N): the same
                              target always lands in the same part, so N CI jobs share a list
Probe:
  --protocol ${PROTOCOL_NAMES.join('|')}   --starttls | --implicit   --servername NAME   --ca FILE (repeatable)
  --timeout MS                per step (connect, each reply, the handshake); default 10000
  --concurrency N             endpoints probed at once (default 64); connections per server are capped anyway
  --repeat N                  probe N times and say per endpoint whether a failure is persistent or
                              intermittent (with its rate)
  --verbose, -v               info findings, the certificate chain and the transcript (text format)
  --resolver IP[:PORT]        resolve host names through this DNS server only (not the system's)
An endpoint named by several targets is probed once per run; a server that answered "too many
connections" is left alone for the rest of the run's back-off.

${COMMON}
`,
  lint: `Usage: mail-tls-doctor lint PATH... [options]
Lints every file under each PATH that a linter knows (Postfix main.cf, master.cf and TLS policy tables,
Dovecot dovecot.conf and conf.d files, nodemailer code, .env files, mail logs, TLS-RPT reports). Findings are located at the file, line and column
(SARIF: file and range). A file not read (a config over 10 MB, as a log is read by its last 10 MB; binary
data; UTF-16 text; of no known kind when named) is named on standard error with the reason (JSON: "skipped";
SARIF: a notification of the run). A PATH that does not exist or a folder that cannot be read is named there
too (SARIF: an error notification; a missing PATH exits 2). In folders, a .json file is read as a TLS-RPT report
when its first 16 KB say it is one, whatever its name. Symbolic links in folders are not followed; one named
like a config, or to a folder holding configs, is named there (lint it by name to include it).
  --postfix-version 3.5       the Postfix version the configs are for: quick fixes use ">=TLSv1.2" only for
                              3.6 and later (default: postconf mail_version for this machine's live config,
                              else compatibility_level or the file's syntax; unknown: "!SSLv2, !SSLv3, ...")
  --verbose, -v               what each finding means, its fix and its evidence, under its line (text format)

${COMMON}
`,
  explain: `Usage: mail-tls-doctor explain "ERROR TEXT" [options]   (or the text on standard input, or -)
Says what a mail TLS error or log line means, its likely causes, the fix, and the probe command to check.
  mail-tls-doctor explain --report FILE...   reads TLS-RPT reports (RFC 8460; .json or .json.gz) instead
  --format text|json|jsonl|sarif   (--report: text or json) text (default); one JSON document; JSON Lines;
                                   SARIF 2.1.0 for code scanning. --json is the same as --format json.
  --fail-on error|warning|info|never
                                   exit 1 when something recognised reaches this severity
Exit codes without --fail-on: 0 when something was recognised, 1 when nothing was (--report: 0 when no report
shows a failed session, 1 when one does or cannot be read); with --fail-on: 0 or 1 by the severities of what
was recognised; 2 bad usage, 3 internal error, 130 cancelled.
`,
  check: `Usage: mail-tls-doctor check DOMAIN... [options]
Looks at each mail domain the way a sending MTA does: the MX hosts (every address probed on port 25 with
STARTTLS, the MX name as SNI and reference name), DNSSEC, DANE TLSA records matched against the presented
chain, the MTA-STS record and policy, the TLS-RPT record, and what an opportunistic, a DANE and an
MTA-STS-enforcing sender would do with the mail (docs/findings-domain.md).
  --resolver IP[:PORT]   send every DNS query of the run to this server and nowhere else; its AD bit is the
                         DNSSEC status. Default: the system's first resolver, trusted only on loopback
  --ca FILE              extra trusted CA (repeatable): MX certificates and the MTA-STS policy host
  --timeout MS           per probe step, DNS query and policy fetch; default 10000
  --smtp-port N          probe the MX hosts on port N instead of 25 (a lab, a port forward)
  --https-port N         fetch the MTA-STS policy from port N instead of 443 (a lab)
  --verbose, -v          info findings, certificate chains and transcripts (text format)
  --from-config PATH     also check the mail domains the configs under PATH name (Postfix TLS policy-table
                         and transport-table entries, an unbracketed relayhost); \`lint\` lists them too
Output: --format text|json|jsonl|sarif (--json), --fail-on error|warning|info|never. JSON:
{"schema":"mail-tls-doctor/check@1","domains":[{"domain","mx","dnssec","dane","mtaSts","tlsRpt","senders",
"results","findings"}]}.
Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 bad usage, 3 internal error,
130 cancelled.
The MX probes' findings count as in probe: a certificate that does not verify is an error also where
opportunistic senders deliver anyway (senders that verify defer; "senders" says who delivers).
`,
  report: `Usage: mail-tls-doctor report FILE... [options]   (JSON Lines from --format jsonl; - is standard input)
Merges the JSON Lines of many runs (e.g. the shards of a CI matrix) into one report. A record that appears in
several files is counted once.
  --format sarif|json|jsonl|markdown|text   (default text; jsonl: the merged records, each once, for another report)
  --fail-on error|warning|info|never  exit 1 when the merged findings reach it (default: error)
Exit codes: 0, 1 (findings at or above --fail-on), 2 bad usage or unreadable input, or input files that are all
empty (no record at all: the runs produced nothing; one empty shard among others is fine), 3 internal error.
  mail-tls-doctor report --format html FILE... [--output FILE.html] [--title TEXT]
      the Mail TLS Report of mail logs and TLS-RPT reports (.json, .json.gz): failures per destination over
      time (SVG), result types per MX, every finding; one self-contained HTML file (no script, no remote content)
`,
};

export const USAGE = `Usage:
  mail-tls-doctor probe HOST[:PORT]... | --input FILE | --from-config PATH  [--shard K/N] [--repeat N] [...]
  mail-tls-doctor check DOMAIN... | --from-config PATH  [--resolver IP[:PORT]] [--ca FILE]... [--timeout MS]
  mail-tls-doctor lint PATH...
  mail-tls-doctor explain "ERROR TEXT"   (or the text on standard input)
  mail-tls-doctor explain --report FILE...   (TLS-RPT reports, .json or .json.gz) [--json]
  mail-tls-doctor report FILE.jsonl...   (merge JSON Lines from many runs)
  mail-tls-doctor report --format html MAIL.LOG|REPORT.json[.gz]... [--output FILE.html]
  mail-tls-doctor help COMMAND | --help | --version
Every command takes --format text|json|jsonl|sarif (--json) and --fail-on error|warning|info|never.
`;

export function helpFor(command: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(COMMAND_HELP, command) ? COMMAND_HELP[command] : undefined;
}
