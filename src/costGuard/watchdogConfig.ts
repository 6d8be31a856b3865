import { type CostGuardPolicy, policyProblem } from './policy';

/**
 * The watchdog's config.json, written on the VM by the extension: the VM's resource id, the
 * endpoints it talks to (Azure's by default; a sovereign cloud or the sandbox gives its own), and
 * the policy. The watchdog itself knows no endpoint: without this file it does nothing.
 */
export interface WatchdogEndpoints {
  /** The instance metadata service, which gives the VM's managed identity a token. */
  readonly instanceMetadata: string;
  readonly resourceManager: string;
  /** The resource the token is asked for (Resource Manager's audience). */
  readonly resourceManagerAudience: string;
  /** A CA certificate (PEM) to trust for Resource Manager besides the system's: a private endpoint's. */
  readonly resourceManagerCaPem?: string;
}

export const azureWatchdogEndpoints: WatchdogEndpoints = {
  instanceMetadata: 'http://169.254.169.254',
  resourceManager: 'https://management.azure.com',
  resourceManagerAudience: 'https://management.azure.com/',
};

export interface WatchdogConfigInputs {
  /** `/subscriptions/…/resourceGroups/…/providers/Microsoft.Compute/virtualMachines/<name>` */
  readonly vmResourceId: string;
  readonly policy: CostGuardPolicy;
  readonly endpoints?: WatchdogEndpoints;
  /** How often the fallback loop checks, where neither systemd nor cron runs the watchdog; 60 when absent. */
  readonly checkIntervalSeconds?: number;
  /** A spot VM: watch Scheduled Events and signal running jobs on a Preempt notice (SIGTERM when absent). */
  readonly spotEviction?: { readonly signal?: EvictionSignal };
}

/** The signals a job may ask for on eviction, so that its script can save a checkpoint. */
export const evictionSignals = ['TERM', 'INT', 'HUP', 'USR1', 'USR2'] as const;
export type EvictionSignal = (typeof evictionSignals)[number];

/** config.json as the watchdog reads it (version 1). */
export interface WatchdogConfig {
  readonly version: 1;
  readonly vm: { readonly resourceId: string };
  readonly endpoints: {
    readonly instanceMetadata: string;
    readonly resourceManager: string;
    readonly resourceManagerAudience: string;
  };
  readonly resourceManagerCaPem?: string;
  readonly spotEviction?: { readonly signal: EvictionSignal };
  readonly computeApiVersion: string;
  readonly checkIntervalSeconds: number;
  readonly policy: {
    readonly idleSeconds: number | null;
    readonly afterJob: string | null;
    readonly idleWhen: { readonly noJobs: boolean; readonly noInteractiveSessions: boolean; readonly gpuUtilizationBelow: number | null };
  };
}

const VM_RESOURCE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]+$/i;

/** Builds the config; throws with a message for the user when the policy or the VM's id cannot be used. */
export function watchdogConfig(inputs: WatchdogConfigInputs): WatchdogConfig {
  const problem = policyProblem(inputs.policy);
  if (problem) throw new Error(problem);
  if (!VM_RESOURCE_ID.test(inputs.vmResourceId)) throw new Error(`${inputs.vmResourceId} is not a virtual machine's resource id.`);
  const endpoints = inputs.endpoints ?? azureWatchdogEndpoints;
  for (const url of [endpoints.instanceMetadata, endpoints.resourceManager, endpoints.resourceManagerAudience]) {
    if (!/^https?:\/\/[^/\s]+/.test(url)) throw new Error(`The cost guard's endpoint ${JSON.stringify(url)} is not an http(s) URL.`);
  }
  const signal = inputs.spotEviction?.signal;
  if (signal !== undefined && !evictionSignals.includes(signal))
    throw new Error(`SIG${signal} cannot be sent on eviction: choose one of ${evictionSignals.map((name) => `SIG${name}`).join(', ')}.`);
  const interval = inputs.checkIntervalSeconds ?? 60;
  if (!(Number.isInteger(interval) && interval > 0))
    throw new Error(`The check interval must be a whole number of seconds, not ${interval}.`);
  const { policy } = inputs;
  return {
    version: 1,
    vm: { resourceId: inputs.vmResourceId },
    endpoints: {
      instanceMetadata: endpoints.instanceMetadata,
      resourceManager: endpoints.resourceManager,
      resourceManagerAudience: endpoints.resourceManagerAudience,
    },
    ...(endpoints.resourceManagerCaPem ? { resourceManagerCaPem: endpoints.resourceManagerCaPem } : {}),
    ...(inputs.spotEviction ? { spotEviction: { signal: inputs.spotEviction.signal ?? 'TERM' } } : {}),
    computeApiVersion: '2024-07-01',
    checkIntervalSeconds: interval,
    policy: {
      idleSeconds: policy.idleMinutes === undefined ? null : Math.max(1, Math.round(policy.idleMinutes * 60)),
      afterJob: policy.afterJobId ?? null,
      idleWhen: {
        noJobs: policy.idleWhen.noJobs,
        noInteractiveSessions: policy.idleWhen.noInteractiveSessions,
        gpuUtilizationBelow: policy.idleWhen.gpuUtilizationBelow ?? null,
      },
    },
  };
}
