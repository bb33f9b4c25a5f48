// Sets the extension's declarative manifest parts (contributes, activationEvents, capabilities) in package.json
// without touching other keys or their order: other parts of package.json (scripts, dependencies) are edited by
// other tools at the same time, so this re-reads the file right before writing and changes only these three keys.
//   node scripts/manifest-editor.mjs
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.join(root, 'package.json');

const category = 'Mail TLS Doctor';
const cmd = (command, title, icon, extra = {}) => ({ command, title, category, ...(icon ? { icon: `$(${icon})` } : {}), ...extra });

const activationEvents = [
  'onLanguage:postfix',
  'onLanguage:javascript',
  'onLanguage:typescript',
  'onLanguage:dotenv',
  'onLanguage:log',
  'workspaceContains:**/main.cf',
  'workspaceContains:**/master.cf',
  'workspaceContains:**/.env',
  'workspaceContains:**/{mail.log,maillog}',
  'workspaceContains:**/dovecot.conf',
  'workspaceContains:**/conf.d/[0-9][0-9]-*.conf',
];

const capabilities = {
  untrustedWorkspaces: {
    supported: 'limited',
    description:
      'Lints run in untrusted workspaces; no connection is opened to a host named in the workspace without your explicit command, files outside the workspace are not read through symbolic links, and probe-on-startup and extra CA files are never taken from workspace settings.',
    restrictedConfigurations: ['mailTlsDoctor.probe.extraCaFiles', 'mailTlsDoctor.probe.onStartup'],
  },
  virtualWorkspaces: false,
};

