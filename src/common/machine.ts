/**
 * The one identity of a machine jobs run on: an Azure VM (by resource id) or an SSH host of the
 * user's. It says which machine, not how to reach it: that is an SshTarget (address, user, port),
 * resolved when connecting, and a connected machine is a JobHost.
 */
export interface MachineRef {
  readonly kind: 'vm' | 'ssh';
  /** The VM's resource id, or the SSH destination as the user wrote it (`user@host[:port]` or an alias). */
  readonly id: string;
  /** Short name for display: the VM's name or the SSH destination. */
  readonly label: string;
}

/** The machine of an Azure VM. */
export function vmMachine(vm: { readonly id: string; readonly name: string }): MachineRef {
  return { kind: 'vm', id: vm.id, label: vm.name };
}

/** The machine an SSH destination names (an ssh_config alias or `user@host[:port]`). */
export function sshMachine(destination: string): MachineRef {
  return { kind: 'ssh', id: destination, label: destination };
}

/**
 * The machine as a string, `vm:<resource id>` or `ssh:<destination>`, for Map keys only. A VM's id
 * is lower-cased: Azure compares resource ids without case.
 */
export function machineKey(machine: Pick<MachineRef, 'kind' | 'id'>): string {
  return `${machine.kind}:${machine.kind === 'vm' ? machine.id.toLowerCase() : machine.id}`;
}

/**
 * The machine a key names. Its label is `label` when given; else a VM's name (the id's last part)
 * or the SSH destination.
 */
export function parseMachineKey(key: string, label?: string): MachineRef {
  const match = /^(vm|ssh):(.+)$/s.exec(key);
  if (!match) throw new Error(`Not a machine key: ${key}`);
  const id = match[2];
  return match[1] === 'vm' ? { kind: 'vm', id, label: label ?? id.split('/').pop() ?? id } : { kind: 'ssh', id, label: label ?? id };
}

/** Whether two references name the same machine (labels aside). */
export function sameMachine(a: Pick<MachineRef, 'kind' | 'id'>, b: Pick<MachineRef, 'kind' | 'id'>): boolean {
  return machineKey(a) === machineKey(b);
}
