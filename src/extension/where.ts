import * as os from 'node:os';

/**
 * Where probes run, in words. The extension is a workspace extension: with Remote-SSH, a dev container or WSL it
 * runs on that machine, so its probes show what *that* machine sees (firewalls, DNS, egress on port 25).
 */
export function probedFromLabel(remoteName: string | undefined, hostname = os.hostname()): string {
  switch (remoteName) {
    case undefined:
    case '':
      return `this machine (${hostname})`;
    case 'ssh-remote':
      return `the SSH remote host ${hostname}`;
    case 'dev-container':
    case 'attached-container':
      return `the dev container ${hostname}`;
    case 'wsl':
      return `WSL (${hostname})`;
    case 'codespaces':
      return `the codespace ${hostname}`;
    case 'tunnel':
      return `the tunnel host ${hostname}`;
    default:
      // A VS Code server opened in a browser (code-server, `code serve-web`) names its remote by its address.
      if (/^[\w.-]+:\d+$|^\[[0-9a-f:]+\]:\d+$/i.test(remoteName)) return `the VS Code server host ${hostname}`;
      return `the remote host ${hostname} (${remoteName})`;
  }
}
