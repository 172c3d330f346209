import { createServer } from 'node:net';

const LOOPBACK = '127.0.0.1';

/** Whether `port` can be bound on loopback right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once('error', () => resolvePort(false));
    probe.listen({ port, host: LOOPBACK, exclusive: true }, () => probe.close(() => resolvePort(true)));
  });
}

/**
 * A free port below Linux's ephemeral range (32768–60999), for a service that binds it later
 * (DynamoDB Local's JVM, the Step Functions and EventBridge servers). A port the OS handed out for
 * `listen(0)` and that was closed again lies inside that range, where any outgoing connection may
 * take it before the service binds it: that race once failed a whole test run with EADDRINUSE.
 * Outgoing connections never use ports below the range, so a port found free there stays free
 * unless another stack picks the same one at random.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 100; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await isPortFree(port)) return port;
  }
  throw new Error(`No free port found between 20000 and 32000 on ${LOOPBACK}`);
}
