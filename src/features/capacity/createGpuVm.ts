import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ArmClients } from '../../azure/armClients';
import type { AzureProblem } from '../../azure/azureErrors';
import type { GpuSizeOffer } from '../../azure/gpuSizeOffers';
import { formatHourly } from '../../azure/gpuSizeRow';
import {
  DEFAULT_OS_DISK_GB,
  GPU_IMAGES,
  parseImageUrn,
  planGpuVm,
  sshSourceProblem,
  vmNameProblem,
  type ImageReference,
} from '../../azure/gpuVmPlan';
import { PORTAL_QUOTA_LINK } from '../../azure/quotaRefusal';
import type { ImagePlan } from '../../azure/marketplaceTerms';
import type { AzureSubscription } from '../../azure/subscriptions';
import { describeQuotaShortfall, quotaFit } from '../../azure/vcpuQuota';
import { zoneChoices } from '../../azure/zoneChoices';
import { errorMessage, toError, UserCancelledError } from '../../common/errors';
import { stringField } from '../../common/fields';
import { generateHostKeyPair } from '../../ssh/hostKeyPair';
import { createKeyPair, findPublicKeys, readPublicKey, type LocalPublicKey } from '../../ssh/localPublicKeys';
import { recordProvisionedHostKey, removeProvisionedHostKey } from '../../ssh/provisionedHostKeys';
import { azureLayer } from '../azureLayer';
import { ActionableError, confirm, showInformation, showWarning, type ErrorAction } from '../messages';
import type { CommandServices } from '../services';
import { settings } from '../settings';
import { BACK, inputStep, pickStep, runSteps, type PickItem, type StepAnswer, type StepPosition } from './multiStepInput';
import { SizeCatalog, type SizeChoice } from './sizeStep';

/** Regions with Azure GPU sizes, offered after the regions the subscription already uses. */
const GPU_REGIONS = [
  'eastus',
  'eastus2',
  'southcentralus',
  'westus2',
  'westus3',
  'centralus',
  'northeurope',
  'westeurope',
  'swedencentral',
  'uksouth',
  'francecentral',
  'japaneast',
  'australiaeast',
  'centralindia',
  'koreacentral',
  'canadacentral',
];

const TITLE = 'Create GPU VM';
const OTHER = '\u0000other';

/** Where the VM goes in its region: a zone, or undefined to let Azure choose. */
interface Placement {
  readonly zone?: string;
}

interface ResourceGroupChoice {
  readonly name: string;
  /** Made for this VM (tagged, deleted with it when empty); else an existing group, never deleted. */
  readonly isNew: boolean;
}

interface Answers {
  subscription?: AzureSubscription;
  location?: string;
  size?: SizeChoice;
  placement?: Placement;
  spot?: boolean;
  name?: string;
  group?: ResourceGroupChoice;
  image?: ImageReference;
  key?: LocalPublicKey;
  sshSource?: string;
}

export function knownHostsFileOf(context: vscode.ExtensionContext): string {
  // The pool always reads the extension's known_hosts, whichever file it writes (sshPool.ts).
  return vscode.Uri.joinPath(context.globalStorageUri, 'known_hosts').fsPath;
}

function signedIn(services: CommandServices): {
  clients: ArmClients;
  subscriptions: AzureSubscription[];
  refresh: (id: string) => Promise<void>;
} {
  const connection = services.clustersService.connection;
  const inventory = connection.status === 'signedIn' ? connection.inventory : undefined;
  const clients = inventory?.clients;
  if (!inventory || !clients || inventory.state.status !== 'ready') {
    throw new Error('Sign in to Azure first (Azure PyTorch: Sign In to Azure), and wait for the Clusters view to list your subscriptions.');
  }
  return {
    clients,
    subscriptions: inventory.state.subscriptions.map((entry) => entry.subscription),
    refresh: (id) => inventory.refreshSubscription(id),
  };
}

/** The answer of an earlier step: runSteps runs a step only after the ones before it answered. */
function answered<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('Create GPU VM: a step ran before the one it depends on.');
  return value;
}

function uniqueName(base: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const name = `${base}-${n}`;
    if (!taken.has(name.toLowerCase())) return name;
  }
}

