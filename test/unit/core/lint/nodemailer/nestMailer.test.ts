import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { lintNodemailer, nodemailerLinter } from '../../../../../src/core/lint/nodemailer';
import type { LintResult } from '../../../../../src/core/lint/types';

/** NestJS apps hand `MailerModule.forRoot({ transport })` of @nestjs-modules/mailer to nodemailer's createTransport. */
const ROOT = path.join(path.sep, 'ws');
const FILE = path.join(ROOT, 'src', 'mail', 'mail.module.ts');

function lint(code: string, env: Record<string, string> = {}): LintResult {
  const files: Record<string, string> = {};
  for (const [name, text] of Object.entries(env)) files[path.join(ROOT, name)] = text;
  return lintNodemailer(FILE, code, { readFile: (p) => files[p], workspaceRoot: ROOT });
}

const ids = (r: LintResult): string[] => r.findings.map((f) => f.id);
const lineOf = (code: string, needle: string): number => code.split('\n').findIndex((l) => l.includes(needle));
const endpoints = (r: LintResult) => r.endpoints.map((e) => [e.endpoint.host, e.endpoint.port, e.endpoint.mode]);

const HEAD = `import { Module } from '@nestjs/common';\nimport { MailerModule } from '@nestjs-modules/mailer';\nimport { ConfigModule, ConfigService } from '@nestjs/config';\n\n`;
const module = (imports: string) => `${HEAD}@Module({\n  imports: [\n    ${imports},\n  ],\n})\nexport class MailModule {}\n`;

describe('nodemailer: transports of @nestjs-modules/mailer (MailerModule.forRoot / forRootAsync)', () => {
  it('reads forRoot({ transport: {...} }): certificate checks off, reported on the option', () => {
    const code = module(`MailerModule.forRoot({
      transport: {
        host: 'smtp.example.com',
        port: 465,
        secure: true,
        auth: { user: 'app@example.com', pass: 'x' },
        tls: { rejectUnauthorized: false },
      },
      defaults: { from: '"No Reply" <noreply@example.com>' },
    })`);
    assert.ok(nodemailerLinter.matches(FILE, code));
    const r = lint(code);
    const f = r.findings.find((x) => x.id === 'nodemailer.tls-verification-disabled');
    assert.ok(f, ids(r).join(', '));
    assert.equal(f.range?.start.line, lineOf(code, 'rejectUnauthorized'));
    assert.deepEqual(endpoints(r), [['smtp.example.com', 465, 'implicit']]);
    assert.equal(r.endpoints[0].range.start.line, lineOf(code, `host: 'smtp.example.com'`));
  });

  it('reads a URL transport: smtps:// on 587 and smtp:// on 465 are the port mismatches', () => {
    const smtps = lint(module(`MailerModule.forRoot({ transport: 'smtps://user:pass@smtp.example.com:587' })`));
    assert.ok(ids(smtps).includes('nodemailer.secure-on-starttls-port'), ids(smtps).join(', '));
    assert.deepEqual(endpoints(smtps), [['smtp.example.com', 587, 'implicit']]);
    const smtp = lint(module(`MailerModule.forRoot({ transport: 'smtp://user:pass@smtp.example.com:465' })`));
    assert.ok(ids(smtp).includes('nodemailer.plaintext-on-implicit-port'), ids(smtp).join(', '));
    const ok = lint(module(`MailerModule.forRoot({ transport: 'smtps://user:pass@smtp.example.com:465' })`));
    assert.ok(!ids(ok).some((id) => id.includes('port')), ids(ok).join(', '));
  });

  it('reads each entry of `transports` and an aliased import', () => {
    const code = module(
      `Mailer.forRoot({ transports: { main: 'smtps://smtp.example.com:587', backup: { host: 'smtp2.example.com', port: 465, secure: false } } })`,
    ).replace('import { MailerModule }', 'import { MailerModule as Mailer }');
    const r = lint(code);
    assert.ok(ids(r).includes('nodemailer.secure-on-starttls-port'), ids(r).join(', '));
    assert.ok(ids(r).includes('nodemailer.plaintext-on-implicit-port'), ids(r).join(', '));
  });

  it('reads forRootAsync: ConfigService.get of a variable the .env file defines', () => {
    const code = module(`MailerModule.forRootAsync({
      imports: [ConfigModule],
      useFactory: (config: ConfigService) => ({
        transport: {
          host: config.get('MAIL_HOST'),
          port: config.get<number>('MAIL_PORT'),
          secure: true,
        },
      }),
      inject: [ConfigService],
    })`);
    const r = lint(code, { '.env': 'MAIL_HOST=smtp.example.com\nMAIL_PORT=587\n' });
    const f = r.findings.find((x) => x.id === 'nodemailer.secure-on-starttls-port');
    assert.ok(f, ids(r).join(', '));
    assert.deepEqual(endpoints(r), [['smtp.example.com', 587, 'implicit']]);
    // Without the .env file the port is unknown: nothing that depends on it.
    assert.ok(!ids(lint(code)).includes('nodemailer.secure-on-starttls-port'));
  });

  it('reads an async factory with a block body, the service known by `inject`, and getOrThrow', () => {
    const code = module(`MailerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: async (cfg) => {
        const port = Number(cfg.getOrThrow('SMTP_PORT'));
        return {
          transport: { host: cfg.getOrThrow<string>('SMTP_HOST'), port, secure: false, tls: { rejectUnauthorized: false } },
        };
      },
    })`);
    const r = lint(code, { '.env': 'SMTP_HOST=smtp.example.com\nSMTP_PORT=465\n' });
    assert.ok(ids(r).includes('nodemailer.plaintext-on-implicit-port'), ids(r).join(', '));
    const f = r.findings.find((x) => x.id === 'nodemailer.tls-verification-disabled');
    assert.equal(f?.range?.start.line, lineOf(code, 'rejectUnauthorized'));
    assert.deepEqual(endpoints(r), [['smtp.example.com', 465, 'starttls']]);
  });

  it('does not read true/false text from ConfigService as the value: a validation schema may have converted it', () => {
    const code = module(`MailerModule.forRootAsync({
      useFactory: (config: ConfigService) => ({ transport: { host: 'smtp.example.com', port: 587, secure: config.get('MAIL_SECURE') } }),
      inject: [ConfigService],
    })`);
    const r = lint(code, { '.env': 'MAIL_SECURE=false\n' });
    assert.ok(!ids(r).includes('nodemailer.secure-on-starttls-port'), ids(r).join(', '));
  });

  it('ignores MailerModule in a comment, imported from elsewhere, or an unrelated get()', () => {
    const commented = `import { Module } from '@nestjs/common';\n// MailerModule.forRoot({ transport: 'smtps://smtp.example.com:587' }) from '@nestjs-modules/mailer'\n@Module({})\nexport class A {}\n`;
    assert.deepEqual(lint(commented), { findings: [], endpoints: [] });
    const elsewhere = module(`MailerModule.forRoot({ transport: 'smtps://smtp.example.com:587' })`).replace(`from '@nestjs-modules/mailer'`, `from './mailer'`);
    assert.deepEqual(lint(elsewhere), { findings: [], endpoints: [] });
    const notConfig = module(`MailerModule.forRootAsync({
      useFactory: (store: Map<string, string>) => ({ transport: { host: 'smtp.example.com', port: store.get('MAIL_PORT'), secure: true } }),
    })`);
    assert.ok(!ids(lint(notConfig, { '.env': 'MAIL_PORT=587\n' })).includes('nodemailer.secure-on-starttls-port'));
  });
});
