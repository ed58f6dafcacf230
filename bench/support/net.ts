import { connect } from 'node:net';

/**
 * Whether a TCP connection to the host and port of `url` opens within a second: is that service up?
 *
 * @example
 * if (!(await answers(servicesEnv.NATS_URL))) return skip('NATS is down');
 */
export function answers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), timeout: 1000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
