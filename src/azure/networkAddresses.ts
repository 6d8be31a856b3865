import { isIPv6 } from 'net';
import { arrayField, booleanField, field, numberField, stringField } from '../common/fields';
import { armGetJson, armListAll, type PipelineSender } from './armGet';
import { describeAzureError } from './azureErrors';

export const NETWORK_API_VERSION = '2024-05-01';

/** A network interface, as far as its addresses go. */
interface NicResource {
  readonly id: string;
  /** Absent where the body leaves `primary` out. */
  readonly primary?: boolean;
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
  return { id, primary: booleanField(properties, 'primary'), ipConfigurations };
}

/** A public IP out of Resource Manager's JSON; undefined for one without an ID. */
function publicIpOf(value: unknown): PublicIpResource | undefined {
  const id = stringField(value, 'id');
  return id === undefined ? undefined : { id, ipAddress: stringField(field(value, 'properties'), 'ipAddress') };
}

function parsed<T>(items: readonly unknown[], parse: (item: unknown) => T | undefined): T[] {
  return items.flatMap((item) => parse(item) ?? []);
}

/** A NIC as the VM model names it: `networkProfile.networkInterfaces[]`, `primary` set on one of several. */
export interface VmNicRef {
  readonly id: string;
  readonly primary?: boolean;
}

/** Which addresses Azure would not tell: the public ones (public IPs unreadable) or all (NICs unreadable). */
export type UnreadAddresses = 'public' | 'all';

export interface VmAddresses {
  /** The public address to reach the VM at: IPv4 where it has one, else IPv6. */
  readonly publicIp?: string;
  /** Its public IPv6 address (Azure puts one on a secondary IP configuration). */
  readonly publicIpv6?: string;
  readonly privateIp?: string;
  /** Set when the role may not read some of the addresses: what is missing may exist. */
  readonly unread?: UnreadAddresses;
}

/** The addresses of a subscription's NICs, by lower-cased resource ID, ready to look VMs up in. */
export class AddressBook {
  constructor(
    private readonly nics: ReadonlyMap<string, NicResource>,
    private readonly publicIps: ReadonlyMap<string, PublicIpResource>,
    private readonly unread?: UnreadAddresses,
  ) {}

  static of(nics: readonly NicResource[], publicIps: readonly PublicIpResource[], unread?: UnreadAddresses): AddressBook {
    return new AddressBook(
      new Map(nics.map((n) => [n.id.toLowerCase(), n])),
      new Map(publicIps.map((p) => [p.id.toLowerCase(), p])),
      unread,
    );
  }

  /**
   * The addresses of a VM's primary NIC: the one its model marks primary, else the one whose own
   * body says so, else the first. The private address is the primary IP configuration's; the public
   * ones come from every configuration, the primary first.
   */
  addressesOf(vmNics: readonly VmNicRef[]): VmAddresses {
    const nics = vmNics.flatMap((ref) => {
      const nic = this.nics.get(ref.id.toLowerCase());
      return nic ? [{ nic, primaryInModel: ref.primary === true }] : [];
    });
    const nic = (nics.find((n) => n.primaryInModel) ?? nics.find((n) => n.nic.primary === true) ?? nics.at(0))?.nic;
    const configs = [...(nic?.ipConfigurations ?? [])].sort((a, b) => Number(b.primary) - Number(a.primary));
    const publicIps = configs.flatMap((c) => {
      const address = c.publicIpId ? this.publicIps.get(c.publicIpId.toLowerCase())?.ipAddress : undefined;
      return address ? [address] : [];
    });
    const publicIpv6 = publicIps.find((address) => isIPv6(address));
    return {
      privateIp: configs.at(0)?.privateIp,
      publicIp: publicIps.find((address) => !isIPv6(address)) ?? publicIpv6,
      ...(publicIpv6 ? { publicIpv6 } : {}),
      ...(this.unread ? { unread: this.unread } : {}),
    };
  }
}

/** An address book out of Resource Manager's JSON lists of NICs and public IPs (a scale set's, say). */
export function addressBookFromJson(nics: readonly unknown[], publicIps: readonly unknown[], unread?: UnreadAddresses): AddressBook {
  return AddressBook.of(parsed(nics, nicOf), parsed(publicIps, publicIpOf), unread);
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
  const forbidden = new Set<string>();
  const listUnlessForbidden = async (type: string, what: string, consequence: string): Promise<unknown[]> => {
    try {
      return await armListAll(client, `${base}/${type}?api-version=${NETWORK_API_VERSION}`, abortSignal);
    } catch (error) {
      if (!isForbidden(error)) throw error;
      forbidden.add(type);
      const permission = `Microsoft.Network/${type}/read`;
      warnings.push(`${what} could not be read (the role lacks ${permission}); ${consequence}. ${describeAzureError(error).message}`);
      return [];
    }
  };
  const [nics, publicIps] = await Promise.all([
    listUnlessForbidden('networkInterfaces', 'Network interfaces', 'VMs are listed without IP addresses'),
    listUnlessForbidden('publicIPAddresses', 'Public IP addresses', 'VMs are listed without public IP addresses'),
  ]);
  const unread = forbidden.has('networkInterfaces') ? 'all' : forbidden.has('publicIPAddresses') ? 'public' : undefined;
  return { book: AddressBook.of(parsed(nics, nicOf), parsed(publicIps, publicIpOf), unread), warnings };
}

/**
 * The addresses of one VM, read resource by resource (for refreshing a single VM). A NIC or public
 * IP the role may not read costs those addresses, as in the subscription's listing.
 */
export async function loadVmAddresses(
  client: PipelineSender,
  endpoint: string,
  vmNics: readonly VmNicRef[],
  abortSignal?: AbortSignal,
): Promise<VmAddresses> {
  let unread: UnreadAddresses | undefined;
  const getAll = async (ids: readonly string[], ifForbidden: UnreadAddresses): Promise<unknown[]> => {
    try {
      return await Promise.all(ids.map((id) => armGetJson(client, `${endpoint}${id}?api-version=${NETWORK_API_VERSION}`, abortSignal)));
    } catch (error) {
      if (!isForbidden(error)) throw error;
      unread ??= ifForbidden;
      return [];
    }
  };
  const nics = parsed(
    await getAll(
      vmNics.map((n) => n.id),
      'all',
    ),
    nicOf,
  );
  const publicIpIds = nics.flatMap((n) => n.ipConfigurations.flatMap((c) => (c.publicIpId ? [c.publicIpId] : [])));
  const publicIps = parsed(await getAll(publicIpIds, 'public'), publicIpOf);
  return AddressBook.of(nics, publicIps, unread).addressesOf(vmNics);
}

function isForbidden(error: unknown): boolean {
  return numberField(error, 'statusCode') === 403;
}
