import type { CommandServices } from '../../services';
import { updateSetting } from '../../settings';

export function showNonGpuVms(_services: CommandServices): Promise<void> {
  return updateSetting('showNonGpuVms', true);
}

export function hideNonGpuVms(_services: CommandServices): Promise<void> {
  return updateSetting('showNonGpuVms', false);
}
