/**
 * The one envelope of every JSON document a command writes (`--format json`): a `schema` field first, naming the
 * command and the version of its shape, then the command's own fields. The version goes up only when a shape
 * changes in a way a reader would notice (a field removed or retyped); added fields keep it. SARIF has its own
 * schema and JSON Lines records their `type`; neither is wrapped.
 */
export const JSON_SCHEMA_VERSION = 1;

/** The commands whose JSON document carries the envelope. */
export type JsonCommand = 'probe' | 'lint' | 'explain' | 'check' | 'report';

export function schemaId(command: JsonCommand): string {
  return `mail-tls-doctor/${command}@${JSON_SCHEMA_VERSION}`;
}

export function jsonDocument<T extends object>(command: JsonCommand, body: T): { schema: string } & T {
  return { schema: schemaId(command), ...body };
}
