// A local HTTP server for download tests: serves in-memory files with HTTP Range support, logs every request,
// and can cut a transfer off halfway or ignore Range headers.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  url: string;
  files: Map<string, Buffer>;
  requests: { path: string; range?: string }[];
  /** Paths whose next N requests send the headers and half the body, then drop the connection. */
  interrupt: Map<string, number>;
  /** Answer range requests with the whole file (200), as servers without Range support do. */
  ignoreRange: boolean;
  close(): Promise<void>;
}

export async function startServer(files: Record<string, Buffer>): Promise<TestServer> {
  const state = {
    files: new Map(Object.entries(files)),
    requests: [] as TestServer['requests'],
    interrupt: new Map<string, number>(),
    ignoreRange: false,
  };
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\//, '');
    state.requests.push({ path, range: req.headers.range });
    const body = state.files.get(path);
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    let start = 0;
    if (match && !state.ignoreRange) {
      start = Number(match[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, { 'Content-Length': body.length - start, 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}` });
    } else {
      res.writeHead(200, { 'Content-Length': body.length });
    }
    const rest = body.subarray(start);
    const cuts = state.interrupt.get(path) ?? 0;
    if (cuts > 0) {
      state.interrupt.set(path, cuts - 1);
      res.write(rest.subarray(0, Math.floor(rest.length / 2)), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    res.end(rest);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as TestServer;
}
