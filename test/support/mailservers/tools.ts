/**
 * Finds the real mail software the interop tier drives. Looks in PATH and the sbin directories (a non-root PATH
 * often lacks /usr/sbin, where Debian puts postfix, dovecot and posttls-finger).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type ToolName = 'postfix' | 'dovecot' | 'openssl' | 'posttls-finger';

const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin', '/usr/bin', '/usr/local/bin', '/opt/homebrew/sbin'];

export function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

export interface ServerTools {
  ok: boolean;
  /** Why the servers cannot run here, one reason per line; empty when ok. */
  reasons: string[];
}

/**
 * Both servers need root: they bind their listeners, then drop to the `postfix` / `dovenull` users that the
 * packages create. Without root (or without those users) the tier cannot run, and says so.
 */
export function serverTools(server: 'postfix' | 'dovecot'): ServerTools {
  const reasons: string[] = [];
  if (!findTool(server))
    reasons.push(`\`${server}\` is not installed (Debian: apt-get install ${server === 'postfix' ? 'postfix' : 'dovecot-imapd dovecot-pop3d'})`);
  if (server === 'dovecot' && !fs.existsSync('/usr/lib/dovecot/pop3-login') && findTool('dovecot')) {
    reasons.push('Dovecot has no POP3 support (Debian: apt-get install dovecot-pop3d)');
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) reasons.push(`${server} must be started as root to drop to its own users`);
  const users = server === 'postfix' ? ['postfix'] : ['dovenull', 'dovecot'];
  for (const u of users.filter((u) => !systemUserExists(u))) reasons.push(`the system user \`${u}\` does not exist`);
  return { ok: reasons.length === 0, reasons };
}

function systemUserExists(name: string): boolean {
  try {
    return fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .some((l) => l.split(':')[0] === name);
  } catch {
    return false;
  }
}

/** Prints a skip reason so that it cannot be missed in the mocha output. */
export function announceSkip(what: string, reasons: string[]): void {
  const bar = '!'.repeat(78);
  process.stderr.write(`\n${bar}\n!! SKIPPED: ${what}\n${reasons.map((r) => `!!   - ${r}\n`).join('')}${bar}\n\n`);
}
