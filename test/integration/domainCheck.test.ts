import * as assert from 'node:assert/strict';
import * as dns from 'node:dns';
import { DomainResolver } from '../../src/core/dns/resolver';
import { checkDomain, type DomainReport } from '../../src/core/domain';
import { main } from '../../src/cli/main';
import { ConnectionLimiter } from '../../src/core/probe';
import { captureIO } from '../support/cli';
import { startDnsServer } from '../support/dns/server';
import { startDomainLab, type DomainLab } from '../support/domainlab';

// The CommonJS module object (patchable), so the test can count getaddrinfo calls.
const dnsModule = require('node:dns') as { lookup: unknown; promises: { lookup: unknown } };

const DOMAINS = [
  'good.test',
  'null.test',
  'implicit.test',
  'unresolved.test',
  'allunresolved.test',
  'cname.test',
  'literal.test',
  'bogus.test',
  'danebad.test',
  'unsigned.test',
  'usage.test',
  'nostarttls.test',
  'txtbad.test',
  'nopolicyhost.test',
  'redirect.test',
  'ctype.test',
  'badpolicy.test',
  'badcert.test',
  'testing.test',
  'mismatch.test',
  'wrongname.test',
  'big.test',
  'norpt.test',
  'rptbad.test',
];

/** The finding each lab domain is built to show (the healthy domain: none at warning or error). */
const EXPECT: Record<string, string[]> = {
  'null.test': ['mx.null'],
  'implicit.test': ['mx.implicit'],
  'unresolved.test': ['mx.unresolved'],
  'allunresolved.test': ['mx.unresolved'],
  'cname.test': ['mx.cname'],
  'literal.test': ['mx.unresolved'],
  'bogus.test': ['dns.bogus'],
  'danebad.test': ['dane.tlsa-mismatch', 'dane.rollover-single'],
  'unsigned.test': ['dane.tlsa-unsigned'],
  'usage.test': ['dane.usage-unsuitable'],
  'nostarttls.test': ['dane.starttls-missing'],
  'txtbad.test': ['mtasts.txt-invalid'],
  'nopolicyhost.test': ['mtasts.policy-fetch-failed'],
  'redirect.test': ['mtasts.policy-redirect'],
  'ctype.test': ['mtasts.policy-content-type'],
  'badpolicy.test': ['mtasts.policy-invalid'],
  'badcert.test': ['mtasts.policy-cert-invalid'],
  'testing.test': ['mtasts.testing', 'mtasts.max-age-short'],
  'mismatch.test': ['mtasts.mx-mismatch'],
  'wrongname.test': ['mtasts.mx-cert-invalid'],
  'big.test': ['mtasts.policy-fetch-failed'],
  'norpt.test': ['tlsrpt.missing'],
  'rptbad.test': ['tlsrpt.invalid'],
};

