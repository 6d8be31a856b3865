/**
 * List responses split into pages: `{ value, nextLink }`, where nextLink is the absolute https URL
 * of the same request with a `$skiptoken` (the offset of the next page).
 */
import { ArmError } from './errors';

export interface Page<T> {
  value: T[];
  nextLink?: string;
}

const SKIP_TOKEN = '$skiptoken';

export function page<T, B>(items: readonly T[], toBody: (item: T) => B, url: URL, endpoint: string, pageSize: number): Page<B> {
  const token = url.searchParams.get(SKIP_TOKEN);
  const offset = token === null ? 0 : Number(token);
  if (!Number.isInteger(offset) || offset < 0 || offset > items.length) {
    throw new ArmError(400, 'InvalidSkipToken', `The skip token '${token}' is not valid.`);
  }
  const end = Math.min(items.length, offset + pageSize);
  const result: Page<B> = { value: items.slice(offset, end).map(toBody) };
  if (end < items.length) {
    const next = new URL(url.pathname + url.search, endpoint);
    next.searchParams.set(SKIP_TOKEN, String(end));
    result.nextLink = next.toString();
  }
  return result;
}
