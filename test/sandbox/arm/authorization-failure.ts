/**
 * Azure's 403 AuthorizationFailed in its own words: the action the role lacks (derived from the
 * request, as Azure names it) and the scope it was asked over.
 */
import { stableUuid } from './stable-uuid';

/** The principal the stand-in's refusals name (Azure gives the caller's object id). */
const PRINCIPAL = stableUuid('sandbox-principal');

/**
 * The RBAC action a request needs: `Microsoft.Network/publicIPAddresses/read` for a list or a GET,
 * `…/write` for PUT/PATCH, `…/delete`, or `Microsoft.Compute/virtualMachines/start/action` for a POST.
 */
export function requiredAction(method: string, pathname: string): { action: string; scope: string } {
  const segments = pathname.split('/').filter((s) => s !== '');
  const providers = segments.findIndex((s) => s.toLowerCase() === 'providers');
  if (providers < 0 || providers + 1 >= segments.length) {
    // /subscriptions, /subscriptions/{id}/resourceGroups/{name}…: Microsoft.Resources.
    const types = segments.filter((_, i) => i % 2 === 0).join('/');
    return { action: `Microsoft.Resources/${types}/${verb(method)}`, scope: `/${segments.join('/')}` };
  }
  const namespace = segments[providers + 1];
  const rest = segments.slice(providers + 2);
  // After the namespace: type/name pairs, then, for a POST, the action's name.
  const postAction = method.toUpperCase() === 'POST' && rest.length % 2 === 1 && rest.length > 1 ? rest.pop() : undefined;
  const types = rest.filter((_, i) => i % 2 === 0);
  const isCollection = rest.length % 2 === 1;
  const scopeSegments = isCollection ? segments.slice(0, providers) : [...segments.slice(0, providers + 2), ...rest];
  const action = postAction ? `${postAction}/action` : verb(method);
  return { action: `${namespace}/${types.join('/')}/${action}`, scope: `/${scopeSegments.join('/')}` };
}

function verb(method: string): string {
  switch (method.toUpperCase()) {
    case 'PUT':
    case 'PATCH':
      return 'write';
    case 'DELETE':
      return 'delete';
    case 'POST':
      return 'action';
    default:
      return 'read';
  }
}

/** "The client '…' with object id '…' does not have authorization to perform action '…' over scope '…' …" */
export function authorizationFailedMessage(method: string, pathname: string): string {
  const { action, scope } = requiredAction(method, pathname);
  return (
    `The client '${PRINCIPAL}' with object id '${PRINCIPAL}' does not have authorization to perform action '${action}' ` +
    `over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`
  );
}
