import { stringField } from '../../common/fields';

// What a command learns from the Clusters node it was invoked on. Commands take `unknown` (the
// palette passes nothing, a keybinding anything), so each field is checked, not assumed.

/** The host of the SSH host node a command was invoked on; undefined for anything else. */
export function sshHostOf(arg: unknown): string | undefined {
  return stringField(arg, 'kind') === 'sshHost' ? nonEmpty(stringField(arg, 'host')) : undefined;
}

/**
 * The resource id of the VM node a command was invoked on, or of a scale set instance's node (the
 * Clusters service finds the instance as a VM, for Copy IP and SSH); undefined for anything else.
 */
export function vmIdOf(arg: unknown): string | undefined {
  const kind = stringField(arg, 'kind');
  return kind === 'vm' || kind === 'scaleSetInstance' ? nonEmpty(stringField(arg, 'vmId')) : undefined;
}

/** The id of the subscription node a command was invoked on; undefined for anything else. */
export function subscriptionIdOf(arg: unknown): string | undefined {
  return stringField(arg, 'kind') === 'subscription' ? nonEmpty(stringField(arg, 'subscriptionId')) : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}
