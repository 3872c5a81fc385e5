import type { Writable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ServerKeys } from '@app/auth';
import { Clock } from '@app/common';
import { AuditEntryStore } from '../store/audit-entry-store';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type AuditBundle } from './audit-bundle';
import { inSnapshot } from './audit-verification.service';

/**
 * GET /audit/export: writes a chain as an audit bundle, streamed (one entry per line) from one read-only snapshot, so
 * a long chain never sits in memory as one string and the bundle is internally consistent.
 */
@Injectable()
export class AuditExportService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly store: AuditEntryStore,
    private readonly keys: ServerKeys,
    private readonly clock: Clock,
  ) {}

  async write(out: Writable, chainId: string, incidentId: string | null): Promise<void> {
    await this.keys.refreshPublished();
    const jwks = this.keys.jwks();
    await inSnapshot(this.db, async (tx) => {
      const head = await this.store.head(tx, chainId);
      const checkpoints = await this.store.checkpoints(tx, chainId);
      const header: Omit<AuditBundle, 'entries'> = {
        format: BUNDLE_FORMAT,
        version: BUNDLE_VERSION,
        chainId,
        incidentId,
        exportedAt: this.clock.now().toISOString(),
        head,
        checkpoints,
        jwks,
      };
      const opening = JSON.stringify(header);
      await write(out, `${opening.slice(0, -1)},"entries":[`);
      let first = true;
      for await (const page of this.store.pages(tx, chainId, 1, Number.MAX_SAFE_INTEGER)) {
        let chunk = '';
        for (const entry of page) {
          chunk += `${first ? '' : ','}\n${JSON.stringify(entry)}`;
          first = false;
        }
        await write(out, chunk);
      }
      await write(out, '\n]}\n');
    });
  }
}

/** Writes with back-pressure; gives up (rolling back the snapshot) if the client goes away. */
async function write(out: Writable, text: string): Promise<void> {
  if (out.destroyed) throw new Error('the client went away during the export');
  if (out.write(text)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error): void => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => done();
    const onClose = (): void => done(new Error('the client went away during the export'));
    out.on('drain', onDrain);
    out.on('close', onClose);
  });
}
