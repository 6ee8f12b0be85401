import { Client, type ClientConfig } from 'pg';

/**
 * LISTEN on one channel over a dedicated connection (a pooled one would lose it), reconnecting
 * with backoff when the connection drops. After every (re)connect it calls `onChange` once, since
 * notifications sent while it was away are lost: subscribers then re-read from their cursor.
 */
export class PgChangeListener {
  private client: Client | undefined;
  private stopped = false;
  private retryMs = 100;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: ClientConfig,
    private readonly channel: string,
    private readonly onChange: (payload: string | undefined) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Resolves once listening (or rejects when the first connection fails). */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new Client(this.config);
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.onChange(message.payload);
    });
    client.on('error', (error) => {
      this.onError(error);
      this.reconnectLater(client);
    });
    client.on('end', () => this.reconnectLater(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (error) {
      silence(client);
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      // stopped while this connection was being made: nobody will stop it later
      silence(client);
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.retryMs = 100;
    this.onChange(undefined);
  }

  /** Drops a failed connection (once) and connects again after a pause that grows while it fails. */
  private reconnectLater(failed: Client): void {
    if (this.client !== failed) return;
    this.client = undefined;
    silence(failed);
    void failed.end().catch(() => undefined);
    this.scheduleConnect();
  }

  private scheduleConnect(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      this.connect().catch((error: unknown) => {
        this.onError(error);
        this.retryMs = Math.min(this.retryMs * 2, 5000);
        this.scheduleConnect();
      });
    }, this.retryMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    if (client) {
      silence(client);
      await client.end().catch(() => undefined);
    }
  }
}

/** Detaches a dropped client. It may still report its broken connection after that: an 'error' nobody listens to would crash the process. */
function silence(client: Client): void {
  client.removeAllListeners();
  client.on('error', () => undefined);
}
