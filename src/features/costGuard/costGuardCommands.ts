import type { CommandHandlers } from '../services';
import { autoDeallocateVm } from './autoDeallocate';
import { showAutoDeallocateLog } from './showAutoDeallocateLog';

export const costGuardCommands: CommandHandlers = {
  'azurePytorch.autoDeallocateVm': (services, node) => autoDeallocateVm(services, services.costGuard, node),
  'azurePytorch.showAutoDeallocateLog': (services, node) => showAutoDeallocateLog(services, node),
};
