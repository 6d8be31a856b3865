import type { CommandServices } from '../../services';
import { subscriptionIdOf } from '../nodeArguments';

/** Retry on a subscription whose listing failed: lists just that subscription again. */
export async function retrySubscription(services: CommandServices, arg?: unknown): Promise<void> {
  const subscriptionId = subscriptionIdOf(arg);
  if (!subscriptionId) {
    await services.clustersService.refresh();
    return;
  }
  await services.clustersService.retrySubscription(subscriptionId);
}
