import type http from 'http';

/** A request as the endpoints see it. */
export interface SimRequest {
  query: URLSearchParams;
  /** The body parsed as a JSON object; null when empty, not JSON, or JSON but not an object. */
  json: Record<string, unknown> | null;
  rawBody: string;
}

/** What an endpoint answers: JSON (WeChat labels it text/plain) or image bytes. */
export type Reply = { json: unknown } | { png: Buffer };

export async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function parseJsonObject(text: string): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function sendJson(res: http.ServerResponse, body: unknown): void {
  // WeChat often labels its JSON as text/plain.
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end(JSON.stringify(body));
}

export function sendReply(res: http.ServerResponse, reply: Reply): void {
  if ('png' in reply) {
    res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': reply.png.length });
    res.end(reply.png);
  } else {
    sendJson(res, reply.json);
  }
}
