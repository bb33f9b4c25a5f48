/**
 * A certificate or key a config names that this user may not read. The servers read them as root when they start, so
 * a lint run as another user (VS Code over SSH as the admin's own account, say) learns nothing about the file and
 * must not say the server lacks it.
 */
import { printable } from '../endpoint';
import type { LintHost } from './types';

/** The first of the places tried that the host says this user may not read. */
export function deniedAmong(host: LintHost, tried: readonly string[]): string | undefined {
  if (!host.readDenied) return undefined;
  return tried.find((p) => {
    try {
      return host.readDenied!(p);
    } catch {
      return false;
    }
  });
}

/** The info finding's texts, for any server that reads the file as root. */
export function deniedTexts(setting: string, path: string, server: string, lintCommand: string): { title: string; detail: string; fix: string } {
  return {
    title: `${setting} names ${printable(path)}, which this user may not read: not checked.`,
    detail: `${server} reads it as root when it starts, so this says nothing about the server: the lint runs as a user without read permission on the file or its folder.`,
    fix: `To have it checked (expiry, chain, key match), run the lint as root or as a member of the file's group (\`sudo ${lintCommand}\`), or copy the file into the workspace at the mirrored path.`,
  };
}
