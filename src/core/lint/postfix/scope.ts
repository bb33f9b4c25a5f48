import { expand } from './expand';
import type { Setting } from './main-parser';
import { postfixDefault } from './params';

/**
 * Where a parameter gets its value: main.cf (last assignment wins, then Postfix's default), or a master.cf
 * service (its `-o` overrides, then main.cf). Rules ask a scope, so the same rule checks both files.
 */
export class Scope {
  private readonly own = new Map<string, Setting>();
  private readonly cache = new Map<string, { value: string; complete: boolean }>();

  constructor(
    settings: readonly Setting[],
    /** The scope this one inherits from (main.cf for a service); undefined means Postfix's defaults. */
    private readonly parent?: Scope,
  ) {
    for (const s of settings) this.own.set(s.name, s);
  }

  /** The winning assignment written in this scope's own file, if any. */
  setting(name: string): Setting | undefined {
    return this.own.get(name);
  }

  /** The assignment that decides the value: own first, then the parent's. */
  definedAt(name: string): { setting: Setting; inherited: boolean } | undefined {
    const s = this.own.get(name);
    if (s) return { setting: s, inherited: false };
    const p = this.parent?.definedAt(name);
    return p ? { setting: p.setting, inherited: true } : undefined;
  }

  /** The raw (unexpanded) value: null when Postfix's default depends on the machine. */
  raw(name: string): string | undefined | null {
    const s = this.own.get(name);
    if (s) return s.value;
    return this.parent ? this.parent.raw(name) : postfixDefault(name);
  }

  /** The expanded value, and whether every `$name` in it could be resolved. */
  resolved(name: string): { value: string; complete: boolean } {
    const hit = this.cache.get(name);
    if (hit) return hit;
    const raw = this.raw(name);
    const r = raw === null ? { value: '', complete: false } : raw === undefined ? { value: '', complete: true } : expand(raw, (n) => this.raw(n));
    this.cache.set(name, r);
    return r;
  }

  value(name: string): string {
    return this.resolved(name).value.trim();
  }

  /** A yes/no parameter as Postfix reads it (only `yes`, any case, is true). */
  flag(name: string): boolean {
    return this.value(name).toLowerCase() === 'yes';
  }
}
