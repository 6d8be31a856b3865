import { signIn, signOut, selectTenant } from './commands/azureSignIn';
import { copyIp } from './commands/copyIp';
import { hideNonGpuVms, showNonGpuVms } from './commands/nonGpuVms';
import { openInRemoteSsh } from './commands/openInRemoteSsh';
import { openSshTerminal } from './commands/openSshTerminal';
import { retrySubscription } from './commands/retrySubscription';
import { deallocateScaleSet, deallocateScaleSetInstance, scaleScaleSet, startScaleSet, startScaleSetInstance } from './commands/scaleSets';
import { selectSubscriptions } from './commands/selectSubscriptions';
import type { CommandHandlers } from '../services';
import { addSshHost, readSshHostGpus, removeSshHost } from './commands/sshHosts';
import { powerOffVm, restartVm, startVm, stopVm } from './commands/vmPower';

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
  'azurePytorch.scaleScaleSet': scaleScaleSet,
  'azurePytorch.startScaleSet': startScaleSet,
  'azurePytorch.deallocateScaleSet': deallocateScaleSet,
  'azurePytorch.startScaleSetInstance': startScaleSetInstance,
  'azurePytorch.deallocateScaleSetInstance': deallocateScaleSetInstance,
};
