import type { PGlite } from '@electric-sql/pglite';

// Frontend messages after which the backend answers ReadyForQuery: a simple Query, a Sync ending an
// extended-protocol exchange, and Terminate. The startup packet has no type byte; it ends the same way.
const ENDS_EXCHANGE = new Set([0x51 /* Q */, 0x53 /* S */, 0x58 /* X */]);

interface Pending {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
}

/**
 * Shares one single-connection PGlite among many socket clients the way PgBouncer in transaction mode shares a
 * server connection: a client owns the database from its first message until an exchange ends outside a
 * transaction block, so a transaction or an extended-protocol exchange (Parse … Sync) is never interleaved with
 * another client's messages. pglite-socket's own queue only watches explicit transactions, which lets two clients'
 * unnamed statements collide between Parse and Sync.
 *
 * It has the shape pglite-socket's `PGLiteSocketHandler` expects of its `queryQueue`.
 */
export class SessionGate {
  private readonly queue: Pending[] = [];
  private owner: number | undefined;
  private running = false;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.drain();
    });
  }

  clearQueueForHandler(handlerId: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const item = this.queue[i]!;
      if (item.handlerId !== handlerId) continue;
      this.queue.splice(i, 1);
      item.reject(new Error('client disconnected'));
    }
  }

  /** A client that vanished mid-transaction must not keep the database: roll back and hand it on. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    this.owner = undefined;
    void this.drain();
  }

  private next(): Pending | undefined {
    const index = this.owner === undefined ? 0 : this.queue.findIndex((p) => p.handlerId === this.owner);
    return index < 0 ? undefined : this.queue.splice(index, 1)[0];
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let item = this.next(); item; item = this.next()) {
        this.owner = item.handlerId;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
          item.resolve(bytes);
        } catch (error) {
          item.reject(error);
        }
        if (endsExchange(item.message) && !this.db.isInTransaction()) this.owner = undefined;
      }
    } finally {
      this.running = false;
    }
  }
}

function endsExchange(message: Uint8Array): boolean {
  // A typed message never starts with 0; the startup packet starts with its (small) length.
  return message[0] === 0 || ENDS_EXCHANGE.has(message[0]!);
}
