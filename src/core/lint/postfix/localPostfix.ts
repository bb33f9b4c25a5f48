/**
 * The Postfix installed on this machine, asked once: `postconf -d -h config_directory mail_version` (compiled-in
 * values: works without a main.cf, reads no secrets). A main.cf or master.cf in that config directory is the live
 * config, so its advice can use the exact version. Bounded in time and output; never throws.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

const CANDIDATES = ['/usr/sbin/postconf', '/usr/local/sbin/postconf', '/opt/homebrew/sbin/postconf'];

export interface LocalPostfix {
  configDirectory: string;
  version: string;
}

let cached: LocalPostfix | null | undefined;

export function detectLocalPostfix(candidates: readonly string[] = CANDIDATES): LocalPostfix | undefined {
  if (candidates === CANDIDATES && cached !== undefined) return cached ?? undefined;
  let found: LocalPostfix | undefined;
  for (const bin of candidates) {
    if (!isExecutable(bin)) continue;
    const r = spawnSync(bin, ['-d', '-h', 'config_directory', 'mail_version'], {
      encoding: 'utf8',
      timeout: 3000,
      maxBuffer: 4096,
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' },
    });
    if (r.status !== 0 || typeof r.stdout !== 'string') continue;
    const [dir, version] = r.stdout.split('\n').map((l) => l.trim());
    if (dir && dir.startsWith('/') && /^\d+\.\d+(\.\d+)?/.test(version ?? '')) {
      found = { configDirectory: dir, version };
      break;
    }
  }
  if (candidates === CANDIDATES) cached = found ?? null;
  return found;
}

function isExecutable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    return st.isFile();
  } catch {
    return false;
  }
}
