/**
 * A reverse proxy on 127.0.0.1 in front of a test app, doing what nginx does with
 * `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`: it forwards each request and
 * appends its peer's address to whatever X-Forwarded-For the client sent.
 *
 * Every test client connects from 127.0.0.1, so a client stands for another peer with the header
 * X-Test-Peer: the proxy takes it (and drops it) as the address it saw, as if that client had
 * connected from there.
 */
import http from 'http';
import type { AddressInfo } from 'net';

export const TEST_PEER_HEADER = 'x-test-peer';

export interface ForwardingProxy {
  url: string;
  stop(): Promise<void>;
}

export async function startForwardingProxy(target: string): Promise<ForwardingProxy> {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers };
    const simulatedPeer = headers[TEST_PEER_HEADER];
    delete headers[TEST_PEER_HEADER];
    const peer = typeof simulatedPeer === 'string' ? simulatedPeer : req.socket.remoteAddress;
    const sent = headers['x-forwarded-for'];
    headers['x-forwarded-for'] = sent ? `${Array.isArray(sent) ? sent.join(', ') : sent}, ${peer}` : peer;
    headers.host = upstream.host;
    const forwarded = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forwarded.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
