import type * as net from 'node:net';

export interface Listening {
  port: number;
  /** Ends every connection still open, then stops listening (server.close() alone would wait for them). */
  close(): Promise<void>;
}

/** Listens on `host` (loopback) and a free port unless one is named; `sockets` are the connections close() ends. */
export async function listenClosable(server: net.Server, sockets: ReadonlySet<net.Socket>, host = '127.0.0.1', listenPort = 0): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
