import * as vscode from 'vscode';
import { showError } from '../notify';

export interface AskBox {
  title: string;
  prompt: string;
  placeHolder: string;
  /** Put before the parser's error when the answer is refused, e.g. `not a mail domain: `. */
  errorPrefix?: string;
}

/**
 * What the user names for a command (Probe Host, Check Mail Domain): `given` by a caller, or typed into an input box
 * that the same parser checks as they type. Undefined when the box is cancelled or the text does not parse (the
 * parser's error is shown).
 */
export async function askParsed<R extends object>(
  given: string | undefined,
  box: AskBox,
  parse: (text: string) => R,
): Promise<Exclude<R, { error: string }> | undefined> {
  const errorOf = (r: R): string | undefined => ('error' in r && typeof r.error === 'string' ? r.error : undefined);
  const text =
    given ??
    (await vscode.window.showInputBox({
      title: box.title,
      prompt: box.prompt,
      placeHolder: box.placeHolder,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? errorOf(parse(v)) : undefined),
    }));
  if (!text) return undefined;
  const parsed = parse(text);
  const error = errorOf(parsed);
  if (error !== undefined) {
    void showError(`Mail TLS Doctor: ${box.errorPrefix ?? ''}${error}`);
    return undefined;
  }
  return parsed as Exclude<R, { error: string }>;
}
