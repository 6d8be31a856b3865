/**
 * Marketplace images sold with a plan (NVIDIA's NGC images, say): a VM from one must name the plan,
 * and its subscription must have accepted the plan's legal terms once (`Microsoft.MarketplaceOrdering`).
 * The images the extension offers by default have no plan; one set in the image setting may.
 */
import { createPipelineRequest } from '@azure/core-rest-pipeline';
import { field, isRecord, stringField } from '../common/fields';
import type { ArmClients } from './armClients';
import { armGetJson } from './armGet';
import type { ImageReference } from './gpuVmPlan';

export interface ImagePlan {
  readonly name: string;
  readonly publisher: string;
  readonly product: string;
}

const TERMS_API_VERSION = '2021-01-01';

/** The plan of an image, or undefined when it has none; `latest` is read as the newest version. */
export async function imagePlanOf(
  clients: ArmClients,
  subscriptionId: string,
  location: string,
  image: ImageReference,
  signal?: AbortSignal,
): Promise<ImagePlan | undefined> {
  const images = clients.computeFor(subscriptionId).virtualMachineImages;
  let version = image.version;
  if (version.toLowerCase() === 'latest') {
    const versions = await images.list(location, image.publisher, image.offer, image.sku, {
      top: 1,
      orderby: 'name desc',
      abortSignal: signal,
    });
    const newest = versions[0]?.name;
    if (!newest) throw new Error(`The image ${image.publisher}:${image.offer}:${image.sku} has no version in ${location}.`);
    version = newest;
  }
  const details = await images.get(location, image.publisher, image.offer, image.sku, version, { abortSignal: signal });
  const plan = details.plan;
  return plan?.name && plan.publisher && plan.product ? { name: plan.name, publisher: plan.publisher, product: plan.product } : undefined;
}

function agreementUrl(clients: ArmClients, subscriptionId: string, plan: ImagePlan): string {
  const base = clients.environment.endpoints.resourceManager.replace(/\/+$/, '');
  const path = [plan.publisher, plan.product, plan.name].map(encodeURIComponent);
  return (
    `${base}/subscriptions/${subscriptionId}/providers/Microsoft.MarketplaceOrdering/offerTypes/virtualmachine/` +
    `publishers/${path[0]}/offers/${path[1]}/plans/${path[2]}/agreements/current?api-version=${TERMS_API_VERSION}`
  );
}

export interface PlanTerms {
  readonly accepted: boolean;
  /** Where the user reads them. */
  readonly licenseTextLink?: string;
  readonly marketplaceTermsLink?: string;
  /** The agreement as read, sent back with `accepted: true` to accept it. */
  readonly agreement: unknown;
}

export async function readPlanTerms(
  clients: ArmClients,
  subscriptionId: string,
  plan: ImagePlan,
  signal?: AbortSignal,
): Promise<PlanTerms> {
  const agreement = await armGetJson(clients.resourcesFor(subscriptionId), agreementUrl(clients, subscriptionId, plan), signal);
  const properties = field(agreement, 'properties');
  return {
    accepted: field(properties, 'accepted') === true,
    licenseTextLink: stringField(properties, 'licenseTextLink'),
    marketplaceTermsLink: stringField(properties, 'marketplaceTermsLink'),
    agreement,
  };
}

/** Accepts the plan's terms for the subscription (what `az vm image terms accept` does). */
export async function acceptPlanTerms(clients: ArmClients, subscriptionId: string, plan: ImagePlan, terms: PlanTerms): Promise<void> {
  const properties = field(terms.agreement, 'properties');
  const body = { properties: { ...(isRecord(properties) ? properties : {}), accepted: true } };
  const request = createPipelineRequest({ url: agreementUrl(clients, subscriptionId, plan), method: 'PUT', body: JSON.stringify(body) });
  request.headers.set('Content-Type', 'application/json');
  const response = await clients.resourcesFor(subscriptionId).sendRequest(request);
  if (response.status >= 300) {
    let message = `Resource Manager answered ${response.status}`;
    try {
      message = stringField(field(JSON.parse(response.bodyAsText ?? ''), 'error'), 'message') ?? message;
    } catch {
      // not JSON: the status says it
    }
    throw new Error(`Accepting the terms of ${plan.publisher} ${plan.product} (${plan.name}) failed: ${message}`);
  }
}
