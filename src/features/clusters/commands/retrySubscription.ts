import type { CommandServices } from '../../services';

/** Retry on a subscription whose listing failed: lists just that subscription again. */
export async function retrySubscription(services: CommandServices, arg?: unknown): Promise<void> {
  const subscriptionId = (arg as { kind?: string; subscriptionId?: string } | undefined)?.subscriptionId;
  if (!subscriptionId) {
    await services.clustersService.refresh();
    return;
  }
  await services.clustersService.retrySubscription(subscriptionId);
}
