/**
 * Leftovers of multipart requests in os.tmpdir(), where Strapi's body parser (formidable) writes
 * the parts. Other programs share that folder, so a leftover is recognised by its content: every
 * file sent through `payload()` starts with random bytes of its own.
 */
import crypto from 'crypto';
import fs from 'fs';
import http from 'http';
import os from 'os';
import path from 'path';

const MARKER_BYTES = 32;

export class TempFileWatch {
  /** The first bytes of every payload handed out since the last check. */
  private markers: Buffer[] = [];

  /** Random bytes, remembered: a file starting with them is a part of this test's requests. */
  payload(size: number): Buffer {
    const bytes = crypto.randomBytes(size);
    this.markers.push(bytes.subarray(0, MARKER_BYTES));
    return bytes;
  }

  /** The folder's entries now, to compare with after a request. */
  snapshot(): Set<string> {
    return new Set(fs.readdirSync(os.tmpdir()));
  }

  /** New files in os.tmpdir() since `before` that start with bytes of a payload. */
  leftovers(before: Set<string>): string[] {
    return [...this.snapshot()]
      .filter((name) => !before.has(name))
      .filter((name) => {
        const file = path.join(os.tmpdir(), name);
        try {
          if (!fs.statSync(file).isFile()) return false;
          const head = Buffer.alloc(MARKER_BYTES);
          const fd = fs.openSync(file, 'r');
          const read = fs.readSync(fd, head, 0, MARKER_BYTES, 0);
          fs.closeSync(fd);
          return read === MARKER_BYTES && this.markers.some((marker) => marker.equals(head));
        } catch {
          return false; // gone meanwhile, or not ours to read
        }
      });
  }

  /**
   * The leftovers once formidable's own deletions (a timer after an error) had their moment; they
   * are deleted (ours by their content), so a failing check leaves nothing behind either.
   */
  async takeLeftovers(before: Set<string>): Promise<string[]> {
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && this.leftovers(before).length > 0) await new Promise((r) => setTimeout(r, 50));
    const found = this.leftovers(before);
    for (const name of found) fs.rmSync(path.join(os.tmpdir(), name), { force: true });
    this.markers = [];
    return found;
  }
}

export interface Answer {
  status: number;
  body: { error?: Record<string, unknown> };
}

/**
 * POSTs the start of a multipart body with an `avatar` part (`sent` bytes of it) and then waits with
 * the upload unfinished: an answer has to come before the client has sent everything, or the server
 * was waiting to read all of it (rejects after `waitMs`).
 */
export function unfinishedUpload(
  url: string,
  headers: Record<string, string | number>,
  sent: number,
  payload: (size: number) => Buffer,
  waitMs = 8000
): Promise<Answer> {
  const boundary = '----wxauth-unfinished-upload';
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, ...headers } });
    // The server closes the connection after its answer; the unfinished write then fails.
    req.on('error', () => undefined);
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error('no answer while the upload was unfinished: the server was waiting for all of it'));
    }, waitMs);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Answer['body']) : {} });
      });
    });
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="avatar"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`);
    const chunk = 64 * 1024;
    for (let written = 0; written < sent; written += chunk) req.write(payload(Math.min(chunk, sent - written)));
  });
}