/** Resolves to the new VM's resource id once it runs (Train on Azure goes on there). */
export async function createGpuVmCommand(services: CommandServices, arg?: unknown): Promise<string> {
  const { clients, subscriptions, refresh } = signedIn(services);
  const storageDir = services.context.globalStorageUri.fsPath;
  const catalog = new SizeCatalog(clients, storageDir);
  const presetSubscription = stringField(arg, 'kind') === 'subscription' ? stringField(arg, 'subscriptionId') : undefined;
  const answers: Answers = { subscription: subscriptions.find((s) => s.subscriptionId === presetSubscription) };
  const total = 10;
  const position = (step: number): { title: string; step: number; totalSteps: number } => ({ title: TITLE, step, totalSteps: total });
  const vms = services.clustersService.visibleVms();

  await runSteps([
    async () => {
      if (presetSubscription && answers.subscription) return false;
      if (subscriptions.length === 0) throw new Error('No subscription is listed in the Clusters view: select subscriptions first.');
      const picked = await pickStep<AzureSubscription>({
        ...position(1),
        placeholder: 'Create the VM in which subscription?',
        items: (show) => show(subscriptions.map((s) => ({ label: s.displayName, description: s.subscriptionId, value: s }))),
      });
      if (picked !== BACK) answers.subscription = picked;
      return picked;
    },
    async () => {
      const used = [
        ...new Set(vms.filter((vm) => vm.subscriptionId === answers.subscription?.subscriptionId).map((vm) => vm.location.toLowerCase())),
      ];
      const regions = [...used, ...GPU_REGIONS.filter((r) => !used.includes(r))];
      const picked = await pickStep<string>({
        ...position(2),
        placeholder: 'Which region? (sizes, prices and quota come next)',
        items: (show) =>
          show([
            ...regions.map((r) => ({ label: r, description: used.includes(r) ? 'your VMs are here' : undefined, value: r })),
            { label: 'Other region…', value: OTHER, alwaysShow: true },
          ]),
      });
      if (picked === OTHER) {
        const typed = await inputStep({
          ...position(2),
          prompt: 'Region name as Azure writes it (e.g. eastus)',
          value: '',
          validate: (v) => (/^[a-z0-9]+$/.test(v) ? undefined : 'Lower-case letters and digits, like westus3.'),
        });
        if (typed === BACK) return BACK;
        answers.location = typed;
        return typed;
      }
      if (picked !== BACK) answers.location = picked;
      return picked;
    },
    async () => {
      const subscription = answered(answers.subscription);
      const location = answered(answers.location);
      const picked = await pickStep<SizeChoice | undefined>({
        ...position(3),
        placeholder: `GPU size in ${location}: prices per hour (Linux), vCPU quota of the size family`,
        items: (show) => catalog.items(subscription.subscriptionId, location, show),
        accept: async (choice) => {
          if (!choice) return false;
          if (choice.offer.unavailable) {
            await showWarning(
              `${choice.offer.name} cannot be created in ${location}: it is ${choice.offer.unavailable}. Pick another size or go back to another region.`,
            );
            return false;
          }
          return true;
        },
      });
      if (picked !== BACK) answers.size = picked;
      return picked;
    },
    async () => {
      const offer = answered(answers.size).offer;
      if (zoneChoices(offer).length === 0) {
        answers.placement = {};
        return false;
      }
      const picked = await pickZone(offer, answered(answers.location), position(4));
      if (picked !== BACK) answers.placement = picked;
      return picked;
    },
    async () => {
      const picked = await pickSpot(
        answered(answers.size),
        answered(answers.subscription),
        answered(answers.location),
        catalog,
        position(5),
      );
      if (picked !== BACK) answers.spot = picked;
      return picked;
    },
    async () => {
      const size = answered(answers.size);
      const gpu = size.offer.gpuFamily?.gpu.name.toLowerCase().replace(/[^a-z0-9]+/g, '') ?? 'gpu';
      const taken = new Set(vms.map((vm) => vm.name.toLowerCase()));
      const typed = await inputStep({
        ...position(6),
        prompt: 'VM name; its disk, network interface, public IP, NSG and virtual network are named after it',
        value: answers.name ?? uniqueName(`${gpu}-x${Math.max(1, Math.round(size.offer.gpus))}`, taken),
        validate: (v) =>
          vmNameProblem(v) ?? (taken.has(v.toLowerCase()) ? `A VM named ${v} is already listed; choose another name.` : undefined),
      });
      if (typed !== BACK) answers.name = typed;
      return typed;
    },
    async () => {
      const subscription = answered(answers.subscription);
      const picked = await pickResourceGroup(
        clients,
        subscription.subscriptionId,
        answered(answers.location),
        answered(answers.name),
        position(7),
      );
      if (picked !== BACK) answers.group = picked;
      return picked;
    },
    async () => {
      const picked = await pickImage(position(8));
      if (picked !== BACK) answers.image = picked;
      return picked;
    },
    async () => {
      const picked = await pickKey(position(9));
      if (picked !== BACK) answers.key = picked;
      return picked;
    },
    async () => {
      const typed = await inputStep({
        ...position(10),
        prompt:
          'Allow SSH (port 22) from: an address, a range like 203.0.113.0/24, or * for anywhere. Login is by key only; no other port is opened.',
        value: answers.sshSource ?? '*',
        validate: (v) => sshSourceProblem(v.trim()),
      });
      if (typed !== BACK) answers.sshSource = typed.trim();
      return typed;
    },
  ]);

  const complete: Required<Answers> = {
    subscription: answered(answers.subscription),
    location: answered(answers.location),
    size: answered(answers.size),
    placement: answered(answers.placement),
    spot: answered(answers.spot),
    name: answered(answers.name),
    group: answered(answers.group),
    image: answered(answers.image),
    key: answered(answers.key),
    sshSource: answered(answers.sshSource),
  };
  return runCreate(services, clients, complete, refresh);
}

