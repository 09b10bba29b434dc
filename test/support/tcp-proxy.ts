// A loopback TCP proxy that can be cut and restored, to play a database outage in tests.
import net from 'node:net';

export class TcpProxy {
  #server: net.Server | undefined;
  #sockets = new Set<net.Socket>();

  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  async start(): Promise<void> {
    this.#server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    const srv = this.#server;
    await new Promise<void>((resolve) => srv.listen(this.port, '127.0.0.1', resolve));
  }

  /** Refuses new connections and drops open ones, like a database that went away. */
  async cut(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    const srv = this.#server;
    if (srv) await new Promise((resolve) => srv.close(resolve));
    this.#server = undefined;
  }
}
