import * as vscode from 'vscode';
import { noticeText } from '../core/escape';

/**
 * Every notification (and the title of every progress notification) the extension shows goes through here. VS Code
 * renders `[label](command:id?args)` in notification text as a clickable link, so each message passes the
 * notification escaper (no square brackets, one line). Messages should name the setting or point to the output
 * channel instead of quoting workspace or server text; the escaper is the guard for whatever still does.
 * The last messages are kept (already escaped) so the host tests can check what was really shown.
 */
const RECENT_MAX = 50;
const recent: string[] = [];

export function notice(message: string): string {
  const text = noticeText(message, 500);
  recent.push(text);
  if (recent.length > RECENT_MAX) recent.splice(0, recent.length - RECENT_MAX);
  return text;
}

/** What the extension showed lately, oldest first (read-only copy, for the API and the tests). */
export function recentNotices(): string[] {
  return [...recent];
}

/** Where the workspace commands looked, in words: with no folder open, only the open files are linted. */
export function searched(): string {
  return vscode.workspace.workspaceFolders?.length ? 'in this workspace' : 'in the open files: no folder is open';
}

export function showInfo<T extends string>(message: string, ...items: T[]): Thenable<T | undefined> {
  return vscode.window.showInformationMessage(notice(message), ...items);
}

export function showWarning<T extends string>(message: string, ...items: T[]): Thenable<T | undefined> {
  return vscode.window.showWarningMessage(notice(message), ...items);
}

export function showError<T extends string>(message: string, ...items: T[]): Thenable<T | undefined> {
  return vscode.window.showErrorMessage(notice(message), ...items);
}

export function showModalWarning<T extends string>(message: string, detail: string, ...items: T[]): Thenable<T | undefined> {
  return vscode.window.showWarningMessage(notice(message), { modal: true, detail: noticeText(detail, 1000) }, ...items);
}

/** The button that opens the Settings editor at the setting a notification names. */
export const OPEN_SETTING = 'Open Setting';

export function openSetting(id: string): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', id);
}