async function pickSpot(
  size: SizeChoice,
  subscription: AzureSubscription,
  location: string,
  catalog: SizeCatalog,
  position: { title: string; step: number; totalSteps: number },
): Promise<StepAnswer<boolean>> {
  const { offer } = size;
  // The size may have been picked before its prices came: wait for them a little, never long.
  const lookup =
    size.prices ??
    (await Promise.race([
      catalog.prices(subscription.subscriptionId, location),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1500)),
    ]));
  const price = lookup?.ok ? lookup.prices.get(offer.name.toLowerCase()) : undefined;
  const region = await catalog.region(subscription.subscriptionId, location).catch(() => undefined);
  const fitOf = (spot: boolean): string | undefined =>
    region?.quota ? describeQuotaShortfall(quotaFit(region.quota, offer.family, offer.vCPUs, spot), offer.vCPUs, location) : undefined;
  const onDemandShort = fitOf(false);
  const spotShort = offer.spotCapable ? fitOf(true) : `${offer.name} cannot run as spot.`;
  const items: Array<PickItem<boolean>> = [
    {
      label: 'On-demand',
      description: price?.onDemand !== undefined ? formatHourly(price.onDemand) : undefined,
      detail: onDemandShort ? `$(warning) ${onDemandShort}` : 'Runs until you stop it.',
      value: false,
    },
    {
      label: 'Spot',
      description: price?.spot !== undefined ? formatHourly(price.spot) : undefined,
      detail: spotShort
        ? `$(warning) ${spotShort}`
        : 'Up to ~80% cheaper; Azure may evict it when it needs the capacity. Eviction deallocates: the disk, workspace, venvs and job folders survive. Max price: the on-demand price.',
      value: true,
    },
  ];
  return pickStep<boolean>({
    ...position,
    placeholder: `${offer.name}: on-demand or spot?`,
    items: (show) => show(items),
    accept: async (spot) => {
      const short = spot ? spotShort : onDemandShort;
      if (!short) return true;
      const request = 'Request Quota…';
      if ((await showWarning(`${short}`, request)) === request) await vscode.env.openExternal(vscode.Uri.parse(PORTAL_QUOTA_LINK));
      return false;
    },
  });
}

