// A loopback TCP proxy that can be cut and restored, to play a database outage in tests.
import net from 'node:net';

export class TcpProxy {
  #server: net.Server | undefined;
  #sockets = new Set<net.Socket>();
  #frozen = false;
  #held = new Set<net.Socket>();

  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  async start(): Promise<void> {
    this.#server = net.createServer((client) => {
      if (this.#frozen) {
        // A silent network: the connection is accepted and then nothing ever answers.
        client.pause();
        client.on('error', () => client.destroy());
        this.#held.add(client);
        return;
      }
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

  /** Stops carrying bytes without closing anything, like a network that drops every packet. */
  freeze(): void {
    this.#frozen = true;
    for (const s of this.#sockets) s.pause();
  }

  /** Carries bytes again; connections that arrived while frozen are dropped. */
  thaw(): void {
    this.#frozen = false;
    for (const s of this.#sockets) s.resume();
    for (const s of this.#held) s.destroy();
    this.#held.clear();
  }

  /** Refuses new connections and drops open ones, like a database that went away. */
  async cut(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    const srv = this.#server;
    if (srv) await new Promise((resolve) => srv.close(resolve));
    this.#server = undefined;
  }
}
