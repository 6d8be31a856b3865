import { jsonArray, jsonNumber, jsonString, parseJson } from '../../json';

/** Counts the in-host suite hands to the outer runner (runTest.ts) through a JSON file. */
export interface SuiteResults {
  readonly passes: number;
  readonly failures: number;
  readonly pending: number;
  readonly durationMs: number;
  readonly failedTests: readonly string[];
}

/** The results as the suite wrote them (JSON). */
export function parseSuiteResults(text: string): SuiteResults {
  const json = parseJson(text);
  return {
    passes: jsonNumber(json, 'passes'),
    failures: jsonNumber(json, 'failures'),
    pending: jsonNumber(json, 'pending'),
    durationMs: jsonNumber(json, 'durationMs'),
    failedTests: jsonArray(json, 'failedTests').map((title) => jsonString(title)),
  };
}

/** Environment variable naming the JSON file the suite writes its results to. */
export const resultsFileEnv = 'AZURE_PYTORCH_INTEGRATION_RESULTS';

/** Optional mocha grep pattern to run a subset of the integration tests. */
export const grepEnv = 'AZURE_PYTORCH_INTEGRATION_GREP';
