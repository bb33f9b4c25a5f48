/**
 * Each finding's documentation names what backs it: every registered postfix.* and dovecot.* id, every probe TLS id
 * (tls.*, starttls.*, mode.*), every cert.*, nodemailer.*, dotenv.*, explain.* and maillog.* id, every id of the domain
 * check's families (mx.*, dane.*, mtasts.*, and dns.*) and of tlsrpt.* appears in the "Sources" section of its docs page,
 * and each entry names a checkable source.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FAMILIES, FINDINGS } from '../../../../src/core/findings/registry';

const DOCS = path.join(__dirname, '..', '..', '..', '..', 'docs');

function sourcesOf(page: string): string {
  const text = fs.readFileSync(path.join(DOCS, page), 'utf8');
  const at = text.indexOf('\n## Sources');
  assert.ok(at >= 0, `${page} has no "## Sources" section`);
  const rest = text.slice(at + 1);
  const next = rest.indexOf('\n## ', 3);
  return next < 0 ? rest : rest.slice(0, next);
}

describe('advice: every finding documents its sources', () => {
  const ids = Object.keys(FINDINGS);
  /** The families the registry documents on a page (a new family there needs sources too), and any extra ones. */
  const familiesOf = (page: string, ...extra: string[]) =>
    new RegExp(`^(${[...Object.keys(FAMILIES).filter((f) => FAMILIES[f as keyof typeof FAMILIES].page === page), ...extra].join('|')})\\.`);
  const pages: (readonly [string, RegExp])[] = [
    ['findings-postfix.md', /^postfix\./],
    ['findings-dovecot.md', /^dovecot\./],
    ['findings-probe.md', /^(tls|starttls|mode)\./],
    ['findings-cert.md', /^cert\./],
    ['findings-nodemailer.md', /^(nodemailer|dotenv)\./],
    ['findings-explain.md', /^(explain|maillog)\./],
    // The domain check's families (mx, dane, mtasts) and the dns.* ids it explains (their rows link to the probe page).
    ['findings-domain.md', familiesOf('findings-domain.md', 'dns')],
    ['findings-tlsrpt.md', familiesOf('findings-tlsrpt.md')],
  ];
  for (const [page, re] of pages) {
    it(`${page}: every ${re.source} id is in its Sources section, each entry names a source`, () => {
      const sources = sourcesOf(page);
      const missing = ids.filter((id) => re.test(id) && !sources.includes(`\`${id}\``));
      assert.deepEqual(missing, []);
      for (const entry of sources.split('\n- ').slice(1)) {
        assert.match(
          entry,
          /RFC \d+|postconf\(5\)|master\(5\)|OpenSSL|live|observed|posttls-finger|this tool's own policy|docs\/findings-cert\.md|nodemailer source|Node docs|Postfix source|doc\.dovecot\.org|Dovecot source/,
          entry.slice(0, 80),
        );
      }
    });
  }
});
