import * as assert from 'node:assert/strict';
import { effectiveValue, serviceOverridesAt } from '../../../../../src/core/lint/postfix/effective';

describe('Postfix effective value at a master.cf position (served to the hover)', () => {
  const master = [
    '# service type  private unpriv  chroot  wakeup  maxproc command + args',
    'smtp      inet  n       -       y       -       -       smtpd',
    'submissions inet n      -       y       -       -       smtpd',
    '  -o { smtpd_tls_wrappermode = yes }',
    '  -o { smtpd_sasl_auth_enable = yes }',
    '  -o smtpd_tls_security_level=encrypt',
    'submission inet n       -       y       -       -       smtpd',
    '  -osmtpd_tls_security_level=encrypt',
    '  -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }',
    '',
  ].join('\n');

  it('reads the brace form, the glued form and the plain form of -o, for the service around the line', () => {
    assert.deepEqual(serviceOverridesAt(master, 3), { smtpd_tls_wrappermode: 'yes', smtpd_sasl_auth_enable: 'yes', smtpd_tls_security_level: 'encrypt' });
    assert.deepEqual(serviceOverridesAt(master, 2), serviceOverridesAt(master, 5));
    assert.deepEqual(serviceOverridesAt(master, 7), { smtpd_tls_security_level: 'encrypt', smtpd_client_restrictions: 'permit_sasl_authenticated, reject' });
    assert.deepEqual(serviceOverridesAt(master, 1), {});
    assert.deepEqual(serviceOverridesAt(master, 0), {});
  });

  it('the brace-form -o wins over main.cf, as Postfix applies it', () => {
    const main = 'smtpd_tls_wrappermode = no\n';
    const v = effectiveValue(main, 'smtpd_tls_wrappermode', serviceOverridesAt(master, 3));
    assert.deepEqual(v, { raw: 'yes', expanded: undefined, from: 'file', complete: true });
    assert.equal(effectiveValue(main, 'smtpd_tls_wrappermode', serviceOverridesAt(master, 1))?.raw, 'no');
  });
});
