/** Persistence of execution records across restarts of the local server. */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionRecord } from './model.ts';

/**
 * Execution records as JSON lines, appended on every change (the last line per ARN wins) and
 * compacted at start. Writes are batched; StartExecution waits for its line to be written.
 */
export class ExecutionStore {
  private readonly file: string;
  private buffer: { line: string; done: () => void; failed: (error: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;

  constructor(
    dataDir: string,
    private readonly log: (message: string) => void,
  ) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, 'executions.jsonl');
  }

  load(): ExecutionRecord[] {
    if (!existsSync(this.file)) return [];
    const latest = new Map<string, ExecutionRecord>();
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        const record = JSON.parse(line) as ExecutionRecord;
        latest.set(record.executionArn, record);
      } catch {
        this.log(`local Step Functions: skipping a damaged line in ${this.file}`); // e.g. cut off by a kill
      }
    }
    return [...latest.values()];
  }

  compact(records: ExecutionRecord[]): void {
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    renameSync(temporary, this.file);
  }

  put(record: ExecutionRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    const written = new Promise<void>((done, failed) => this.buffer.push({ line, done, failed }));
    this.writing ??= this.drain();
    return written;
  }

  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve)); // gather concurrent puts into one write
    while (this.buffer.length > 0) {
      const batch = this.buffer;
      this.buffer = [];
      try {
        await appendFile(this.file, batch.map((entry) => entry.line).join(''));
        for (const entry of batch) entry.done();
      } catch (error) {
        for (const entry of batch) entry.failed(error);
      }
    }
    this.writing = undefined;
  }
}
