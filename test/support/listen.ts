import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Listens on a loopback address (port 0: any free one) and returns the URL and a close that does not wait for
 * idle keep-alive clients. For the test servers that stand in for outside services.
 *
 * @example
 * const { url, close } = await listenLocal(createServer(handler), 0);
 */
export async function listenLocal(server: Server, port: number, host = '127.0.0.1'): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${bound}`,
    async close() {
      const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      server.closeAllConnections();
      await closed;
    },
  };
}
