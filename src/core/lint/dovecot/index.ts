/** The Dovecot lint: dovecot.conf and conf.d/*.conf (2.3 and 2.4). */
export { dovecotLinter, lintDovecotConf, isDovecotConf } from './linter';
export { parseDovecotConf } from './parser';
