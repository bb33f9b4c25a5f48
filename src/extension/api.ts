import * as vscode from 'vscode';
import type { Controller } from './controller';
import type { Endpoint } from '../core/endpoint';
import { partLoads } from './engineParts';
import { recentNotices } from './notify';
import type { ActivationTimings, ExtensionTimings } from './timings';
import type { Node } from './tree';
import type { WatchService, WatchStatus } from './watch';

/** A plain copy of a tree item, for tests and for anyone scripting the extension. */
export interface TreeSnapshotNode {
  label: string;
  description?: string;
  contextValue?: string;
  icon?: string;
  iconColor?: string;
  tooltip?: string;
  children: TreeSnapshotNode[];
}

/**
 * What `activate()` returns: read-only views of the extension's state. The integration tests use it to see
 * what the tree shows without scraping the DOM; it cannot change anything.
 */
export interface MailTlsDoctorApi {
  getTreeSnapshot(maxDepth?: number): TreeSnapshotNode[];
  /** Resolves when the startup work (workspace lint, optional startup probe) is over. */
  whenStarted(): Promise<void>;
  /** Resolves when no lint or probe is pending. */
  whenIdle(): Promise<void>;
  /** How many endpoints have a probe state (probing, done, error, cancelled). */
  probeStateCount(): number;
  /** The view's badge (failing endpoints), undefined when none fail. */
  badge(): number | undefined;
  readonly isTrusted: boolean;
  /** Watch mode: interval, pause, transitions logged, the status bar's soonest expiry. */
  watch(): WatchStatus | undefined;
  /** Runs one watch round now, as the timer would (tests cannot wait minutes). */
  runWatchRound(): Promise<void>;
  /** Presses a button of a watch notification (tests cannot click notifications). */
  respondToWatch(ep: Endpoint, choice: string): Promise<void>;
  /** The latest notification texts the extension showed, exactly as shown (escaped), oldest first. */
  recentNotices(): string[];
  /** The extension's own times (activate(), as-you-type lints), for the editor bench. */
  timings(): ExtensionTimings;
}

/** The API over the editor part's state; activation's own object (src/extension/shell.ts) hands each call to it. */
export function makeApi(ctl: Controller, started: Promise<void>, watch: WatchService, activation: () => ActivationTimings): MailTlsDoctorApi {
  return {
    getTreeSnapshot: (maxDepth = 6) => {
      ctl.flushRender(); // the tree refresh is coalesced; a reader must not see the state before the last change
      return snapshot(ctl, undefined, maxDepth);
    },
    whenStarted: () => started,
    whenIdle: async () => {
      await started;
      await ctl.lint.whenIdle();
      await ctl.probes.whenIdle();
      await ctl.domainChecks.whenIdle();
      ctl.flushRender();
    },
    probeStateCount: () => ctl.probes.allStates().length,
    badge: () => {
      ctl.flushRender();
      return ctl.view.badge?.value;
    },
    get isTrusted() {
      return ctl.trusted;
    },
    watch: () => watch.status(),
    runWatchRound: async () => {
      await started;
      await watch.round('request');
    },
    respondToWatch: async (ep, choice) => watch.respond(ep, choice),
    recentNotices: () => recentNotices(),
    timings: () => ({ ...activation(), typingLint: (uri) => ctl.lint.typingLintTiming(uri), partLoads: [...partLoads()] }),
  };
}

function snapshot(ctl: Controller, parent: Node | undefined, depth: number): TreeSnapshotNode[] {
  if (depth <= 0) return [];
  return ctl.tree.getChildren(parent).map((node) => {
    const item = ctl.tree.getTreeItem(node);
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    const icon = item.iconPath instanceof vscode.ThemeIcon ? item.iconPath : undefined;
    const tooltip = typeof item.tooltip === 'string' ? item.tooltip : item.tooltip?.value;
    return {
      label,
      description: typeof item.description === 'string' ? item.description : undefined,
      contextValue: item.contextValue,
      icon: icon?.id,
      iconColor: icon?.color?.id,
      tooltip,
      children: snapshot(ctl, node, depth - 1),
    };
  });
}
