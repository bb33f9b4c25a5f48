/** A TCP connection with a deadline; errors keep their system code (ECONNREFUSED, EHOSTUNREACH...). */
import * as net from 'node:net';
import type { Scope } from './scope';

export function tcpConnect(scope: Scope, address: string, port: number, ms: number): Promise<net.Socket> {
  return scope.step<net.Socket>(`connect ${address}:${port}`, ms, (resolve, reject) => {
    const socket = scope.track(net.connect({ host: address, port, noDelay: true }));
    const onError = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(socket);
    });
    return () => {
      // On timeout or abort the attempt must not linger (a dropped SYN keeps retrying otherwise).
      if (!socket.remoteAddress || socket.connecting) socket.destroy();
    };
  });
}
