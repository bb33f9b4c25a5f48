/**
 * Finds the `.env` files a piece of code would read: beside it first, then at the workspace root. The order is
 * the precedence dotenv-style loaders give them (`.env.local` over `.env`, then the per-environment files, and
 * `.env.example` only as a last hint of what a deployment sets).
 */
import * as path from 'node:path';
import type { LintHost } from '../types';
import { parseDotenv, type EnvEntry } from './parse';

export const ENV_FILE_NAMES = ['.env.local', '.env', '.env.development', '.env.production', '.env.example'];

export interface EnvFile {
  file: string;
  entries: Map<string, EnvEntry>;
}

export interface EnvHit {
  file: string;
  entry: EnvEntry;
}

export function isEnvFileName(p: string): boolean {
  // Either separator: the editor may hand over Windows paths whatever the platform the tests run on.
  const base = p.split(/[\\/]/).pop() ?? '';
  return base === '.env' || /^\.env\.[A-Za-z0-9_.-]+$/.test(base);
}

export function loadEnvFiles(codePath: string, host: LintHost): EnvFile[] {
  const dirs = [path.dirname(codePath)];
  if (host.workspaceRoot && path.resolve(host.workspaceRoot) !== path.resolve(dirs[0])) dirs.push(host.workspaceRoot);
  const out: EnvFile[] = [];
  for (const dir of dirs) {
    for (const name of ENV_FILE_NAMES) {
      const file = path.join(dir, name);
      let text: string | undefined;
      try {
        text = host.readFile(file);
      } catch {
        text = undefined; // the host promises not to throw; a broken one must not break the lint
      }
      if (text === undefined) continue;
      const entries = new Map<string, EnvEntry>();
      for (const e of parseDotenv(text)) entries.set(e.key, e); // the last definition wins, as in dotenv
      out.push({ file, entries });
    }
  }
  return out;
}

export function lookupEnv(files: readonly EnvFile[], key: string): EnvHit | undefined {
  for (const f of files) {
    const entry = f.entries.get(key);
    if (entry) return { file: f.file, entry };
  }
  return undefined;
}
