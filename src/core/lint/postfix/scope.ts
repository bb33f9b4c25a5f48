import { expand } from './expand';
import type { Setting } from './mainParser';
import { postfixDefault } from './params';
import { envSubstitutions, hasTemplateMarkup } from '../templates';

/**
 * Where a parameter gets its value: main.cf (last assignment wins, then Postfix's default), or a master.cf
 * service (its `-o` overrides, then main.cf). Rules ask a scope, so the same rule checks both files.
 */
export class ParameterScope {
  private readonly own = new Map<string, Setting>();
  private readonly cache = new Map<string, { value: string; complete: boolean }>();
  private readonly templatedNames = new Set<string>();

  constructor(
    settings: readonly Setting[],
    /** The scope this one inherits from (main.cf for a service); undefined means Postfix's defaults. */
    private readonly parent?: ParameterScope,
  ) {
    for (let i = 0; i < settings.length; i++) this.own.set(settings[i].name, settings[i]);
  }

  /** The winning assignment written in this scope's own file, if any. */
  setting(name: string): Setting | undefined {
    return this.own.get(name);
  }

  /** Names assigned in this scope's own file. */
  ownNames(): IterableIterator<string> {
    return this.own.keys();
  }

  /** The winning assignment of each name of this scope's own file, in the order of each name's first assignment. */
  ownSettings(): IterableIterator<Setting> {
    return this.own.values();
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

  /**
   * The expanded value, and whether every `$name` in it could be resolved. A value holding template markup
   * (`{{ x }}`, `<%= x %>`) or shell-style `${VAR}` substitution, directly or through a `$name`, is incomplete: it
   * is decided when the file is rendered, and keeps its markup so it never equals a keyword.
   */
  resolved(name: string): { value: string; complete: boolean } {
    const hit = this.cache.get(name);
    if (hit) return hit;
    const raw = this.raw(name);
    let templated = false;
    const look = (n: string) => {
      const v = this.raw(n);
      if (typeof v === 'string' && this.isTemplated(v)) templated = true;
      return v;
    };
    let r = raw === null ? { value: '', complete: false } : raw === undefined ? { value: '', complete: true } : expand(raw, look);
    if (typeof raw === 'string' && (templated || this.isTemplated(raw))) {
      r = { value: raw, complete: false };
      this.templatedNames.add(name);
    }
    this.cache.set(name, r);
    return r;
  }

  /** True when this parameter's value is (or refers to) template markup or `${VAR}` substitution. */
  templated(name: string): boolean {
    this.resolved(name);
    return this.templatedNames.has(name);
  }

  isTemplated(value: string): boolean {
    if (hasTemplateMarkup(value)) return true;
    return value.includes('$') && envSubstitutions(value, (n) => this.raw(n) !== undefined).length > 0;
  }

  value(name: string): string {
    return this.resolved(name).value.trim();
  }

  /** A yes/no parameter as Postfix reads it (only `yes`, any case, is true). */
  flag(name: string): boolean {
    return this.value(name).toLowerCase() === 'yes';
  }
}
