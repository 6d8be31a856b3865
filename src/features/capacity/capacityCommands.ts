import type { CommandHandlers } from '../services';
import { createGpuVmCommand } from './createGpuVm';
import { deleteVmCommand } from './deleteVm';

/** Capacity from the editor: create a GPU VM with price, quota and spot; delete what it made. */
export const capacityCommands: CommandHandlers = {
  'azurePytorch.createGpuVm': createGpuVmCommand,
  'azurePytorch.deleteVm': deleteVmCommand,
};
