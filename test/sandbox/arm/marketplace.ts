/**
 * Marketplace images and their legal terms, as the stand-in serves them: image versions
 * (`…/artifacttypes/vmimage/offers/{offer}/skus/{sku}/versions[/{version}]`, with `plan` for an image
 * sold through the Marketplace) and the terms agreements of `Microsoft.MarketplaceOrdering`, which a
 * subscription must accept before it creates a VM from such an image.
 */
export interface MarketplaceImage {
  readonly publisher: string;
  readonly offer: string;
  readonly sku: string;
  readonly versions: readonly string[];
  readonly plan?: { readonly name: string; readonly publisher: string; readonly product: string };
}

/** The GPU images the extension offers (no plan), and NVIDIA's NGC image, which needs its terms accepted. */
export const MARKETPLACE_IMAGES: readonly MarketplaceImage[] = [
  { publisher: 'microsoft-dsvm', offer: 'ubuntu-hpc', sku: '2204', versions: ['22.04.2024102301', '22.04.2025010101'] },
  { publisher: 'microsoft-dsvm', offer: 'ubuntu-2204', sku: '2204-gen2', versions: ['24.11.26', '25.01.10'] },
  { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', versions: ['24.04.202501100'] },
  {
    publisher: 'nvidia',
    offer: 'ngc_azure_17_11',
    sku: 'ngc-base-version-24_03_4_gen2',
    versions: ['24.03.4'],
    plan: { name: 'ngc-base-version-24_03_4_gen2', publisher: 'nvidia', product: 'ngc_azure_17_11' },
  },
];

export function findImage(publisher: string, offer: string, sku: string): MarketplaceImage | undefined {
  const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
  return MARKETPLACE_IMAGES.find((i) => same(i.publisher, publisher) && same(i.offer, offer) && same(i.sku, sku));
}

/** Accepted terms, by "subscription/publisher/product/plan" (lower case). */
export class MarketplaceTerms {
  private readonly accepted = new Set<string>();

  private key(subscriptionId: string, publisher: string, product: string, plan: string): string {
    return [subscriptionId, publisher, product, plan].join('/').toLowerCase();
  }

  isAccepted(subscriptionId: string, publisher: string, product: string, plan: string): boolean {
    return this.accepted.has(this.key(subscriptionId, publisher, product, plan));
  }

  setAccepted(subscriptionId: string, publisher: string, product: string, plan: string, accepted: boolean): void {
    const key = this.key(subscriptionId, publisher, product, plan);
    if (accepted) this.accepted.add(key);
    else this.accepted.delete(key);
  }
}