/** The zone of a size that has zones: any (Azure chooses) or one the subscription may use there. */
async function pickZone(offer: GpuSizeOffer, location: string, position: StepPosition, failed?: Placement): Promise<StepAnswer<Placement>> {
  const choices = zoneChoices(offer, failed);
  return pickStep<Placement>({
    ...position,
    placeholder: failed
      ? `${offer.name} in ${location}: Azure had no capacity ${failed.zone ? `in zone ${failed.zone}` : 'in the zone it chose'}; try another zone`
      : `${offer.name} in ${location}: which availability zone?`,
    items: (show) =>
      show(
        choices.map((choice) => ({
          label: choice.available ? choice.label : `$(circle-slash) ${choice.label}`,
          description: choice.note,
          value: { zone: choice.zone },
        })),
      ),
    accept: async ({ zone }) => {
      const choice = choices.find((c) => c.zone === zone);
      if (choice?.available !== false) return true;
      await showWarning(`${offer.name} cannot be created in zone ${zone} of ${location}: it is ${choice.note}. Pick another zone.`);
      return false;
    },
  });
}

/** "New: <name>-rg" (made for the VM, deleted with it when empty), or one of the subscription's groups in the region (never deleted). */
async function pickResourceGroup(
  clients: ArmClients,
  subscriptionId: string,
  location: string,
  name: string,
  position: StepPosition,
): Promise<StepAnswer<ResourceGroupChoice>> {
  const newGroup: PickItem<ResourceGroupChoice> = {
    label: `New: ${name}-rg`,
    description: 'made for this VM; Delete VM removes it when nothing else is in it',
    value: { name: `${name}-rg`, isNew: true },
  };
  const layer = azureLayer();
  return pickStep<ResourceGroupChoice>({
    ...position,
    placeholder: `Resource group for ${name} (groups of this subscription in ${location})`,
    items: async (show) => {
      show([newGroup]);
      let groups: string[];
      try {
        groups = await layer.resourceGroupsIn(clients, subscriptionId, location);
      } catch (error) {
        show([newGroup, { label: 'The existing groups could not be listed', description: errorMessage(error), value: newGroup.value }]);
        return;
      }
      show([
        newGroup,
        ...(groups.length ? [{ label: 'Existing', kind: vscode.QuickPickItemKind.Separator, value: newGroup.value }] : []),
        ...groups.map((group) => ({
          label: group,
          description: 'existing; kept when the VM is deleted',
          value: { name: group, isNew: false },
        })),
      ]);
    },
    accept: async (group) => {
      // The name must be free in the group: Azure would update a VM or NIC of the same name, not make a new one.
      let conflict: string | undefined;
      try {
        conflict = await layer.findNameConflict(clients, {
          subscriptionId,
          resourceGroup: group.name,
          newResourceGroup: group.isNew,
          name,
        });
      } catch {
        return true; // the create checks again, and says why it could not
      }
      if (!conflict) return true;
      await showWarning(`${conflict} Back (↰) returns to the name.`);
      return false;
    },
  });
}

async function pickImage(position: { title: string; step: number; totalSteps: number }): Promise<StepAnswer<ImageReference>> {
  const configured = settings.vmImage().trim();
  const fromSetting = configured ? parseImageUrn(configured) : undefined;
  const items: Array<PickItem<ImageReference>> = [
    ...(fromSetting ? [{ label: configured, description: 'from the azurePytorch.capacity.image setting', value: fromSetting }] : []),
    ...GPU_IMAGES.map((image) => ({ label: image.label, description: image.description, value: image.reference })),
  ];
  if (configured && !fromSetting) {
    void showWarning(`The azurePytorch.capacity.image setting "${configured}" is not publisher:offer:sku:version; it is not offered.`);
  }
  return pickStep<ImageReference>({
    ...position,
    placeholder: 'Image: Gen2 Linux with NVIDIA drivers and Python',
    items: (show) => show(items),
  });
}

const CREATE_KEY = { file: '', line: 'create' } as const;
const BROWSE_KEY = { file: '', line: 'browse' } as const;

