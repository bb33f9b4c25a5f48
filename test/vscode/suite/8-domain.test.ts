import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MailTlsDoctorApi, TreeSnapshotNode } from '../../../src/extension/api';
import { startDomainLab, type DomainLab } from '../../support/domainlab';
import { activateExtension, codeOf, flatten, ours, removeCreated, waitFor, wsUri } from '../helpers';

interface Report {
  domain: string;
  findings: { id: string; severity: string }[];
  senders: { sender: string; outcome: string }[];
  results: { address?: string; tls: unknown }[];
}

// The domain lab of the unit tests (test/support/domainlab): a DNS server on loopback holding signed and unsigned
// test domains, STARTTLS mail servers on 127.0.0.x and an HTTPS MTA-STS policy server with a run-time test CA.
// The resolver setting points every DNS question at the lab; no real name is resolved.
describe('extension: Check Mail Domain and the Domains part of the tree', function () {
  this.timeout(90_000);
  let lab: DomainLab;
  let api: MailTlsDoctorApi;
  const config = () => vscode.workspace.getConfiguration('mailTlsDoctor');
  const ports = () => ({ smtpPort: lab.smtpPort, httpsPort: lab.httpsPort });
  const domainsGroup = () => api.getTreeSnapshot(9).find((n) => n.label === 'Domains');
  const child = (n: TreeSnapshotNode | undefined, label: string | RegExp) =>
    n?.children.find((c) => (typeof label === 'string' ? c.label === label : label.test(c.label)));
  const labels = (n: TreeSnapshotNode | undefined) =>
    flatten(n?.children ?? [])
      .map((c) => `${c.label}${c.description ? ` [${c.description}]` : ''}`)
      .join(' | ');

  before(async () => {
    api = await activateExtension();
    lab = await startDomainLab();
    await config().update('dns.resolver', lab.dns.address, vscode.ConfigurationTarget.Global);
    await config().update('probe.extraCaFiles', [lab.caFile], vscode.ConfigurationTarget.Global);
    await config().update('probe.timeoutSeconds', 5, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    for (const k of ['dns.resolver', 'probe.extraCaFiles', 'probe.timeoutSeconds']) await config().update(k, undefined, vscode.ConfigurationTarget.Global);
    await removeCreated('domainlab');
    await lab?.close();
  });

  it('checks a healthy domain typed by the user: MX -> address -> probe result, DANE, MTA-STS, TLS-RPT and the senders', async () => {
    const reports = (await vscode.commands.executeCommand('mailTlsDoctor.checkDomain', 'Good.Test.', ports())) as Report[];
    assert.equal(reports.length, 1);
    assert.equal(reports[0].domain, 'good.test');
    assert.deepEqual(
      reports[0].findings.filter((f) => f.severity !== 'info').map((f) => f.id),
      [],
    );
    assert.ok(
      lab.dns.log.some((q) => q.name === 'good.test' && q.type === 'MX'),
      'the lab resolver was not asked',
    );
    assert.deepEqual(lab.decoy.log, []);

    const d = child(domainsGroup(), 'good.test');
    assert.ok(d, `no good.test under Domains: ${labels(domainsGroup())}`);
    assert.equal(d.contextValue, 'domain');
    assert.equal(d.icon, 'pass');
    assert.match(d.description ?? '', /1 MX · DANE, MTA-STS enforce, TLS-RPT/);
    const resolver = child(d, /^Resolver /);
    assert.ok(resolver && resolver.label.includes(lab.dns.address), labels(d));
    assert.match(resolver.label, /mailTlsDoctor\.dns\.resolver/);
    assert.equal(resolver.description, 'MX answer secure');

    const mx = child(d, 'MX');
    const host = child(mx, '10 mx1.good.test');
    assert.ok(host, labels(mx));
    assert.match(host.description ?? '', /1 address, DNSSEC/);
    const address = child(host, '127.0.0.11');
    assert.ok(address, labels(host));
    assert.equal(address.icon, 'pass');
    assert.ok(
      address.children.some((c) => /^Negotiated TLSv1\.[23]$/.test(c.label)),
      labels(address),
    );
    assert.ok(
      flatten(address.children).some((c) => c.label.includes('CN=mx1.good.test')),
      labels(address),
    );

    const dane = child(d, 'DANE');
    assert.equal(dane?.description, 'published, DNSSEC-validated');
    assert.ok(
      flatten(dane.children).some((c) => c.label === '127.0.0.11: match'),
      labels(dane),
    );
    assert.equal(child(d, 'MTA-STS')?.description, 'ok, mode enforce');
    assert.ok(
      child(d, 'MTA-STS')?.children.some((c) => c.label === 'mx: mx1.good.test' && c.description === 'matches mx1.good.test'),
      labels(child(d, 'MTA-STS')),
    );
    assert.equal(child(d, 'TLS-RPT')?.description, 'ok');
    assert.ok(child(d, 'TLS-RPT')?.children.some((c) => c.label === 'rua mailto:tlsrpt@good.test'));

    const senders = child(d, "Sender's view");
    assert.deepEqual(
      senders?.children.map((c) => c.label),
      [
        'Opportunistic sender (Postfix may): delivered with unverified TLS',
        'DANE sender (Postfix dane): delivered with verified TLS',
        'MTA-STS sender (enforcing): delivered with verified TLS',
      ],
    );
    assert.match(senders.children[1].description ?? '', /^via mx1\.good\.test: DANE: TLSA/);
  });

  it('a domain the workspace names (unbracketed relayhost) shows under Domains, and its findings land on that config line', async () => {
    const uri = wsUri('domainlab', 'main.cf');
    await vscode.workspace.fs.writeFile(uri, Buffer.from('# relay through the MX hosts of a domain\nrelayhost = danebad.test\n'));
    await vscode.commands.executeCommand('mailTlsDoctor.lintWorkspace');
    const listed = await waitFor(() => child(domainsGroup(), 'danebad.test'), 'danebad.test under Domains');
    assert.match(listed.description ?? '', /^not checked yet/);
    // Which file and line: a workspace has many configs (workspace-relative, as the report writes it).
    assert.match(listed.tooltip ?? '', /Named by relayhost in main\.cf.* \(domainlab\/main\.cf:2\)/);
    assert.equal(lab.dns.log.filter((q) => q.name.includes('danebad')).length, 0, 'a workspace domain was looked up before any command');

    const reports = (await vscode.commands.executeCommand('mailTlsDoctor.checkDomain', 'danebad.test', ports())) as Report[];
    assert.ok(reports[0].findings.some((f) => f.id === 'dane.tlsa-mismatch'));
    const d = child(domainsGroup(), 'danebad.test');
    assert.equal(d?.icon, 'error');
    const dane = child(d, 'DANE');
    assert.ok(dane && dane.children.some((c) => c.contextValue === 'finding' && c.description === 'dane.tlsa-mismatch'), labels(dane));
    assert.ok(
      flatten(dane.children).some((c) => c.label === '127.0.0.11: mismatch'),
      labels(dane),
    );
    assert.equal(child(child(d, "Sender's view"), /^DANE sender/)?.label, 'DANE sender (Postfix dane): deferred');

    const diag = await waitFor(() => ours(uri).find((x) => codeOf(x) === 'dane.tlsa-mismatch'), 'the domain finding on the relayhost line');
    assert.equal(diag.range.start.line, 1);
    assert.equal(diag.range.start.character, 'relayhost = '.length);
    assert.equal(diag.range.end.character, 'relayhost = danebad.test'.length);
    assert.equal(diag.severity, vscode.DiagnosticSeverity.Error);
    assert.match(diag.message, /domain check of danebad\.test/);
  });

  it('a TLS policy map entry names its domain too: the finding lands on that entry', async () => {
    const uri = wsUri('domainlab', 'tls_policy');
    await vscode.workspace.fs.writeFile(uri, Buffer.from('# smtp_tls_policy_maps = hash:/etc/postfix/tls_policy\n.sub.example dane\ndanebad.test dane\n'));
    await vscode.commands.executeCommand('mailTlsDoctor.lintWorkspace');
    const d = await waitFor(() => {
      const n = child(domainsGroup(), 'danebad.test');
      return n?.tooltip?.includes('smtp\\_tls\\_policy\\_maps entry') ? n : undefined;
    }, 'danebad.test named by the policy map as well');
    assert.match(d.tooltip ?? '', /relayhost in main\.cf.* \(domainlab\/main\.cf:2\)/);
    assert.match(d.tooltip ?? '', /smtp\\_tls\\_policy\\_maps entry.* \(domainlab\/tls\\_policy:3\)/);
    assert.equal(child(domainsGroup(), 'sub.example'), undefined, 'a .parent key is not a domain of its own');
    await vscode.commands.executeCommand('mailTlsDoctor.checkDomain', 'danebad.test', ports());
    const diag = await waitFor(() => ours(uri).find((x) => codeOf(x) === 'dane.tlsa-mismatch'), 'the domain finding on the policy map entry');
    assert.equal(diag.range.start.line, 2);
    assert.equal(diag.range.start.character, 0);
    assert.equal(diag.range.end.character, 'danebad.test'.length);
  });

  it('Check Workspace Mail Domains checks what the configs name (trusted workspace: no prompt), through the resolver setting', async () => {
    const before = lab.dns.log.length;
    const reports = (await vscode.commands.executeCommand('mailTlsDoctor.checkWorkspaceDomains')) as Report[];
    assert.ok(
      reports.some((r) => r.domain === 'danebad.test'),
      reports.map((r) => r.domain).join(', '),
    );
    assert.ok(lab.dns.log.slice(before).some((q) => q.name === 'danebad.test' && q.type === 'MX'));
    assert.deepEqual(lab.decoy.log, []);
  });

  it('sender domains (nodemailer auth.user, from) are listed only when the user asks: setting domains.includeSenderDomains', async () => {
    const uri = wsUri('domainlab', 'notify.js');
    await vscode.workspace.fs.writeFile(
      uri,
      Buffer.from(
        "const nodemailer = require('nodemailer');\nmodule.exports = nodemailer.createTransport({ host: '127.0.0.1', port: 2525, auth: { user: 'alerts@sender.test', pass: 'do-not-show-me' } });\n",
      ),
    );
    await vscode.commands.executeCommand('mailTlsDoctor.lintWorkspace');
    assert.equal(child(domainsGroup(), 'sender.test'), undefined, 'a sender domain was listed without being asked for');
    try {
      await config().update('domains.includeSenderDomains', true, vscode.ConfigurationTarget.Global);
      const d = await waitFor(() => child(domainsGroup(), 'sender.test'), 'sender.test under Domains once asked for');
      assert.match(d.tooltip ?? '', /Named by nodemailer auth\.user/);
      assert.match(d.description ?? '', /^not checked yet/);
      assert.ok(!JSON.stringify(api.getTreeSnapshot(9)).includes('do-not-show-me'), 'the password reached the tree');
      assert.equal(lab.dns.log.filter((q) => q.name.includes('sender.test')).length, 0, 'listing a sender domain looked it up');
    } finally {
      await config().update('domains.includeSenderDomains', undefined, vscode.ConfigurationTarget.Global);
    }
    await waitFor(() => (child(domainsGroup(), 'sender.test') ? undefined : true), 'sender.test gone again with the setting off');
  });

  it('the input box refuses what is not a mail domain; a cancelled check shows as cancelled and connects nowhere', async () => {
    const before = lab.dns.log.length;
    const bad = (await vscode.commands.executeCommand('mailTlsDoctor.checkDomain', '127.0.0.11', ports())) as Report[];
    assert.deepEqual(bad, []);
    // The session's probe.ignoredHosts holds *.example.com: an ignored domain is not looked up, and the user is told.
    const ignored = (await vscode.commands.executeCommand('mailTlsDoctor.checkDomain', 'mail.example.com', ports())) as Report[];
    assert.deepEqual(ignored, []);
    assert.ok(
      api.recentNotices().some((n) => n.includes('ignoredHosts; nothing was checked')),
      api.recentNotices().join(' | '),
    );
    const cts = new vscode.CancellationTokenSource();
    cts.cancel();
    const none = (await vscode.commands.executeCommand('mailTlsDoctor.checkDomain', 'nostarttls.test', { ...ports(), cancellation: cts.token })) as Report[];
    assert.deepEqual(none, []);
    assert.equal(lab.dns.log.length, before, 'a refused or cancelled check asked the resolver');
    assert.equal(child(domainsGroup(), 'nostarttls.test')?.description, 'cancelled');
  });

  it('names from DNS are escaped in labels, descriptions and tooltips: bidi controls visible, no link', async () => {
    const evil = 'mx\u202e[x](command:workbench.action.quit).hostile.test';
    lab.dns.spec.records.push({ name: 'hostile.test', type: 'MX', data: { preference: 10, exchange: evil } });
    const reports = (await vscode.commands.executeCommand('mailTlsDoctor.checkDomain', 'hostile.test', ports())) as Report[];
    assert.ok(
      reports[0].findings.some((f) => f.id === 'mx.unresolved'),
      JSON.stringify(reports[0].findings.map((f) => f.id)),
    );
    const d = child(domainsGroup(), 'hostile.test');
    assert.ok(d, labels(domainsGroup()));
    const nodes = [d, ...flatten(d.children)];
    const host = nodes.find((n) => n.label.startsWith('10 mx'));
    assert.equal(host?.label, '10 mx\\u202e[x](command:workbench.action.quit).hostile.test');
    for (const n of nodes) {
      for (const text of [n.label, n.description ?? '', n.tooltip ?? ''])
        assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(text), `raw control character in ${JSON.stringify(text)}`);
    }
    // Markdown tooltips (domains and findings; the others are plain text, never rendered): outside code blocks
    // (inert) the brackets of the would-be link are escaped.
    const markdown = nodes.filter((x) => x.contextValue === 'domain' || x.contextValue === 'finding');
    const tooltips = markdown.map((x) => (x.tooltip ?? '').replace(/(`{3,})[^]*?\1/g, '')).filter((t) => t.includes('command:'));
    assert.ok(tooltips.length > 0, 'no tooltip names the hostile MX');
    for (const t of tooltips) assert.ok(!/(^|[^\\])\[x\]\(command:/.test(t), t);
  });
});
