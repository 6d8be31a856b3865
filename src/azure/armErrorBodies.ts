import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { field, stringField } from '../common/fields';

export interface ArmErrorBody {
  readonly code?: string;
  readonly message?: string;
}

const recorded = new WeakMap<object, ArmErrorBody>();

export const ARM_ERROR_BODIES_POLICY_NAME = 'azurePytorchArmErrorBodies';

/**
 * Keeps the `{ error: { code, message } }` of Resource Manager's error responses. Some SDK errors
 * drop it (arm-compute's pager throws "Pagination failed with unexpected statusCode 403"), and
 * Azure's own message is what tells the user what is wrong.
 */
export const armErrorBodiesPolicy: PipelinePolicy = {
  name: ARM_ERROR_BODIES_POLICY_NAME,
  async sendRequest(request, next) {
    const response = await next(request);
    if (response.status >= 400 && response.bodyAsText) {
      try {
        const error = field(JSON.parse(response.bodyAsText), 'error');
        const message = stringField(error, 'message');
        if (message) recorded.set(request, { code: stringField(error, 'code'), message });
      } catch {
        // Not JSON: nothing of Azure's to keep.
      }
    }
    return response;
  },
};

/** Azure's error of the last failed response to this request (a PipelineRequest), if it sent one. */
export function armErrorBodyOf(request: object | undefined): ArmErrorBody | undefined {
  return request ? recorded.get(request) : undefined;
}
