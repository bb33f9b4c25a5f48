import type { Controller } from '../controller';
import { showModalWarning } from '../notify';

/** What the prompt names: `question` ends with "named in its files?", `names` are the first few of them. */
export interface UntrustedRequest {
  question: string;
  names: readonly string[];
  detail: string;
  button: string;
}

/**
 * A request to contact what an untrusted workspace's files name (Probe Workspace, Check Workspace Mail Domains) asks
 * once, modally. Only this extension's own code can skip it (`internal.skipTrustPrompt`); the registered commands
 * pass no such option, so a command link cannot.
 */
export async function confirmUntrusted(ctl: Controller, internal: { skipTrustPrompt?: boolean }, req: UntrustedRequest): Promise<boolean> {
  if (ctl.trusted || internal.skipTrustPrompt === true) return true;
  const listed = `${req.names.slice(0, 5).join(', ')}${req.names.length > 5 ? ', ...' : ''}`;
  const go = await showModalWarning(`This workspace is not trusted. ${req.question} ${listed}`, req.detail, req.button);
  return go === req.button;
}
