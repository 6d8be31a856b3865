import type { CommandServices } from '../../services';

export function refresh(services: CommandServices): void {
  services.clusters.refresh();
  services.jobs.refresh();
}
