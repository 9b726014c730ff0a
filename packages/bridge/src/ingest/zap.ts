import * as zmq from 'zeromq';
import { z85Encode } from './curve.js';

const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';

/**
 * The ZAP (ZeroMQ RFC 27) handler of this process: libzmq asks it about every CURVE handshake, and it lets in
 * only the client keys registered for the socket's ZAP domain. There can be one handler per zeromq context, so
 * every curve server of the process registers its domain here.
 */
class ZapAuthenticator {
  private readonly domains = new Map<string, Set<string>>();
  private socket: zmq.Reply | undefined;
  private loop: Promise<void> | undefined;

  async register(domain: string, allowedKeys: string[], onDenied: (key: string, address: string) => void): Promise<() => Promise<void>> {
    this.domains.set(domain, new Set(allowedKeys));
    this.denied.set(domain, onDenied);
    if (!this.socket) {
      this.socket = new zmq.Reply({ linger: 0 });
      await this.socket.bind(ZAP_ENDPOINT);
      this.loop = this.serve(this.socket);
    }
    return async () => {
      this.domains.delete(domain);
      this.denied.delete(domain);
      if (this.domains.size === 0 && this.socket) {
        const s = this.socket;
        this.socket = undefined;
        s.close();
        await this.loop;
      }
    };
  }

  private readonly denied = new Map<string, (key: string, address: string) => void>();

  private async serve(socket: zmq.Reply): Promise<void> {
    try {
      for await (const frames of socket) {
        const [version, requestId, domain, address, , mechanism, credential] = frames;
        const d = domain.toString();
        const key = mechanism.toString() === 'CURVE' && credential?.length === 32 ? z85Encode(credential) : '';
        const ok = key !== '' && (this.domains.get(d)?.has(key) ?? false);
        if (!ok) this.denied.get(d)?.(key || `(${mechanism.toString()} mechanism)`, address.toString());
        await socket.send([version, requestId, ok ? '200' : '400', ok ? 'OK' : 'client key not allowed', ok ? key : '', '']);
      }
    } catch (e) {
      // Closing the socket ends the iteration with an error on some platforms; anything else is a bug.
      if (!this.socket && (e as { code?: string }).code === 'EAGAIN') return;
      if (this.socket) throw e;
    }
  }
}

export const zapAuthenticator = new ZapAuthenticator();
