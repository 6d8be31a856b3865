/**
 * VMs' system-assigned managed identities and the role assignments that let them act, as far as
 * the cost guard needs: a VM's identity gets its tokens from the instance metadata stand-in
 * (test/sandbox/imds/), and Resource Manager admits such a token only on a scope where the
 * identity holds a role; elsewhere it answers 403 AuthorizationFailed as Azure does. Every role
 * admits every action on its scope (enough to tell "assigned on this VM" from "not").
 *
 *   const principalId = arm.identities.enable('gpu-a100');            // the VM's identity
 *   arm.identities.grant('gpu-a100');                                 // Virtual Machine Contributor on the VM
 *   arm.identities.issueToken('gpu-a100', 'https://management.azure.com/')
 */
import { requiredAction } from './authorization-failure';
import { ArmError } from './errors';
import { stableUuid } from './stable-uuid';
import type { ArmState, VirtualMachine } from './state';
import type { IssuedToken, TokenIssuer } from './tokens';

export interface RoleAssignment {
  readonly id: string;
  readonly principalId: string;
  /** A resource id: the assignment admits requests on it and under it. */
  readonly scope: string;
  readonly roleDefinitionName: string;
}

/** The instance metadata service's refusal when the VM has no identity (its real body). */
export class IdentityNotFound extends Error {
  readonly body = { error: 'invalid_request', error_description: 'Identity not found' };
}

/** Reading the status of an operation the identity started is not scoped to the VM. */
const OPERATION_STATUS = /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Compute\/locations\/[^/]+\/operations\/[^/]+$/i;

export class ManagedIdentities {
  private readonly principals = new Map<string, string>();
  private readonly assignments: RoleAssignment[] = [];

  constructor(
    private readonly state: ArmState,
    private readonly tokens: TokenIssuer,
  ) {}

  /** Gives the VM a system-assigned identity (idempotent); returns its principal (object) id. */
  enable(vmName: string): string {
    const vm = this.state.vmNamed(vmName);
    const principalId = this.principals.get(vm.id.toLowerCase()) ?? stableUuid(`managed-identity/${vm.id.toLowerCase()}`);
    this.principals.set(vm.id.toLowerCase(), principalId);
    return principalId;
  }

  principalOf(vmName: string): string | undefined {
    return this.principals.get(this.state.vmNamed(vmName).id.toLowerCase());
  }

  /** Assigns the VM's identity a role on `scope` (the VM itself when absent), as an owner would. */
  grant(vmName: string, options: { scope?: string; roleDefinitionName?: string } = {}): RoleAssignment {
    const vm = this.state.vmNamed(vmName);
    const principalId = this.principalOf(vmName);
    if (!principalId) throw new Error(`VM ${vm.name} has no managed identity: enable it first`);
    const scope = options.scope ?? vm.id;
    const assignment: RoleAssignment = {
      id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${stableUuid(`${principalId}/${scope}/${this.assignments.length}`)}`,
      principalId,
      scope,
      roleDefinitionName: options.roleDefinitionName ?? 'Virtual Machine Contributor',
    };
    this.assignments.push(assignment);
    return assignment;
  }

  /** The role assignments of every identity whose scope is `scope` or above it (Azure's `atScope()` filter). */
  assignmentsAt(scope: string): readonly RoleAssignment[] {
    const path = scope.toLowerCase();
    return this.assignments.filter((each) => path === each.scope.toLowerCase() || path.startsWith(`${each.scope.toLowerCase()}/`));
  }

  /** Removes every role assignment of the VM's identity; returns how many. */
  revokeAll(vmName: string): number {
    const principalId = this.principalOf(vmName);
    const before = this.assignments.length;
    this.assignments.splice(0, before, ...this.assignments.filter((each) => each.principalId !== principalId));
    return before - this.assignments.length;
  }

  /** A token for the VM's identity, as the instance metadata service hands it out; throws IdentityNotFound. */
  issueToken(vmName: string, resource: string): IssuedToken {
    const vm: VirtualMachine = this.state.vmNamed(vmName);
    const principalId = this.principalOf(vmName);
    if (!principalId) throw new IdentityNotFound('Identity not found');
    const tenantId = this.state.findSubscription(vm.subscriptionId)?.tenantId ?? '';
    return this.tokens.issue(tenantId, principalId, resource, { principalId, resourceId: vm.id });
  }

  /** Throws Azure's 403 unless a role assignment of the principal covers the request's path. */
  authorize(principalId: string, method: string, pathname: string): void {
    const path = pathname.toLowerCase().replace(/\/+$/, '');
    if (OPERATION_STATUS.test(path)) return;
    const covered = this.assignments.some((each) => {
      const scope = each.scope.toLowerCase();
      return each.principalId === principalId && (path === scope || path.startsWith(`${scope}/`));
    });
    if (covered) return;
    const { action, scope } = requiredAction(method, pathname);
    throw new ArmError(
      403,
      'AuthorizationFailed',
      `The client '${principalId}' with object id '${principalId}' does not have authorization to perform action '${action}' ` +
        `over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  }
}
