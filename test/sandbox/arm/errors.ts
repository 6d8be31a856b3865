/** Resource Manager errors: an HTTP status plus the `{ error: { code, message } }` body. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): object {
    return { error: { code: this.code, message: this.message } };
  }
}

export function subscriptionNotFound(subscription: string): ArmError {
  return new ArmError(404, 'SubscriptionNotFound', `The subscription '${subscription}' could not be found.`);
}

export function resourceGroupNotFound(group: string): ArmError {
  return new ArmError(404, 'ResourceGroupNotFound', `Resource group '${group}' could not be found.`);
}

export function resourceNotFound(type: string, name: string, group: string): ArmError {
  return new ArmError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${group}' was not found. ` +
      'For more details please go to https://aka.ms/ARMResourceNotFoundFix',
  );
}

export function noRoute(method: string, path: string): ArmError {
  return new ArmError(404, 'NotFound', `No route matches ${method} ${path} in the sandbox Resource Manager.`);
}
