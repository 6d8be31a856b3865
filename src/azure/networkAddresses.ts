import { arrayField, booleanField, field, numberField, stringField } from '../common/fields';
import { armGetJson, armListAll, type PipelineSender } from './armGet';
import { describeAzureError } from './azureErrors';

export const NETWORK_API_VERSION = '2024-05-01';

/** A network interface, as far as its addresses go. */
interface NicResource {
  readonly id: string;
  readonly primary: boolean;
  readonly ipConfigurations: readonly IpConfiguration[];
}

interface IpConfiguration {
  readonly primary: boolean;
  readonly privateIp?: string;
  readonly publicIpId?: string;
}

interface PublicIpResource {
  readonly id: string;
  readonly ipAddress?: string;
}

/** A NIC out of Resource Manager's JSON; undefined for one without an ID. */
function nicOf(value: unknown): NicResource | undefined {
  const id = stringField(value, 'id');
  if (id === undefined) return undefined;
  const properties = field(value, 'properties');
  const ipConfigurations = (arrayField(properties, 'ipConfigurations') ?? []).map((config): IpConfiguration => {
    const configProperties = field(config, 'properties');
    return {
      primary: booleanField(configProperties, 'primary') === true,
      privateIp: stringField(configProperties, 'privateIPAddress'),
      publicIpId: stringField(field(configProperties, 'publicIPAddress'), 'id'),
    };
  });
  return { id, primary: booleanField(properties, 'primary') === true, ipConfigurations };
}

/** A public IP out of Resource Manager's JSON; undefined for one without an ID. */
function publicIpOf(value: unknown): PublicIpResource | undefined {
  const id = stringField(value, 'id');
  return id === undefined ? undefined : { id, ipAddress: stringField(field(value, 'properties'), 'ipAddress') };
}

function parsed<T>(items: readonly unknown[], parse: (item: unknown) => T | undefined): T[] {
  return items.flatMap((item) => parse(item) ?? []);
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
    const nic = nics.find((n) => n.primary) ?? nics.at(0);
    const configs = nic?.ipConfigurations ?? [];
    const config = configs.find((c) => c.primary) ?? configs.at(0);
    const publicIpId = config?.publicIpId;
    return {
      privateIp: config?.privateIp,
      publicIp: publicIpId ? this.publicIps.get(publicIpId.toLowerCase())?.ipAddress : undefined,
    };
  }
}

/** A subscription's addresses, and what could not be read of them. */
export interface AddressListing {
  readonly book: AddressBook;
  /** One per list the role may not read: the permission it lacks and Azure's own message. */
  readonly warnings: readonly string[];
}

/**
 * The NICs and public IPs of a whole subscription: two paged lists, however many VMs it has. A list
 * the role may not read (403; a reader scoped to compute is common) costs the addresses, not the VMs.
 */
export async function loadAddressBook(
  client: PipelineSender,
  endpoint: string,
  subscriptionId: string,
  abortSignal?: AbortSignal,
): Promise<AddressListing> {
  const base = `${endpoint}/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.Network`;
  const warnings: string[] = [];
  const listUnlessForbidden = async (type: string, what: string, consequence: string): Promise<unknown[]> => {
    try {
      return await armListAll(client, `${base}/${type}?api-version=${NETWORK_API_VERSION}`, abortSignal);
    } catch (error) {
      if (numberField(error, 'statusCode') !== 403) throw error;
      const permission = `Microsoft.Network/${type}/read`;
      warnings.push(`${what} could not be read (the role lacks ${permission}); ${consequence}. ${describeAzureError(error).message}`);
      return [];
    }
  };
  const [nics, publicIps] = await Promise.all([
    listUnlessForbidden('networkInterfaces', 'Network interfaces', 'VMs are listed without IP addresses'),
    listUnlessForbidden('publicIPAddresses', 'Public IP addresses', 'VMs are listed without public IP addresses'),
  ]);
  return { book: AddressBook.of(parsed(nics, nicOf), parsed(publicIps, publicIpOf)), warnings };
}

/** The addresses of one VM, read resource by resource (for refreshing a single VM). */
export async function loadVmAddresses(
  client: PipelineSender,
  endpoint: string,
  nicIds: readonly string[],
  abortSignal?: AbortSignal,
): Promise<VmAddresses> {
  const get = (id: string): Promise<unknown> => armGetJson(client, `${endpoint}${id}?api-version=${NETWORK_API_VERSION}`, abortSignal);
  const nics = parsed(await Promise.all(nicIds.map(get)), nicOf);
  const publicIpIds = nics.flatMap((n) => n.ipConfigurations.flatMap((c) => (c.publicIpId ? [c.publicIpId] : [])));
  const publicIps = parsed(await Promise.all(publicIpIds.map(get)), publicIpOf);
  return AddressBook.of(nics, publicIps).addressesOf(nicIds);
}
