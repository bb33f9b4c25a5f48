/**
 * The help text states the defaults the engine really uses; it is written out by hand (the dispatcher does not
 * load the probe engine to print it), so this keeps the two from drifting apart.
 */
import * as assert from 'node:assert/strict';
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS } from '../../../src/core/probe';
import { helpFor } from '../../../src/cli/help';
import { LINTERS } from '../../../src/core/lint';

describe('cli/help', () => {
  it('probe help names the engine’s default concurrency and timeout', () => {
    const text = helpFor('probe') ?? '';
    assert.match(text, new RegExp(`--concurrency N\\s+endpoints probed at once \\(default ${DEFAULT_CONCURRENCY}\\)`));
    assert.match(text, new RegExp(`default ${DEFAULT_TIMEOUT_MS}\\b`));
  });

  it('explain help states its own exit codes and the formats --report takes, not the default --fail-on of the others', () => {
    const text = helpFor('explain') ?? '';
    assert.doesNotMatch(text, /\(default: error\)|0 nothing at or above --fail-on/);
    assert.match(text, /--report: text or json/);
  });

  it('lint help names every kind of file a linter reads', () => {
    const text = (helpFor('lint') ?? '').replace(/\s+/g, ' ');
    const named: Record<string, string> = {
      'postfix-main': 'main.cf',
      'postfix-master': 'master.cf',
      'postfix-policy-map': 'TLS policy tables',
      dovecot: 'Dovecot dovecot.conf and conf.d files',
      nodemailer: 'nodemailer code',
      dotenv: '.env files',
      maillog: 'mail logs',
      tlsrpt: 'TLS-RPT reports',
    };
    for (const l of LINTERS) {
      assert.ok(named[l.format], `a new linter (${l.format}): name its files in the lint help and here`);
      assert.ok(text.includes(named[l.format]), `lint help does not name ${named[l.format]}`);
    }
  });
});
