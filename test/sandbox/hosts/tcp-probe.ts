import * as net from 'node:net';

/** A port nobody listens on at `address` right now (for a listener started soon after). */
export async function freePort(address: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => resolve());
  });
  const bound = server.address();
  if (bound === null || typeof bound === 'string') {
    throw new Error(`a TCP server listens on a port, not on ${bound}`);
  }
  const { port } = bound;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function canConnect(endpoint: { address: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: endpoint.address, port: endpoint.port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
