import * as assert from 'node:assert/strict';
import { ids, lintDovecot, only } from '../../../../support/dovecotLint';

const SSL = '/ws/roles/dovecot/templates/conf.d/10-ssl.conf';
const MAIN = '/ws/dovecot/dovecot.conf';

/** An Ansible role's 10-ssl.conf.j2 as such roles write it (Debian's stock comments, values from variables). */
const JINJA_10_SSL = `##
## SSL settings
##
# {{ ansible_managed }}

# SSL/TLS support: yes, no, required.
ssl = {{ dovecot_ssl | default('required') }}

ssl_cert = <{{ dovecot_ssl_cert }}
ssl_key = <{{ dovecot_ssl_key }}
{% if dovecot_ssl_ca is defined %}
ssl_ca = <{{ dovecot_ssl_ca }}
{% endif %}
{{ dovecot_ssl_key_password_line }}

ssl_min_protocol = {{ dovecot_ssl_min_protocol | default('TLSv1.2') }}
ssl_cipher_list = {{ dovecot_ssl_ciphers | default('ALL:!aNULL:RC4') }}
ssl_prefer_server_ciphers = yes
{% for extra in dovecot_ssl_extra %}
{{ extra.name }} = {{ extra.value }}
{% endfor %}
`;

describe('dovecot templated configs', () => {
  it('a Jinja 10-ssl.conf: markup lines are no syntax errors, templated values no files or cipher lists; one template-file note', () => {
    const r = lintDovecot(SSL, JINJA_10_SSL);
    assert.deepEqual(ids(r), ['dovecot.template-file']);
    const f = only(r, 'dovecot.template-file');
    assert.equal(f.severity, 'info');
    // The first markup line that is not a comment.
    assert.equal(f.range?.start.line, 6);
    assert.match(f.title, /Jinja/);
    assert.ok(f.evidence?.some((e) => e.includes("{{ dovecot_ssl | default('required') }}")));
  });

  it('Puppet ERB, envsubst and modoboa-style %name placeholders', () => {
    const erb = '<% if @ssl_enabled -%>\nssl = required\nssl_cert = <<%= @ssl_cert %>\nssl_key = <<%= @ssl_key %>\n<% end -%>\n<%= @extra_config %>\n';
    assert.deepEqual(ids(lintDovecot(SSL, erb)), ['dovecot.template-file']);
    assert.match(only(lintDovecot(SSL, erb), 'dovecot.template-file').title, /ERB/);
    const env = 'ssl = required\nssl_cert = <${SSL_CERT}\nssl_key = <${SSL_KEY}\n${DOVECOT_SSL_EXTRA}\n';
    assert.match(only(lintDovecot(SSL, env), 'dovecot.template-file').title, /\$\{VAR\} substitution/);
    assert.deepEqual(ids(lintDovecot(SSL, env)), ['dovecot.template-file']);
    // modoboa-installer's 10-ssl.conf.tpl.
    const modoboa = 'ssl = yes\nssl_cert = <%tls_cert_file\nssl_key = <%tls_key_file\n%ssl_protocol_parameter = %ssl_protocols\n';
    const f = only(lintDovecot(SSL, modoboa), 'dovecot.template-file');
    assert.equal(f.range?.start.line, 3);
    assert.deepEqual(ids(lintDovecot(SSL, modoboa)), ['dovecot.template-file']);
  });

  it('the plain Dovecot text of a template is still judged, and its own syntax errors still reported', () => {
    const text = `ssl_cert = <{{ cert }}\nssl_key = <{{ key }}\nssl_min_protocol = TLSv1\nssl_cipher_list = HIGH:RC4\nssl_key_password = {{ vault_pw }}\noops\n`;
    const r = lintDovecot(SSL, text);
    assert.deepEqual(ids(r).sort(), ['dovecot.legacy-protocols', 'dovecot.syntax-error', 'dovecot.template-file', 'dovecot.weak-ciphers']);
    assert.equal(only(r, 'dovecot.syntax-error').range?.start.line, 5);
    // A path after a template expression still lacks its "<"; one that starts with it may not.
    assert.deepEqual(ids(lintDovecot(SSL, 'ssl_cert = {{ ssl_dir }}/cert.pem\n')), ['dovecot.template-file']);
    assert.ok(ids(lintDovecot(SSL, 'ssl_cert = /etc/{{ name }}/cert.pem\n')).includes('dovecot.file-without-prefix'));
  });

  it('a line Jinja glues to the one before or after ({%- / -%}, {{- / -}}) is part of that statement, no syntax error', () => {
    // Mailu's dovecot.conf: the plugin words are added under conditions, each block's newlines trimmed away.
    const text = [
      'mail_plugins = $mail_plugins quota{{ " " }}',
      '  {%- if COMPRESSION -%}',
      '  zlib{{ " " }}',
      '  {%- endif %}',
      '  {%- if FULL_TEXT_SEARCH -%}',
      '  fts fts_flatcurve',
      '  {%- endif %}',
      'default_vsz_limit = 2GB',
      '{{ PREFIX -}}',
      '  plain words',
      'stray words',
      '',
    ].join('\n');
    const r = lintDovecot(MAIN, text);
    // Line 10 ends up after `{{ PREFIX }}`; line 11 stands alone, as Dovecot would read it.
    assert.deepEqual(
      r.findings.filter((f) => f.id === 'dovecot.syntax-error').map((f) => f.range?.start.line),
      [10],
    );
  });

  it('a PHP-rendered config: <?php ... ?> lines are no syntax errors, <?= ... ?> values are opaque', () => {
    const text = [
      'dovecot_config_version = 2.4.0',
      'dovecot_storage_version = 2.4.0',
      '<?php if(ENABLE_LETSENCRYPT): ?>',
      'ssl = required',
      'ssl_server_cert_file = /data/letsencrypt/live/<?= MAILNAME ?>/fullchain.pem',
      '<?php endif; ?>',
      'oops',
      '',
    ].join('\n');
    const r = lintDovecot(MAIN, text);
    assert.deepEqual(ids(r).sort(), ['dovecot.syntax-error', 'dovecot.template-file']);
    assert.equal(only(r, 'dovecot.syntax-error').range?.start.line, 6);
    assert.match(only(r, 'dovecot.template-file').title, /PHP/);
    assert.equal(only(r, 'dovecot.template-file').range?.start.line, 2);
  });

  it("a secret's template expression is never shown (it may hold a default password)", () => {
    const r = lintDovecot(SSL, "ssl_key_password = {{ vault_pw | default('hunter2-secret') }}\nssl_cert = <{{ cert }}\n");
    assert.doesNotMatch(JSON.stringify(r), /hunter2/);
    assert.deepEqual(only(r, 'dovecot.template-file').evidence, ['template expression: {{ cert }}']);
  });

  it('templated protocols, ssl, listen and dovecot_config_version are unknown, not read as words', () => {
    // protocols unknown: IMAP may be served, so ssl = no is judged.
    assert.ok(ids(lintDovecot(MAIN, 'protocols = {{ dovecot_protocols | join(" ") }}\nssl = no\n')).includes('dovecot.ssl-disabled'));
    // ssl may render as required: no cleartext warning from a guess.
    assert.deepEqual(ids(lintDovecot(MAIN, 'ssl = {{ dovecot_ssl }}\ndisable_plaintext_auth = no\n')), ['dovecot.template-file']);
    // A listener on a templated address is no endpoint at "dovecot_listen".
    const svc = 'hostname = {{ ansible_fqdn }}\nlisten = {{ dovecot_listen }}\nservice imap-login {\n  inet_listener imaps {\n    port = 993\n  }\n}\n';
    assert.deepEqual(lintDovecot(MAIN, svc).endpoints, []);
    // Only 2.4 knows dovecot_config_version: a templated one is still a 2.4 config.
    const f = only(lintDovecot(MAIN, 'dovecot_config_version = {{ dovecot_version }}\nssl_cert = </etc/ssl/x.pem\n'), 'dovecot.version-mismatch');
    assert.match(f.title, /config is for 2\.4/);
  });

  it("Dovecot's own variables (%{user}, %d, $ENV:, lower-case $name) do not make a file a template", () => {
    const text =
      'dovecot_config_version = 2.4.0\nmail_home = /srv/mail/%{user | domain}/%{user | username}\nssl_server_key_password = $ENV:KEY_PW\nmail_plugins = $mail_plugins quota\n';
    assert.deepEqual(ids(lintDovecot(MAIN, text)), []);
  });
});