const contributes = {
  commands: [
    cmd('mailTlsDoctor.probeWorkspace', 'Probe Workspace Mail Servers', 'refresh'),
    cmd('mailTlsDoctor.probeHost', 'Probe Host...', 'add'),
    cmd('mailTlsDoctor.explainError', 'Explain Mail TLS Error...', 'question'),
    cmd('mailTlsDoctor.lintWorkspace', 'Lint Workspace', 'checklist'),
    cmd('mailTlsDoctor.showTranscript', 'Show Transcript', 'output'),
    cmd('mailTlsDoctor.exportReport', 'Export Report (Markdown)', 'export'),
    cmd('mailTlsDoctor.openDocs', 'Open Documentation', 'book'),
    cmd('mailTlsDoctor.showView', 'Show Results', 'list-tree'),
    cmd('mailTlsDoctor.probeAgain', 'Probe Again', 'refresh'),
    cmd('mailTlsDoctor.openDefinition', 'Open Config Line', 'go-to-file'),
    cmd('mailTlsDoctor.copyFinding', 'Copy Finding', 'copy'),
    cmd('mailTlsDoctor.copyCliCommand', 'Copy as CLI Command', 'terminal'),
    cmd('mailTlsDoctor.fixAllOfKind', 'Fix All of This Kind in the File'),
  ],
  menus: {
    commandPalette: ['probeAgain', 'openDefinition', 'copyFinding', 'copyCliCommand', 'fixAllOfKind'].map((c) => ({
      command: `mailTlsDoctor.${c}`,
      when: 'false',
    })),
    'view/title': [
      { command: 'mailTlsDoctor.probeWorkspace', when: 'view == mailTlsDoctor.endpoints', group: 'navigation@1' },
      { command: 'mailTlsDoctor.probeHost', when: 'view == mailTlsDoctor.endpoints', group: 'navigation@2' },
      { command: 'mailTlsDoctor.exportReport', when: 'view == mailTlsDoctor.endpoints', group: 'navigation@3' },
      { command: 'mailTlsDoctor.explainError', when: 'view == mailTlsDoctor.endpoints', group: 'more@1' },
      { command: 'mailTlsDoctor.lintWorkspace', when: 'view == mailTlsDoctor.endpoints', group: 'more@2' },
      { command: 'mailTlsDoctor.showTranscript', when: 'view == mailTlsDoctor.endpoints', group: 'more@3' },
    ],
    'view/item/context': [
      { command: 'mailTlsDoctor.probeAgain', when: 'view == mailTlsDoctor.endpoints && viewItem == endpoint', group: 'inline@1' },
      { command: 'mailTlsDoctor.openDefinition', when: 'view == mailTlsDoctor.endpoints && viewItem == endpoint', group: 'inline@2' },
      { command: 'mailTlsDoctor.probeAgain', when: 'view == mailTlsDoctor.endpoints && viewItem == endpoint', group: '1_probe@1' },
      { command: 'mailTlsDoctor.showTranscript', when: 'view == mailTlsDoctor.endpoints && viewItem == endpoint', group: '1_probe@2' },
      { command: 'mailTlsDoctor.openDefinition', when: 'view == mailTlsDoctor.endpoints && viewItem == endpoint', group: '2_open@1' },
      { command: 'mailTlsDoctor.copyCliCommand', when: 'view == mailTlsDoctor.endpoints && viewItem == endpoint', group: '3_copy@1' },
      { command: 'mailTlsDoctor.copyFinding', when: 'view == mailTlsDoctor.endpoints && viewItem == finding', group: '3_copy@1' },
      { command: 'mailTlsDoctor.copyFinding', when: 'view == mailTlsDoctor.endpoints && viewItem == finding', group: 'inline' },
    ],
  },
  viewsContainers: {
    activitybar: [{ id: 'mailTlsDoctor', title: 'Mail TLS', icon: 'media/mail-tls.svg' }],
  },
  views: {
    mailTlsDoctor: [{ id: 'mailTlsDoctor.endpoints', name: 'Mail TLS', icon: 'media/mail-tls.svg', contextualTitle: 'Mail TLS Doctor' }],
  },
  viewsWelcome: [
    {
      view: 'mailTlsDoctor.endpoints',
      contents:
        'No mail servers found in this workspace yet: Mail TLS Doctor looks for Postfix main.cf/master.cf, Dovecot dovecot.conf and conf.d files, nodemailer transports (with .env values) and mail logs.\n[Probe a Host...](command:mailTlsDoctor.probeHost)\n[Open the Docs](command:mailTlsDoctor.openDocs)',
    },
    {
      view: 'mailTlsDoctor.endpoints',
      contents: 'This workspace is in restricted mode: its configs are linted, but no host named in it is contacted unless you run a probe command yourself.',
      when: '!isWorkspaceTrusted',
    },
  ],
  languages: [
    {
      id: 'postfix',
      aliases: ['Postfix', 'postfix'],
      filenames: ['main.cf', 'master.cf'],
      filenamePatterns: ['**/postfix/main.cf.*', '**/postfix/master.cf.*'],
      configuration: './language-configuration.json',
    },
  ],
  grammars: [{ language: 'postfix', scopeName: 'source.postfix', path: './syntaxes/postfix.tmLanguage.json' }],
  configuration: {
    title: 'Mail TLS Doctor',
    properties: {
      'mailTlsDoctor.probe.timeoutSeconds': {
        type: 'number',
        default: 10,
        minimum: 1,
        maximum: 120,
        markdownDescription: 'Seconds each probe step (connect, each reply, the TLS handshake) may take before it counts as a timeout.',
      },
      'mailTlsDoctor.probe.concurrency': {
        type: 'integer',
        default: 4,
        minimum: 1,
        maximum: 32,
        markdownDescription: 'How many endpoints are probed at the same time. Connections to one host are capped separately.',
      },
      'mailTlsDoctor.probe.extraCaFiles': {
        type: 'array',
        items: { type: 'string' },
        default: [],
        scope: 'machine',
        markdownDescription:
          'PEM files with CA certificates to trust on top of the system roots (a private CA, a test lab). User or remote machine settings only: a workspace cannot set it.',
      },
      'mailTlsDoctor.probe.onStartup': {
        type: 'boolean',
        default: false,
        scope: 'machine',
        markdownDescription:
          'Probe the mail servers the workspace names when it opens. User or remote machine settings only (a workspace cannot turn it on), and never in an untrusted workspace.',
      },
      'mailTlsDoctor.probe.ignoredHosts': {
        type: 'array',
        items: { type: 'string' },
        default: [],
        markdownDescription: 'Host names never probed from the workspace scan: exact names or `*.example.com`.',
      },
      'mailTlsDoctor.certificates.expiryWarningDays': {
        type: 'integer',
        default: 30,
        minimum: 1,
        maximum: 365,
        markdownDescription: 'A certificate expiring within this many days gets a warning.',
      },
      'mailTlsDoctor.severityOverrides': {
        type: 'object',
        default: {},
        additionalProperties: { type: 'string', enum: ['error', 'warning', 'info', 'off'] },
        markdownDescription:
          'Severity per finding id, or `off` to hide it. A key like `cert.*` covers a family. Example: `{ "tls.no-tls13": "off", "cert.expires-soon": "info" }`.',
      },
    },
  },
};

const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
pkg.activationEvents = activationEvents;
pkg.capabilities = capabilities;
pkg.contributes = contributes;
fs.writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
console.log('package.json: activationEvents, capabilities, contributes updated');
