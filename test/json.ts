/**
 * Checked reads of parsed JSON (package.json, an ARM response body): each step of a path is an
 * object key or an array index, and each typed reader throws, naming the path, when the value
 * there is not of its type.
 */
type Step = string | number;

/** The value at the path, or undefined where a step is missing (like `?.`). */
export function jsonAt(value: unknown, ...path: Step[]): unknown {
  let current = value;
  for (const step of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, step)) {
      return undefined;
    }
    const next: unknown = Reflect.get(current, step);
    current = next;
  }
  return current;
}

function read<T>(type: string, is: (found: unknown) => found is T, value: unknown, path: Step[]): T {
  const found = jsonAt(value, ...path);
  if (!is(found)) {
    throw new Error(`expected ${type} at ${path.join('.') || 'the top'}, found ${JSON.stringify(found) ?? 'nothing'}`);
  }
  return found;
}

const isString = (found: unknown): found is string => typeof found === 'string';
const isNumber = (found: unknown): found is number => typeof found === 'number';
const isBoolean = (found: unknown): found is boolean => typeof found === 'boolean';
const isArray = (found: unknown): found is unknown[] => Array.isArray(found);
const isObject = (found: unknown): found is object => typeof found === 'object' && found !== null && !Array.isArray(found);

export function jsonString(value: unknown, ...path: Step[]): string {
  return read('a string', isString, value, path);
}

export function jsonOptionalString(value: unknown, ...path: Step[]): string | undefined {
  return jsonAt(value, ...path) === undefined ? undefined : jsonString(value, ...path);
}

export function jsonNumber(value: unknown, ...path: Step[]): number {
  return read('a number', isNumber, value, path);
}

export function jsonArray(value: unknown, ...path: Step[]): unknown[] {
  return read('an array', isArray, value, path);
}

export function jsonBoolean(value: unknown, ...path: Step[]): boolean {
  return read('a boolean', isBoolean, value, path);
}

/** The string at the path, which must be one of the choices (a string union's members). */
export function jsonOneOf<T extends string>(choices: readonly T[], value: unknown, ...path: Step[]): T {
  const found = jsonString(value, ...path);
  const choice = choices.find((candidate) => candidate === found);
  if (choice === undefined) {
    throw new Error(`expected one of ${choices.join(', ')} at ${path.join('.') || 'the top'}, found ${found}`);
  }
  return choice;
}

/**
 * An optional member, read with one of the readers above: `{ key: value }` when the object has it,
 * `{}` when not, to spread into the object being built, so that an absent member stays absent.
 */
export function jsonMember<K extends string, T>(value: unknown, key: K, read: (value: unknown, ...path: Step[]) => T): { [P in K]?: T } {
  const member: { [P in K]?: T } = {};
  if (jsonAt(value, key) !== undefined) {
    member[key] = read(value, key);
  }
  return member;
}

/** The members of the object at the path. */
export function jsonEntries(value: unknown, ...path: Step[]): [string, unknown][] {
  return Object.entries(read('an object', isObject, value, path));
}

/** JSON.parse, typed honestly: what comes back is read with the functions above. */
export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return value;
}