async function pickKey(position: { title: string; step: number; totalSteps: number }): Promise<StepAnswer<LocalPublicKey>> {
  const sshDir = path.join(os.homedir(), '.ssh');
  const configured = settings.sshPublicKeyFile().trim();
  const keys: LocalPublicKey[] = [];
  if (configured) {
    try {
      keys.push(await readPublicKey(configured.replace(/^~(?=$|\/)/, os.homedir())));
    } catch (error) {
      void showWarning(`The azurePytorch.capacity.sshPublicKeyFile setting: ${errorMessage(error)}`);
    }
  }
  const found = await findPublicKeys(sshDir);
  keys.push(...found);
  const items: Array<PickItem<LocalPublicKey>> = [
    ...keys.map((key) => ({ label: key.file.replace(os.homedir(), '~'), description: key.line.split(' ')[0], value: key })),
    { label: '$(key) Create a new ed25519 key in ~/.ssh', value: CREATE_KEY, alwaysShow: true },
    { label: '$(folder-opened) Choose a .pub file…', value: BROWSE_KEY, alwaysShow: true },
  ];
  let chosen: LocalPublicKey | undefined;
  const picked = await pickStep<LocalPublicKey>({
    ...position,
    placeholder: 'SSH key to log in as azureuser (only its public half goes to Azure)',
    items: (show) => show(items),
    accept: async (key) => {
      try {
        if (key === CREATE_KEY) {
          const taken = new Set(found.map((k) => path.basename(k.file)));
          let name = 'id_ed25519';
          for (let n = 2; taken.has(`${name}.pub`); n++) name = `id_ed25519_azure_pytorch${n > 2 ? `_${n}` : ''}`;
          chosen = await createKeyPair(sshDir, name, `${os.userInfo().username}@azure-pytorch`);
          void showInformation(`Created the SSH key ${chosen.file.replace(/\.pub$/, '')} (no passphrase).`);
        } else if (key === BROWSE_KEY) {
          const uris = await vscode.window.showOpenDialog({ defaultUri: vscode.Uri.file(sshDir), filters: { 'SSH public key': ['pub'] } });
          if (!uris?.[0]) return false;
          chosen = await readPublicKey(uris[0].fsPath);
        } else {
          chosen = key;
        }
        return true;
      } catch (error) {
        void showWarning(errorMessage(error));
        return false;
      }
    },
  });
  return picked === BACK ? BACK : chosen!;
}

