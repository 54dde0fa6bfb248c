import type http from 'http';
import { wxError } from './errors';
import { sendJson } from './http-io';
import type { Fault } from './types';

/** `fault_<fault>_<nonce>`: err<errcode>, delay<ms>, hang, drip, reset, http500, nonjson, html. */
export function parseFaultCode(code: string): Fault | null {
  const m = /^fault_([a-z]+)(-?\d+)?(?:_|$)/.exec(code);
  if (!m) return null;
  const [, kind, arg] = m;
  switch (kind) {
    case 'err':
      return arg === undefined ? null : { kind: 'errcode', errcode: Number(arg) };
    case 'delay':
      return { kind: 'delay', ms: Number(arg ?? 1000) };
    case 'hang':
    case 'drip':
    case 'reset':
    case 'nonjson':
    case 'html':
      return { kind };
    case 'http':
      return arg === '500' ? { kind: 'http500' } : null;
    default:
      return null;
  }
}

/** Applies a fault; returns true when the request has been dealt with. */
export async function applyFault(fault: Fault | null, res: http.ServerResponse): Promise<boolean> {
  if (!fault) return false;
  switch (fault.kind) {
    case 'delay':
      await new Promise((r) => setTimeout(r, fault.ms));
      return false;
    case 'hang':
      return true; // never answer; the socket is destroyed on stop()
    case 'drip': {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 200);
      res.on('close', () => clearInterval(timer));
      return true;
    }
    case 'reset':
      res.socket?.destroy();
      return true;
    case 'http500':
      res.writeHead(500, { 'Content-Type': 'text/html' });
      res.end('<html><body>500 Internal Server Error</body></html>');
      return true;
    case 'nonjson':
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('{"errcode":0,"openid":');
      return true;
    case 'html':
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html><body>gateway</body></html>');
      return true;
    case 'errcode':
      sendJson(res, wxError(fault.errcode));
      return true;
  }
}
