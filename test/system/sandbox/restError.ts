import { isRestError } from '@azure/core-rest-pipeline';

/** For assert.rejects: an Azure SDK RestError with this HTTP status and/or this error code. */
export function restError(expected: { statusCode?: number; code?: string }): (error: unknown) => boolean {
  return (error) =>
    isRestError(error) &&
    (expected.statusCode === undefined || error.statusCode === expected.statusCode) &&
    (expected.code === undefined || error.code === expected.code);
}