async function runCreate(
  services: CommandServices,
  clients: ArmClients,
  answers: Required<Answers>,
  refresh: (subscriptionId: string) => Promise<void>,
): Promise<string> {
  const { subscription, location, size, placement, spot, name, group, image, key, sshSource } = answers;
  const imagePlan = await marketplacePlan(clients, subscription, location, image);
  const hostKey = generateHostKeyPair(`${name}@azure`);
  const plan = planGpuVm({
    subscriptionId: subscription.subscriptionId,
    location,
    resourceGroup: group.name,
    newResourceGroup: group.isNew,
    name,
    size: size.offer.name,
    zone: placement.zone,
    spot,
    image,
    osDiskGB: DEFAULT_OS_DISK_GB,
    sshPublicKey: key.line,
    sshSource,
    hostKey,
    plan: imagePlan,
  });
  const knownHosts = knownHostsFileOf(services.context);
  const layer = azureLayer();
  let recorded = false;
  const address = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Creating ${name} (${size.offer.name}${placement.zone ? `, zone ${placement.zone}` : ''}${spot ? ', spot' : ''})`,
      cancellable: true,
    },
    async (progress, token) => {
      const controller = new AbortController();
      const listener = token.onCancellationRequested(() => controller.abort());
      let ip: string | undefined;
      try {
        await layer.createGpuVm(clients, plan, {
          signal: controller.signal,
          onStep: (step) => {
            progress.report({ message: step });
            // Azure lists the VM from here on: the tree shows it as being created.
            if (step.startsWith('Azure is creating')) void refresh(subscription.subscriptionId);
          },
          beforeVm: async (publicIp) => {
            ip = publicIp;
            if (!publicIp) return;
            await recordProvisionedHostKey(knownHosts, publicIp, 22, hostKey.publicKey, plan.vmId);
            recorded = true;
          },
        });
        return ip;
      } catch (error) {
        if (recorded) await removeProvisionedHostKey(knownHosts, plan.vmId).catch(() => undefined);
        void refresh(subscription.subscriptionId);
        const retryInZone = async (): Promise<void> => {
          const zone = await pickZone(size.offer, location, { title: `${TITLE}: another zone`, step: 1, totalSteps: 1 }, placement);
          if (zone !== BACK) await runCreate(services, clients, { ...answers, placement: zone }, refresh);
        };
        throw createFailure(error, controller.signal.aborted, clients, subscription.subscriptionId, {
          retryInZone: zoneChoices(size.offer, placement).some((c) => c.available && c.zone !== placement.zone) ? retryInZone : undefined,
        });
      } finally {
        listener.dispose();
      }
    },
  );
  await refresh(subscription.subscriptionId);
  void showInformation(
    `${name} is running${address ? ` at ${address}` : ''}. Its SSH host key was made here and recorded, so the first connection is verified without a prompt.`,
  );
  return plan.vmId;
}

/** The image's Marketplace plan, its terms accepted (after asking) when they were not; undefined for an image without one. */
async function marketplacePlan(
  clients: ArmClients,
  subscription: AzureSubscription,
  location: string,
  image: ImageReference,
): Promise<ImagePlan | undefined> {
  const layer = azureLayer();
  const urn = `${image.publisher}:${image.offer}:${image.sku}:${image.version}`;
  let plan: ImagePlan | undefined;
  try {
    plan = await layer.imagePlanOf(clients, subscription.subscriptionId, location, image);
  } catch (error) {
    throw new Error(`The image ${urn} cannot be used in ${location}: ${errorMessage(error)} Pick another image or region.`, {
      cause: error,
    });
  }
  if (!plan) return undefined;
  const terms = await layer.readPlanTerms(clients, subscription.subscriptionId, plan);
  if (terms.accepted) return plan;
  const accept = 'Accept Terms and Create';
  const read = 'Read the Terms';
  const answer = await confirm(
    `Accept the Marketplace terms of ${plan.publisher} ${plan.product} (${plan.name})?`,
    `The image ${urn} is sold through the Azure Marketplace. A VM from it needs its legal terms accepted once for the subscription ${subscription.displayName}, as \`az vm image terms accept\` does.`,
    accept,
    read,
  );
  if (answer === read) {
    const link = terms.licenseTextLink ?? terms.marketplaceTermsLink;
    if (link) await vscode.env.openExternal(vscode.Uri.parse(link));
    throw new UserCancelledError();
  }
  await layer.acceptPlanTerms(clients, subscription.subscriptionId, plan, terms);
  return plan;
}

function createFailure(
  error: unknown,
  cancelled: boolean,
  clients: ArmClients,
  subscriptionId: string,
  options: { retryInZone?: () => Promise<void> },
): Error {
  const layer = azureLayer();
  const failed = error instanceof layer.GpuVmCreateError ? error : undefined;
  if (cancelled && !failed?.remaining.length) return new UserCancelledError();
  const message = errorMessage(error);
  const problem: AzureProblem = layer.describeAzureError(failed ? failed.cause : error);
  const actions: ErrorAction[] = [];
  if (problem.kind === 'quota') {
    actions.push({ title: 'Request Quota…', run: () => vscode.env.openExternal(vscode.Uri.parse(problem.link ?? PORTAL_QUOTA_LINK)) });
  }
  if (problem.kind === 'capacity' && options.retryInZone) actions.push({ title: 'Try Another Zone…', run: options.retryInZone });
  if (problem.kind === 'capacity') {
    const again = { kind: 'subscription', subscriptionId };
    actions.push({ title: 'Try Another Region…', run: () => vscode.commands.executeCommand('azurePytorch.createGpuVm', again) });
  }
  if (failed?.remaining.length) {
    const remaining = failed.remaining;
    actions.push({
      title: 'Delete What Remains',
      run: async () => {
        const still = await layer.deleteRemaining(clients, subscriptionId, remaining);
        if (still.length > 0) throw new Error(`These could not be deleted: ${still.join('; ')}. Delete them in the portal.`);
        void showInformation('Deleted what the failed create had left.');
      },
    });
  }
  const hint = problem.kind === 'capacity' ? ` Try another ${options.retryInZone ? 'zone, ' : ''}region or size.` : '';
  return actions.length > 0 ? new ActionableError(`${message}${hint}`, actions, { cause: error }) : toError(error);
}
