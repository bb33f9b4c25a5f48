/** Option values shared by the commands: the same checks and the same one-line usage errors everywhere. */
import { printable } from '../core/endpoint';
import { caFileProblem } from '../core/probe/validate';
import { UsageError } from './io';

export function intArg(flag: string, v: string, min: number, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${printable(v)}"`);
  return Number(v);
}

/** `--ca FILE`: a readable regular file, checked before any connection. */
export function caFileArg(f: string): string {
  if (caFileProblem(f) !== undefined) throw new UsageError(`--ca ${printable(f)}: cannot read that file`);
  return f;
}
