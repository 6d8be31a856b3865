import type { PipelinePolicy, PipelineRequest } from '@azure/core-rest-pipeline';

export interface ArmErrorBody {
  readonly code?: string;
  readonly message?: string;
}

const recorded = new WeakMap<PipelineRequest, ArmErrorBody>();

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
        const error = (JSON.parse(response.bodyAsText) as { error?: ArmErrorBody }).error;
        if (error?.message) recorded.set(request, { code: error.code, message: error.message });
      } catch {
        // Not JSON: nothing of Azure's to keep.
      }
    }
    return response;
  },
};

/** Azure's error of the last failed response to this request, if it sent one. */
export function armErrorBodyOf(request: PipelineRequest | undefined): ArmErrorBody | undefined {
  return request ? recorded.get(request) : undefined;
}
