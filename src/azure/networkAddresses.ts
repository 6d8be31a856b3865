import { armGetJson, armListAll, type PipelineSender } from './armGet';

export const NETWORK_API_VERSION = '2024-05-01';

interface NicResource {
  id: string;
  properties?: {
    primary?: boolean;
    ipConfigurations?: Array<{
      properties?: { primary?: boolean; privateIPAddress?: string; publicIPAddress?: { id?: string } };
    }>;
  };
}

interface PublicIpResource {
  id: string;
  properties?: { ipAddress?: string };
}

export interface VmAddresses {
  readonly publicIp?: string;
  readonly privateIp?: string;
}

/** The addresses of a subscription's NICs, by lower-cased resource ID, ready to look VMs up in. */
export class AddressBook {
  constructor(
    private readonly nics: ReadonlyMap<string, NicResource>,
    private readonly publicIps: ReadonlyMap<string, PublicIpResource>,
  ) {}

  static of(nics: readonly NicResource[], publicIps: readonly PublicIpResource[]): AddressBook {
    return new AddressBook(new Map(nics.map((n) => [n.id.toLowerCase(), n])), new Map(publicIps.map((p) => [p.id.toLowerCase(), p])));
  }

  /** The addresses of a VM: those of the primary IP configuration of its primary (else first) NIC. */
  addressesOf(nicIds: readonly string[]): VmAddresses {
    const nics = nicIds.map((id) => this.nics.get(id.toLowerCase())).filter((n): n is NicResource => n !== undefined);
    const nic = nics.find((n) => n.properties?.primary) ?? nics[0];
    const configs = nic?.properties?.ipConfigurations ?? [];
    const config = (configs.find((c) => c.properties?.primary) ?? configs[0])?.properties;
    const publicIpId = config?.publicIPAddress?.id;
    return {
      privateIp: config?.privateIPAddress,
      publicIp: publicIpId ? this.publicIps.get(publicIpId.toLowerCase())?.properties?.ipAddress : undefined,
    };
  }
}

/** The NICs and public IPs of a whole subscription: two paged lists, however many VMs it has. */
export async function loadAddressBook(
  client: PipelineSender,
  endpoint: string,
  subscriptionId: string,
  abortSignal?: AbortSignal,
): Promise<AddressBook> {
  const base = `${endpoint}/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.Network`;
  const [nics, publicIps] = await Promise.all([
    armListAll<NicResource>(client, `${base}/networkInterfaces?api-version=${NETWORK_API_VERSION}`, abortSignal),
    armListAll<PublicIpResource>(client, `${base}/publicIPAddresses?api-version=${NETWORK_API_VERSION}`, abortSignal),
  ]);
  return AddressBook.of(nics, publicIps);
}

/** The addresses of one VM, read resource by resource (for refreshing a single VM). */
export async function loadVmAddresses(
  client: PipelineSender,
  endpoint: string,
  nicIds: readonly string[],
  abortSignal?: AbortSignal,
): Promise<VmAddresses> {
  const get = <T>(id: string): Promise<T> => armGetJson<T>(client, `${endpoint}${id}?api-version=${NETWORK_API_VERSION}`, abortSignal);
  const nics = await Promise.all(nicIds.map((id) => get<NicResource>(id)));
  const publicIpIds = nics
    .flatMap((n) => (n.properties?.ipConfigurations ?? []).map((c) => c.properties?.publicIPAddress?.id))
    .filter((id): id is string => !!id);
  const publicIps = await Promise.all(publicIpIds.map((id) => get<PublicIpResource>(id)));
  return AddressBook.of(nics, publicIps).addressesOf(nicIds);
}
