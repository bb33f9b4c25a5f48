/**
 * Where a file a server config names is looked for when the config is linted: the live config's own paths, or a
 * copy in a workspace that mirrors the server's files. Shared by the Postfix and Dovecot linters.
 */
import * as nodePath from 'node:path';

/**
 * Where a server keeps its config (Postfix: /etc/postfix/; Dovecot: /etc/dovecot/) and whether this config is
 * that live one: a path under `prefix` is also looked for under `dir`, the copy's config directory.
 */
export interface ServerHome {
  live: boolean;
  prefix: string;
  dir: string;
}

/** As written; under the workspace mirroring the absolute path; beside the config for the server's own folder and relative names. */
export function serverFileCandidates(p: string, configPath: string, root: string | undefined, home: ServerHome): string[] {
  const out: string[] = [];
  const dir = nodePath.dirname(configPath);
  if (nodePath.isAbsolute(p)) {
    // The path as written names this machine's file: the server's own only for the live config (or when it lies
    // in the workspace). A copy's /etc/ssl/certs/... here is some other machine's file.
    if (home.live || (root !== undefined && inside(root, p))) out.push(p);
    if (root) out.push(nodePath.join(root, p.replace(/^\/+/, '')));
    if (p.startsWith(home.prefix)) out.push(nodePath.join(home.dir, p.slice(home.prefix.length)));
  } else {
    out.push(nodePath.join(dir, p));
    if (root) out.push(nodePath.join(root, p));
  }
  return [...new Set(out)];
}

function inside(root: string, p: string): boolean {
  const r = nodePath.resolve(root);
  const q = nodePath.resolve(p);
  return q === r || q.startsWith(r.endsWith(nodePath.sep) ? r : r + nodePath.sep);
}
