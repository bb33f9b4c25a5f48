import { docsPageForFamily, findingDocs, isFindingId } from '../findings';

/*
 * Where a finding id is documented (from the finding registry): its family's docs page and the id naming its row.
 * Shared by the SARIF rules (help text and link) and any other renderer that links an id.
 */

/** `docs/findings-postfix.md` for `postfix.legacy-protocols`, from the finding registry; probe families share a page. */
export function docsPageFor(id: string): string {
  if (isFindingId(id)) return `docs/${findingDocs(id).page}`;
  return `docs/${docsPageForFamily(id.split('.')[0]) ?? 'findings-probe.md'}`;
}

/** The id whose table row documents this one (itself, or e.g. the explain id of a `maillog.*` id). */
export function docsAnchorFor(id: string): string {
  return isFindingId(id) ? findingDocs(id).anchor : id;
}

/**
 * An absolute link to the id's documentation when the package names where its docs live (`homepage` or a
 * GitHub `repository` in package.json), else undefined: a relative or invented link would be worse than none.
 */
export function docsUrlFor(id: string, pkg: { version?: string; homepage?: string; repository?: string | { url?: string } }): string | undefined {
  const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  const gh = repo ? /github\.com[/:]([\w.-]+\/[\w.-]+?)(?:\.git)?$/.exec(repo) : null;
  if (gh) return `https://github.com/${gh[1]}/blob/${pkg.version ? `v${pkg.version}` : 'HEAD'}/${docsPageFor(id)}`;
  if (pkg.homepage && /^https:\/\//.test(pkg.homepage)) return `${pkg.homepage.replace(/\/+$/, '')}/${docsPageFor(id)}`;
  return undefined;
}
