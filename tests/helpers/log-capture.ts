import winston from 'winston';
import { Writable } from 'stream';

/** Everything Strapi logs, as text, for scanning for secrets. */
export class LogCapture {
  readonly lines: string[] = [];

  attach(logger: { add(transport: unknown): void }): void {
    const lines = this.lines;
    const stream = new Writable({
      objectMode: true,
      write(info: Record<string, unknown>, _enc, done) {
        lines.push(JSON.stringify(info, (_k, v) => (v instanceof Error ? `${v.message}\n${v.stack}` : v)));
        done();
      },
    });
    logger.add(new winston.transports.Stream({ stream, level: 'silly' }));
  }

  text(): string {
    return this.lines.join('\n');
  }
}
