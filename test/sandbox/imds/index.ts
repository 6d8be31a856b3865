/**
 * The instance metadata service of each simulated VM, on loopback: plain HTTP on the VM's own
 * address (127.0.0.x), every VM at the same port, so the stand-in knows which VM asks. Azure's is
 * http://169.254.169.254 on every VM; the cost guard's config points a sandbox VM at this one.
 *
 *   const imds = await startInstanceMetadataStandIn({ vms: [{ name, address }], identities: arm.identities });
 *   imds.endpointOf('gpu-a100-1')     http://127.0.0.2:<port>, the same port on every VM's address
 *   imds.schedulePreempt('gpu-a100-1')  a spot eviction notice in Scheduled Events
 *   await imds.close()
 *
 * Paths, with Azure's response shapes and refusals (every request needs `Metadata: true`):
 *   GET  /metadata/identity/oauth2/token?api-version=2018-02-01&resource=<audience>
 *        the VM's managed identity token ({ access_token, expires_in, expires_on, resource, token_type, … },
 *        times as strings), from the Resource Manager stand-in; 400 "Identity not found" without one
 *   GET  /metadata/scheduledevents?api-version=2020-07-01   { DocumentIncarnation, Events: [...] }
 *   POST /metadata/scheduledevents?api-version=2020-07-01   { StartRequests: [{ EventId }] } approves events
 */
import * as http from 'node:http';
import { IdentityNotFound, type ManagedIdentities } from '../arm';
import { ScheduledEvents } from './scheduled-events';

export type { ScheduledEvent } from './scheduled-events';

export interface MetadataVm {
  readonly name: string;
  /** The VM's loopback address; the stand-in listens there. */
  readonly address: string;
}

export interface InstanceMetadataOptions {
  readonly vms: readonly MetadataVm[];
  readonly identities: Pick<ManagedIdentities, 'issueToken'>;
  /**
   * The port every VM's stand-in listens on (each on its own address), so that one URL with the
   * VM's address in it names each VM's own; the first VM's free port when absent.
   */
  readonly port?: number;
}

export interface MetadataRequest {
  readonly vm: string;
  readonly method: string;
  readonly path: string;
  status?: number;
}

export interface InstanceMetadataStandIn {
  /** The port every VM's stand-in listens on; 0 when there is no VM. */
  readonly port: number;
  /** Serves one more VM (one created after the start; in place of an earlier one of its name), at the same port. */
  add(vm: MetadataVm): Promise<void>;
  /** `http://<address>:<port>`, what the VM's cost guard config names as its metadata service. */
  endpointOf(vmName: string): string;
  readonly events: ScheduledEvents;
  /** Publishes a Preempt event for the VM (a spot eviction notice, 30 s ahead as Azure gives it). */
  schedulePreempt(vmName: string): void;
  readonly requestLog: readonly MetadataRequest[];
  close(): Promise<void>;
}

const TOKEN_PATH = '/metadata/identity/oauth2/token';
const EVENTS_PATH = '/metadata/scheduledevents';

export async function startInstanceMetadataStandIn(options: InstanceMetadataOptions): Promise<InstanceMetadataStandIn> {
  const servers = new Map<string, { server: http.Server; endpoint: string }>();
  const events = new ScheduledEvents();
  const requestLog: MetadataRequest[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(
      [...servers.values()].map(
        ({ server }) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  };
  let port = options.port ?? 0;
  const listen = async (vm: MetadataVm): Promise<void> => {
    if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(vm.address)) throw new Error(`Not a loopback address: ${vm.address}`);
    const earlier = servers.get(vm.name); // a VM of the same name, deleted and created again
    if (earlier) {
      servers.delete(vm.name);
      await new Promise<void>((resolve) => {
        earlier.server.close(() => resolve());
        earlier.server.closeAllConnections();
      });
    }
    const server = http.createServer((request, response) => {
      const entry: MetadataRequest = { vm: vm.name, method: request.method ?? 'GET', path: request.url ?? '/' };
      requestLog.push(entry);
      response.on('finish', () => (entry.status = response.statusCode));
      void serve(vm.name, request, response, options.identities, events);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, vm.address, () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('The instance metadata stand-in has no TCP address');
    port = address.port;
    servers.set(vm.name, { server, endpoint: `http://${vm.address}:${address.port}` });
  };
  try {
    for (const vm of options.vms) await listen(vm);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    get port() {
      return port;
    },
    add: listen,
    endpointOf(vmName) {
      const found = servers.get(vmName);
      if (!found) throw new Error(`No instance metadata stand-in for VM ${vmName}`);
      return found.endpoint;
    },
    events,
    schedulePreempt: (vmName) => void events.schedule(vmName, 'Preempt'),
    requestLog,
    close,
  };
}

async function serve(
  vmName: string,
  request: http.IncomingMessage,
  response: http.ServerResponse,
  identities: InstanceMetadataOptions['identities'],
  events: ScheduledEvents,
): Promise<void> {
  const body = await readBody(request);
  const url = new URL(request.url ?? '/', 'http://metadata');
  const send = (status: number, value: unknown): void => {
    response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', Server: 'IMDS/150.870.65.1325' });
    response.end(JSON.stringify(value));
  };
  if (request.headers['metadata']?.toString().toLowerCase() !== 'true') {
    send(400, { error: 'invalid_request', error_description: 'Required metadata header not specified' });
    return;
  }
  if (request.headers['x-forwarded-for'] !== undefined) {
    send(400, { error: 'invalid_request', error_description: 'Request contains X-Forwarded-For header' });
    return;
  }
  if (!url.searchParams.get('api-version')) {
    send(400, { error: 'Bad request. api-version was not specified in the request. For more information refer to aka.ms/azureimds' });
    return;
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (path === TOKEN_PATH && request.method === 'GET') {
    const resource = url.searchParams.get('resource');
    if (!resource) {
      send(400, { error: 'invalid_request', error_description: "Required query variable 'resource' is missing" });
      return;
    }
    try {
      const issued = identities.issueToken(vmName, resource);
      const now = Math.floor(Date.now() / 1000);
      const expiresOn = Math.floor(issued.expiresAt / 1000);
      send(200, {
        access_token: issued.token,
        client_id: issued.clientId,
        expires_in: String(expiresOn - now),
        expires_on: String(expiresOn),
        ext_expires_in: String(expiresOn - now),
        not_before: String(now),
        resource,
        token_type: 'Bearer',
      });
    } catch (error) {
      if (error instanceof IdentityNotFound) send(400, error.body);
      else send(500, { error: 'unknown_error', error_description: String(error) });
    }
    return;
  }
  if (path === EVENTS_PATH && request.method === 'GET') {
    send(200, events.documentFor(vmName));
    return;
  }
  if (path === EVENTS_PATH && request.method === 'POST') {
    try {
      events.approve(vmName, body);
    } catch (error) {
      send(400, { error: String(error instanceof Error ? error.message : error) });
      return;
    }
    send(200, {});
    return;
  }
  send(404, { error: 'Not found' });
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}
