/** Every id the manifest (package.json) and the code share, in one place so they cannot drift apart. */
export const EXTENSION_ID = 'mail-tls-doctor.mail-tls-doctor';
export const DIAGNOSTIC_SOURCE = 'Mail TLS Doctor';
export const CONFIG_SECTION = 'mailTlsDoctor';
export const VIEW_ID = 'mailTlsDoctor.endpoints';
export const POSTFIX_LANGUAGE = 'postfix';
/** The read-only documents (transcripts, explanations) of src/extension/commands/virtualDocs.ts. */
export const DOC_SCHEME = 'mail-tls-doctor';

export const Command = {
  probeWorkspace: 'mailTlsDoctor.probeWorkspace',
  probeHost: 'mailTlsDoctor.probeHost',
  explainError: 'mailTlsDoctor.explainError',
  lintWorkspace: 'mailTlsDoctor.lintWorkspace',
  showTranscript: 'mailTlsDoctor.showTranscript',
  exportReport: 'mailTlsDoctor.exportReport',
  openDocs: 'mailTlsDoctor.openDocs',
  showView: 'mailTlsDoctor.showView',
  showTlsReport: 'mailTlsDoctor.showTlsReport',
  checkDomain: 'mailTlsDoctor.checkDomain',
  checkWorkspaceDomains: 'mailTlsDoctor.checkWorkspaceDomains',
  // Tree item actions.
  probeAgain: 'mailTlsDoctor.probeAgain',
  openDefinition: 'mailTlsDoctor.openDefinition',
  copyFinding: 'mailTlsDoctor.copyFinding',
  copyCliCommand: 'mailTlsDoctor.copyCliCommand',
  fixAllOfKind: 'mailTlsDoctor.fixAllOfKind',
  // Watch mode's status bar item (soonest certificate expiry).
  showEndpoint: 'mailTlsDoctor.showEndpoint',
} as const;

export type CommandId = (typeof Command)[keyof typeof Command];

/** `contextValue`s of tree items; package.json's `view/item/context` menus match on them. */
export const TreeContext = {
  endpoint: 'endpoint',
  finding: 'finding',
  domain: 'domain',
} as const;
