import { READ_AFTER_HEADER, ReadAfterToken } from '@usermeta/contract';

const FIELD = READ_AFTER_HEADER.toLowerCase();

/** A WAL position `hi/lo` as one number, to compare tokens as the server does. */
function position(token: ReadAfterToken): bigint {
  const [hi = '0', lo = '0'] = token.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}

/**
 * The highest consistency token (`Usermeta-Read-After`) this client has received. It is sent
 * with every request, so that a server with a read replica never answers from a replica that
 * has not yet replayed what this client was already told (its own writes included). A server
 * without a read replica sends none, and this stays empty.
 */
export class ReadAfterTracker {
  private token: ReadAfterToken | undefined;
  private highest = -1n;

  /** The token to send, if any. */
  current(): ReadAfterToken | undefined {
    return this.token;
  }

  /** Headers to add to a request. */
  headers(): Record<string, string> {
    return this.token === undefined ? {} : { [FIELD]: this.token };
  }

  /** Keeps the answer's token when it is higher than the one held; ignores anything else. */
  observe(headers: Headers): void {
    const received = headers.get(FIELD);
    if (received === null || !ReadAfterToken.safeParse(received).success) return;
    const at = position(received);
    if (at > this.highest) {
      this.highest = at;
      this.token = received;
    }
  }
}
