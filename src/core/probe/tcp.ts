/** A TCP connection with a deadline; errors keep their system code (ECONNREFUSED, EHOSTUNREACH...). */
import * as net from 'node:net';
import type { Scope } from './scope';

/** Opens the probe's TCP connection to `address:port`, with the socket options every probe connection has. */
export function openTcp(address: string, port: number): net.Socket {
  return net.connect({ host: address, port, noDelay: true });
}

/** A connection opened before the probe asked for it (the CLI's first one: src/cli/earlyConnect.ts). */
export interface OpenedSocket {
  socket: net.Socket;
  /** Its 'connect' already came. */
  connected: boolean;
}

/**
 * Resolves with the connected socket within `ms`. `opened`: a socket already on its way (or there), waited for
 * within the same deadline instead of a new one.
 */
export function tcpConnect(scope: Scope, address: string, port: number, ms: number, opened?: OpenedSocket): Promise<net.Socket> {
  return scope.step<net.Socket>(`connect ${address}:${port}`, ms, (resolve, reject) => {
    const socket = scope.track(opened?.socket ?? openTcp(address, port));
    if (opened?.connected) {
      resolve(socket);
      return;
    }
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
