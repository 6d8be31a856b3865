/** Reading values of unknown shape (parsed JSON, what a library threw) by narrowing, not by assertion. */

/** An object whose fields may be read by name (not an array, not null). */
export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field of an object; undefined for anything that is not an object or lacks the field. */
export function field(value: unknown, name: string): unknown {
  return isRecord(value) ? value[name] : undefined;
}

export function stringField(value: unknown, name: string): string | undefined {
  const found = field(value, name);
  return typeof found === 'string' ? found : undefined;
}

export function numberField(value: unknown, name: string): number | undefined {
  const found = field(value, name);
  return typeof found === 'number' ? found : undefined;
}

export function booleanField(value: unknown, name: string): boolean | undefined {
  const found = field(value, name);
  return typeof found === 'boolean' ? found : undefined;
}

/** An array field's items (each still to be narrowed); undefined when the field is not an array. */
export function arrayField(value: unknown, name: string): readonly unknown[] | undefined {
  const found = field(value, name);
  return Array.isArray(found) ? found : undefined;
}
