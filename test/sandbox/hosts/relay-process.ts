/**
 * Child process that runs the TCP relays of one set of simulated hosts. They live apart from the
 * sandbox's own process so that they keep forwarding while it blocks (execFileSync('ssh', …) would
 * otherwise wait forever for a relay that cannot run). Exits when its parent goes away.
 * The argument (the state folder) only tells `ps` readers whose relays these are.
 */
import type { RelayReply, RelayRequest } from './relay-protocol';
import { TcpRelay } from './tcp-relay';

const relays = new Map<string, TcpRelay>();

async function handle(request: RelayRequest): Promise<void> {
  if (request.action === 'open') {
    await relays.get(request.host)?.close();
    const relay = new TcpRelay(request.listen, request.upstream);
    await relay.open();
    relays.set(request.host, relay);
    return;
  }
  const relay = relays.get(request.host);
  if (!relay) return;
  switch (request.action) {
    case 'close':
      relays.delete(request.host);
      await relay.close();
      return;
    case 'freeze':
      relay.freeze();
      return;
    case 'thaw':
      relay.thaw();
      return;
    case 'cut':
      relay.cut();
      return;
  }
}

process.on('message', (request: RelayRequest) => {
  handle(request).then(
    () => reply({ id: request.id }),
    (error: unknown) => reply({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
  );
});

process.on('disconnect', () => process.exit(0));
// Ctrl-C reaches the whole process group: the parent decides when the relay ends (by disconnecting).
process.on('SIGINT', () => undefined);

function reply(message: RelayReply): void {
  process.send?.(message);
}