describe('domain check against a loopback lab (in-process DNS, STARTTLS servers, HTTPS policy server)', function () {
  this.timeout(60_000);
  let lab: DomainLab;
  const reports: Record<string, DomainReport> = {};
  const limiter = new ConnectionLimiter();

  before(async () => {
    lab = await startDomainLab();
    await Promise.all(
      DOMAINS.map(async (d) => {
        const resolver = new DomainResolver({ server: { host: lab.dns.host, port: lab.dns.port }, source: 'option', trusted: true }, { timeoutMs: 2000 });
        reports[d] = await checkDomain(d, {
          resolver,
          caFiles: [lab.caFile],
          timeoutMs: 8000,
          smtpPort: lab.smtpPort,
          httpsPort: lab.httpsPort,
          probeOptions: { scanVersions: false, limiter, probedFrom: 'domain-test' },
        });
      }),
    );
  });
  after(() => lab?.close());

  const ids = (d: string) => reports[d].findings.map((f) => f.id);
  const sender = (d: string, kind: string) => reports[d].senders.find((s) => s.sender === kind)!;

  it('the healthy domain: DANE matches (EE and TA), MTA-STS enforce, TLS-RPT, no warning or error', () => {
    const r = reports['good.test'];
    assert.deepEqual(
      r.findings.filter((f) => f.severity !== 'info').map((f) => f.id),
      [],
    );
    assert.equal(r.dnssec.mx, 'secure');
    assert.equal(r.mx.hosts[0].name, 'mx1.good.test');
    assert.deepEqual(r.mx.hosts[0].addresses, ['127.0.0.11']);
    assert.equal(r.results.length, 1);
    assert.equal(r.results[0].endpoint.servername, 'mx1.good.test');
    assert.equal(r.results[0].trusted, true);
    const dane = r.dane.hosts[0];
    assert.equal(dane.applies, true);
    assert.equal(dane.addresses[0].verdict, 'match');
    assert.deepEqual(dane.addresses[0].matches.map((m) => [m.record.slice(0, 5), m.certIndex]).sort(), [
      ['2 1 1', 1],
      ['3 1 1', 0],
    ]);
    assert.equal(r.mtaSts.status, 'ok');
    assert.equal(r.mtaSts.policy?.mode, 'enforce');
    assert.equal(r.tlsRpt.status, 'ok');
    assert.equal(sender('good.test', 'opportunistic').outcome, 'unverified-tls');
    assert.equal(sender('good.test', 'dane').outcome, 'verified-tls');
    assert.equal(sender('good.test', 'mta-sts').outcome, 'verified-tls');
    assert.doesNotMatch(sender('good.test', 'dane').reason, /Trusted/);
  });

  it('an unsigned MX answer whose host has signed TLSA records: DANE senders use them, and Postfix logs Trusted, not Verified', () => {
    const r = reports['unresolved.test'];
    assert.equal(r.dnssec.mx, 'insecure');
    const dane = sender('unresolved.test', 'dane');
    assert.equal(dane.outcome, 'verified-tls');
    assert.match(
      dane.reason,
      /DANE: TLSA .* of mx1\.good\.test; the MX answer of unresolved\.test is not DNSSEC-signed, so Postfix logs this as Trusted, not Verified \(after skipping: nowhere\.unresolved\.test has no address\)$/,
    );
  });

  for (const [domain, expected] of Object.entries(EXPECT)) {
    it(`${domain}: ${expected.join(', ')}`, () => {
      for (const id of expected) assert.ok((ids(domain) as string[]).includes(id), `${domain}: expected ${id}, got ${ids(domain).join(', ') || 'nothing'}`);
    });
  }

  it("the sender's view follows the consequence", () => {
    assert.equal(sender('null.test', 'opportunistic').outcome, 'rejected');
    assert.equal(sender('bogus.test', 'dane').outcome, 'deferred');
    assert.deepEqual(sender('bogus.test', 'dane').findings, ['dns.bogus']);
    assert.equal(sender('danebad.test', 'dane').outcome, 'deferred');
    assert.deepEqual(sender('danebad.test', 'dane').findings, ['dane.tlsa-mismatch']);
    assert.equal(sender('danebad.test', 'opportunistic').outcome, 'unverified-tls');
    assert.equal(sender('nostarttls.test', 'dane').outcome, 'deferred');
    assert.equal(sender('nostarttls.test', 'opportunistic').outcome, 'cleartext');
    assert.equal(sender('unsigned.test', 'dane').outcome, 'unverified-tls', 'unsigned TLSA records are ignored');
    assert.equal(sender('usage.test', 'dane').outcome, 'verified-tls', 'the usable 3 1 1 and 3 0 2 records still authenticate');
    assert.equal(sender('mismatch.test', 'mta-sts').outcome, 'deferred');
    assert.deepEqual(sender('mismatch.test', 'mta-sts').findings, ['mtasts.mx-mismatch']);
    assert.equal(sender('wrongname.test', 'mta-sts').outcome, 'deferred');
    assert.equal(sender('wrongname.test', 'opportunistic').outcome, 'unverified-tls');
    assert.equal(sender('testing.test', 'mta-sts').outcome, 'unverified-tls', 'testing mode delivers');
    assert.equal(sender('unresolved.test', 'opportunistic').outcome, 'unverified-tls');
    assert.equal(sender('unresolved.test', 'opportunistic').via, 'mx1.good.test');
    assert.equal(sender('allunresolved.test', 'opportunistic').outcome, 'deferred');
    // An MX naming an address: not looked up as a name, skipped as Postfix does, and said in those words.
    const literal = reports['literal.test'].findings.find((f) => f.id === 'mx.unresolved')!;
    assert.equal(literal.title, 'The MX record of literal.test names an IP address (127.0.0.11), not a host name; senders skip it.');
    assert.equal(literal.severity, 'warning');
    assert.equal(reports['literal.test'].mx.hosts[0].literal, true);
    assert.ok(!lab.dns.log.some((q) => q.name === '127.0.0.11'), 'the address was looked up as a name');
    assert.equal(sender('literal.test', 'opportunistic').via, 'mx1.good.test');
    assert.match(sender('literal.test', 'opportunistic').reason, /after skipping: 127\.0\.0\.11 is an IP address, not a host name/);
    assert.equal(reports['allunresolved.test'].findings.find((f) => f.id === 'mx.unresolved')?.severity, 'error');
    assert.equal(reports['unresolved.test'].findings.find((f) => f.id === 'mx.unresolved')?.severity, 'warning');
  });

  it('severity: what makes a strict sender defer is an error, testing mode only warns', () => {
    const sev = (d: string, id: string) => reports[d].findings.find((f) => f.id === id)?.severity;
    assert.equal(sev('danebad.test', 'dane.tlsa-mismatch'), 'error');
    assert.equal(sev('nostarttls.test', 'dane.starttls-missing'), 'error');
    // The title reads as a sentence (no finding id or doubled stop in it); the probe's finding goes to the detail.
    const missing = reports['nostarttls.test'].findings.find((f) => f.id === 'dane.starttls-missing')!;
    assert.match(missing.title, /^mx\.nostarttls\.test \(127\.0\.0\.\d+\) publishes TLSA records but has no working STARTTLS: DANE senders defer the mail\.$/);
    assert.match(missing.detail, /found: The server does not offer STARTTLS\. \[starttls\.not-offered\]$/);
    assert.equal(sev('mismatch.test', 'mtasts.mx-mismatch'), 'error');
    assert.equal(sev('wrongname.test', 'mtasts.mx-cert-invalid'), 'error');
    assert.equal(sev('bogus.test', 'dns.bogus'), 'error');
    // TLS-RPT is asked for by what the domain has: TLSA records at its MX (danebad), an MTA-STS record and both (norpt).
    const rpt = (d: string) => reports[d].findings.find((f) => f.id === 'tlsrpt.missing')?.title;
    assert.match(rpt('danebad.test') ?? '', /^The MX hosts of danebad\.test publish TLSA records \(DANE\), but danebad\.test has no TLS-RPT record/);
    assert.match(rpt('norpt.test') ?? '', /^norpt\.test publishes an MTA-STS record and its MX hosts TLSA records \(DANE\), but no TLS-RPT record/);
    assert.equal(sev('testing.test', 'mtasts.testing'), 'info');
    // A short max_age while testing is harmless (RFC 8461 3.2 asks for weeks once the policy protects anything).
    assert.equal(sev('testing.test', 'mtasts.max-age-short'), 'info');
  });

  it('the policy fetch sends the policy host as Host and never follows the redirect', () => {
    assert.ok(lab.policyHits.includes('mta-sts.redirect.test /.well-known/mta-sts.txt'));
    assert.ok(!lab.policyHits.some((h) => h.startsWith('www.redirect.test')));
  });

  it('a resolver that hands out signed data without AD is reported as not validating', async () => {
    const nonValidating = await startDnsServer({ ...lab.dns.spec, signed: undefined, bogus: undefined, signaturesWithoutAd: true });
    try {
      const resolver = new DomainResolver(
        { server: { host: nonValidating.host, port: nonValidating.port }, source: 'option', trusted: true },
        { timeoutMs: 2000 },
      );
      const r = await checkDomain('good.test', {
        resolver,
        caFiles: [lab.caFile],
        timeoutMs: 3000,
        smtpPort: lab.smtpPort,
        httpsPort: lab.httpsPort,
        probeOptions: { scanVersions: false, limiter },
      });
      assert.ok(
        r.findings.some((f) => f.id === 'dns.resolver-not-validating'),
        r.findings.map((f) => f.id).join(', '),
      );
      assert.equal(r.dnssec.mx, 'insecure');
    } finally {
      await nonValidating.close();
    }
  });

  it('CLI: with --resolver every query goes to that server and no packet anywhere else; JSON shape; exit 0', async () => {
    const before = lab.dns.log.length;
    const saved = dns.getServers();
    const origLookup = dnsModule.lookup as (...a: unknown[]) => unknown;
    const origPromiseLookup = dnsModule.promises.lookup as (...a: unknown[]) => unknown;
    let systemLookups = 0;
    // The "system" resolver is the decoy; any getaddrinfo call would be counted too.
    dns.setServers([lab.decoy.address]);
    dnsModule.lookup = (...args: unknown[]) => {
      systemLookups++;
      return origLookup(...args);
    };
    dnsModule.promises.lookup = (...args: unknown[]) => {
      systemLookups++;
      return origPromiseLookup(...args);
    };
    try {
      const io = captureIO();
      const code = await main(
        [
          'check',
          'good.test',
          '--resolver',
          lab.dns.address,
          '--ca',
          lab.caFile,
          '--timeout',
          '8000',
          '--smtp-port',
          String(lab.smtpPort),
          '--https-port',
          String(lab.httpsPort),
          '--json',
        ],
        io,
      );
      assert.equal(code, 0, io.stderr + io.stdout.slice(0, 2000));
      const out = JSON.parse(io.stdout) as { domains: Record<string, unknown>[] };
      assert.deepEqual(Object.keys(out.domains[0]).sort(), ['dane', 'dnssec', 'domain', 'findings', 'mtaSts', 'mx', 'results', 'senders', 'tlsRpt'].sort());
      const asked = lab.dns.log.slice(before).map((q) => `${q.name}/${q.type}`);
      for (const q of [
        'good.test/MX',
        'mx1.good.test/A',
        'mx1.good.test/AAAA',
        '_25._tcp.mx1.good.test/TLSA',
        '_mta-sts.good.test/TXT',
        'mta-sts.good.test/A',
        '_smtp._tls.good.test/TXT',
      ]) {
        assert.ok(asked.includes(q), `${q} not asked of the --resolver server: ${asked.join(' ')}`);
      }
      assert.equal(lab.decoy.log.length, 0, 'the system resolver got a packet');
      assert.equal(systemLookups, 0, 'dns.lookup (getaddrinfo) was called');
      // probe --resolver resolves through the given server too.
      const p = captureIO();
      await main(['probe', `mx1.good.test:${lab.smtpPort}`, '--resolver', lab.dns.address, '--ca', lab.caFile, '--timeout', '8000', '--json'], p);
      const probed = JSON.parse(p.stdout) as { results: { address: string; trusted: boolean }[] };
      assert.equal(probed.results[0].address, '127.0.0.11');
      assert.equal(probed.results[0].trusted, true);
      assert.equal(lab.decoy.log.length, 0);
      assert.equal(systemLookups, 0);
    } finally {
      dns.setServers(saved);
      dnsModule.lookup = origLookup;
      dnsModule.promises.lookup = origPromiseLookup;
    }
  });

  /** `check DOMAIN` in text against the lab: its resolver, CA and ports. */
  const checkText = async (domain: string) => {
    const io = captureIO();
    const args = ['--resolver', lab.dns.address, '--ca', lab.caFile, '--timeout', '8000', '--smtp-port', String(lab.smtpPort)];
    const code = await main(['check', domain, ...args, '--https-port', String(lab.httpsPort)], io);
    return { code, stdout: io.stdout };
  };

  it('CLI: a failing domain exits 1 and the text output names the finding and the senders', async () => {
    const { code, stdout } = await checkText('danebad.test');
    assert.equal(code, 1);
    assert.match(stdout, /\[dane\.tlsa-mismatch\]/);
    assert.match(stdout, /dane +deferred/);
    assert.match(stdout, /^Domain danebad\.test {2}resolver 127\.0\.0\.1:\d+ \(given with --resolver\)$/m);
  });

  it('CLI text: an implicit MX is not shown as a record of preference 0', async () => {
    const { stdout } = await checkText('implicit.test');
    assert.match(stdout, /^ {2}MX {8}implicit\.test: 127\.0\.0\.11 \(no MX record: senders use the domain's own address\)$/m);
    assert.doesNotMatch(stdout, /MX +0 +implicit\.test/);
  });

  it('CLI text: an address with TLSA records but no TLS session says so in words', async () => {
    const { code, stdout } = await checkText('nostarttls.test');
    assert.equal(code, 1);
    assert.match(stdout, /: no TLS session, so no certificate to match the records/);
    assert.doesNotMatch(stdout, /: no-tls\b/);
  });
});

describe('domain check CLI: DNS failures name their cause, and the dig they suggest asks the --resolver server', function () {
  this.timeout(60_000);
  let lab: DomainLab;
  before(async () => {
    lab = await startDomainLab();
  });
  after(() => lab?.close());

  const checkJson = async (domain: string, resolver: string, timeoutMs = 8000) => {
    const io = captureIO();
    const args = ['--resolver', resolver, '--ca', lab.caFile, '--timeout', String(timeoutMs), '--smtp-port', String(lab.smtpPort)];
    const code = await main(['check', domain, ...args, '--https-port', String(lab.httpsPort), '--json'], io);
    return { code, report: (JSON.parse(io.stdout) as { domains: DomainReport[] }).domains[0] };
  };
  const digAt = (address: string) => `dig @${address.replace(/:(\d+)$/, ' -p $1')}`;

  it('a domain that does not exist (NXDOMAIN): senders bounce at once, not defer; the dig asks the given resolver', async () => {
    const { code, report } = await checkJson('nosuchdomain.test', lab.dns.address);
    assert.equal(code, 1);
    assert.equal(report.mx.status, 'nxdomain');
    const f = report.findings.find((x) => x.id === 'dns.unresolved')!;
    assert.match(f.title, /^nosuchdomain\.test does not exist \(its MX lookup answers NXDOMAIN\): senders bounce/);
    assert.ok(f.fix?.includes(`\`${digAt(lab.dns.address)} NS nosuchdomain.test\``), f.fix);
    assert.ok(report.senders.every((s) => s.outcome === 'rejected'));
  });

  it('a resolver that never answers: the resolver failed, not the domain; the dig asks that resolver', async () => {
    const silent = await startDnsServer({ records: [], silent: true });
    try {
      const { code, report } = await checkJson('good.test', silent.address, 500);
      assert.equal(code, 1);
      const f = report.findings.find((x) => x.id === 'dns.unresolved')!;
      assert.match(
        f.title,
        new RegExp(
          `^The resolver ${silent.address.replace(/\./g, '\\.')} gave no usable answer to the MX query for good\\.test .*: the domain was not checked\\.$`,
        ),
      );
      assert.doesNotMatch(f.title, /senders defer/);
      assert.ok(f.fix?.includes(`\`${digAt(silent.address)} MX good.test\``), f.fix);
      // The TXT lookups failed the same way: the MX finding says it once, no TXT finding repeats it.
      assert.deepEqual(
        report.findings.map((x) => x.id),
        ['dns.unresolved'],
      );
    } finally {
      await silent.close();
    }
  });

  it('a certificate error at an MX with neither MTA-STS nor DANE: still an error and exit 1 (as in probe), and it says opportunistic senders deliver anyway', async () => {
    const dnsServer = await startDnsServer({
      records: [
        { name: 'nopolicy.test', type: 'MX', data: { preference: 10, exchange: 'mx.nopolicy.test' } },
        // 127.0.0.13 presents a certificate for somebody-else.test.
        { name: 'mx.nopolicy.test', type: 'A', data: '127.0.0.13' },
      ],
    });
    try {
      const { code, report } = await checkJson('nopolicy.test', dnsServer.address);
      assert.equal(code, 1);
      assert.deepEqual(report.findings, []);
      assert.equal(report.senders.find((v) => v.sender === 'opportunistic')?.outcome, 'unverified-tls');
      const cert = report.results[0].findings.find((f) => f.id === 'cert.hostname-mismatch')!;
      assert.equal(cert.severity, 'error');
      assert.match(
        cert.detail,
        /For mail to nopolicy\.test: neither an MTA-STS policy in enforce mode nor usable DANE records cover mx\.nopolicy\.test, so sending MTAs that use opportunistic TLS .* still deliver here, encrypted but unauthenticated .*senders that verify certificates for this destination .* defer the mail/,
      );
      // The same certificate under an enforced MTA-STS policy has its own domain finding and no such text.
      const { report: sts } = await checkJson('wrongname.test', lab.dns.address);
      assert.ok(sts.findings.some((f) => f.id === 'mtasts.mx-cert-invalid'));
      assert.ok(sts.results.every((r) => r.findings.every((f) => !f.detail.includes('For mail to'))));
      // Text: no "OK" over an exit code of 1.
      const io = captureIO();
      const args = ['--resolver', dnsServer.address, '--ca', lab.caFile, '--timeout', '8000', '--smtp-port', String(lab.smtpPort)];
      assert.equal(await main(['check', 'nopolicy.test', ...args], io), 1);
      assert.doesNotMatch(io.stdout, /OK: no domain findings/);
      assert.match(io.stdout, /No domain findings; the MX probes below have [1-9]\d* errors?\n/);
    } finally {
      await dnsServer.close();
    }
  });

  it('_mta-sts and _smtp._tls TXT lookups that SERVFAIL: a finding each (senders without a cached policy go without MTA-STS; no reports), and the MTA-STS sender says so', async () => {
    const dnsServer = await startDnsServer({
      records: [
        { name: 'stsfail.test', type: 'MX', data: { preference: 10, exchange: 'mx1.good.test' } },
        { name: 'mx1.good.test', type: 'A', data: '127.0.0.11' },
      ],
      servfail: new Set(['_mta-sts.stsfail.test', '_smtp._tls.stsfail.test']),
    });
    try {
      const { code, report } = await checkJson('stsfail.test', dnsServer.address);
      assert.equal(code, 0, JSON.stringify(report.findings.map((f) => [f.id, f.severity])));
      assert.equal(report.mtaSts.status, 'lookup-failed');
      assert.equal(report.tlsRpt.status, 'lookup-failed');
      const sts = report.findings.find((x) => x.id === 'mtasts.txt-lookup-failed');
      assert.ok(sts, JSON.stringify(report.findings.map((f) => f.id)));
      assert.equal(sts.severity, 'warning');
      assert.match(
        sts.title,
        /^The MTA-STS TXT lookup of _mta-sts\.stsfail\.test fails \(SERVFAIL, also with checking disabled\): senders without a cached policy deliver as if stsfail\.test had no MTA-STS\.$/,
      );
      assert.match(sts.detail, /RFC 8461 3\.3/);
      assert.ok(sts.fix?.includes(`\`${digAt(dnsServer.address)} TXT _mta-sts.stsfail.test\``), sts.fix);
      const rpt = report.findings.find((x) => x.id === 'tlsrpt.txt-lookup-failed');
      assert.ok(rpt);
      // MTA-STS may be published (the lookup failed), so reports would matter: a warning.
      assert.equal(rpt.severity, 'warning');
      assert.match(rpt.title, /^The TLS-RPT TXT lookup of _smtp\._tls\.stsfail\.test fails .*: senders that cannot read it send no TLS reports\.$/);
      const view = report.senders.find((v) => v.sender === 'mta-sts')!;
      assert.equal(view.outcome, 'unverified-tls');
      assert.match(
        view.reason,
        /^the _mta-sts TXT lookup failed: a sender with a cached, unexpired policy applies that policy \(RFC 8461 3\.3\); one without delivers as if there were no MTA-STS: /,
      );
      assert.ok(view.findings.includes('mtasts.txt-lookup-failed'));
      const strict = captureIO();
      const args = ['--resolver', dnsServer.address, '--ca', lab.caFile, '--timeout', '8000', '--smtp-port', String(lab.smtpPort)];
      assert.equal(await main(['check', 'stsfail.test', ...args, '--https-port', String(lab.httpsPort), '--fail-on', 'warning'], strict), 1);
    } finally {
      await dnsServer.close();
    }
  });

  it('a bogus answer: the dig that shows the records and signatures asks the given resolver', async () => {
    const { report } = await checkJson('bogus.test', lab.dns.address);
    const f = report.findings.find((x) => x.id === 'dns.bogus')!;
    assert.ok(f.fix?.includes(`\`${digAt(lab.dns.address)} +cd +dnssec MX bogus.test\``), f.fix);
    assert.doesNotMatch(f.fix ?? '', /`dig \+cd/);
  });

  it('probe --resolver: a name without an address suggests dig against that resolver, not the system one', async () => {
    const io = captureIO();
    await main(['probe', `nowhere.good.test:${lab.smtpPort}`, '--resolver', lab.dns.address, '--timeout', '3000', '--json'], io);
    const f = (JSON.parse(io.stdout) as { results: { findings: { id: string; fix?: string }[] }[] }).results[0].findings[0];
    assert.equal(f.id, 'dns.unresolved');
    assert.ok(f.fix?.includes(`\`${digAt(lab.dns.address)} +short A nowhere.good.test\``), f.fix);
    assert.doesNotMatch(f.fix ?? '', /`dig \+short/);
  });

  it("probe --resolver with a resolver that never answers, or SERVFAILs: the resolver (or the zone's servers) failed, the host was not checked; not 'does not resolve'", async () => {
    const silent = await startDnsServer({ records: [], silent: true });
    const broken = await startDnsServer({ records: [], servfail: new Set(['*']) });
    try {
      const probeWith = async (resolver: string) => {
        const io = captureIO();
        const code = await main(['probe', `mx1.good.test:${lab.smtpPort}`, '--resolver', resolver, '--timeout', '500', '--json'], io);
        const findings = (JSON.parse(io.stdout) as { results: { findings: { id: string; title: string; fix?: string }[] }[] }).results[0].findings;
        assert.equal(findings.length, 1);
        return { code, f: findings[0] };
      };
      const dead = await probeWith(silent.address);
      assert.equal(dead.code, 1);
      assert.equal(dead.f.id, 'dns.unresolved');
      // The query that timed out (the resolver's own timeout) or, when the probe's timeout ends first, the lookup
      // of the addresses as a whole: never an A query named when A and AAAA were both unanswered.
      assert.match(
        dead.f.title,
        new RegExp(
          `^The resolver ${silent.address.replace(/\./g, '\\.')} gave no usable answer to (the A(AAA)? query for|the lookup of the addresses of) mx1\\.good\\.test .*: the host was not checked\\.$`,
        ),
      );
      assert.doesNotMatch(dead.f.title, /does not resolve/);
      assert.ok(dead.f.fix?.includes(`\`${digAt(silent.address)} A`), dead.f.fix);
      const sf = await probeWith(broken.address);
      assert.equal(sf.f.id, 'dns.unresolved');
      assert.match(sf.f.title, /^The A(AAA)? lookup of mx1\.good\.test failed \(SERVFAIL, also with checking disabled\): the host was not checked\.$/);
      assert.ok(sf.f.fix?.includes(`\`${digAt(broken.address)} A`), sf.f.fix);
    } finally {
      await Promise.all([silent.close(), broken.close()]);
    }
  });

  it('probe --resolver: an address record that fails DNSSEC validation is dns.bogus, not a missing name', async () => {
    const io = captureIO();
    await main(['probe', `bogus.test:${lab.smtpPort}`, '--resolver', lab.dns.address, '--timeout', '3000', '--json'], io);
    const f = (JSON.parse(io.stdout) as { results: { findings: { id: string; title: string }[] }[] }).results[0].findings[0];
    assert.equal(f.id, 'dns.bogus');
    assert.match(
      f.title,
      /^DNSSEC validation fails for the A(AAA)? records of bogus\.test: a validating resolver gives no address for it, so the host was not checked\.$/,
    );
  });
});
