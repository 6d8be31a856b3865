import { signIn, signOut, selectTenant } from './azureSignIn';
import { copyIp } from './copyIp';
import { hideNonGpuVms, showNonGpuVms } from './nonGpuVms';
import { openInRemoteSsh } from './openInRemoteSsh';
import { openSshTerminal } from './openSshTerminal';
import { retrySubscription } from './retrySubscription';
import { selectSubscriptions } from './selectSubscriptions';
import type { CommandHandlers } from './services';
import { addSshHost, readSshHostGpus, removeSshHost } from './sshHosts';
import { powerOffVm, restartVm, startVm, stopVm } from './vmPower';

/** The Clusters view's commands: Azure sign-in, subscriptions, VM power, addresses. */
export const clustersCommands: CommandHandlers = {
  'azurePytorch.signIn': signIn,
  'azurePytorch.signOut': signOut,
  'azurePytorch.selectTenant': selectTenant,
  'azurePytorch.selectSubscriptions': selectSubscriptions,
  'azurePytorch.retrySubscription': retrySubscription,
  'azurePytorch.showNonGpuVms': showNonGpuVms,
  'azurePytorch.hideNonGpuVms': hideNonGpuVms,
  'azurePytorch.startVm': startVm,
  'azurePytorch.stopVm': stopVm,
  'azurePytorch.powerOffVm': powerOffVm,
  'azurePytorch.restartVm': restartVm,
  'azurePytorch.copyIp': copyIp,
  'azurePytorch.openInRemoteSsh': openInRemoteSsh,
  'azurePytorch.openSshTerminal': openSshTerminal,
  'azurePytorch.addSshHost': addSshHost,
  'azurePytorch.removeSshHost': removeSshHost,
  'azurePytorch.readSshHostGpus': readSshHostGpus,
};
