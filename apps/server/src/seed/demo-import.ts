import type { Config } from '../config.ts';
import { createImportsService } from '../modules/integrations/index.ts';
import type { Db } from '../platform/db/db.ts';
import { createLogger } from '../platform/log.ts';
import { createFileStore } from '../platform/storage/file-store.ts';

/**
 * The demo's import history: a small file from "the old helpdesk" imported by the real CSV importer, so
 * Settings → Import shows a finished run and the inbox shows imported tickets with their original dates.
 * Nothing leaves the machine (docs/examples/import-sample.csv is a second file to try the CLI with).
 */
export const DEMO_IMPORT_CSV = [
  'ticket_id,subject,status,priority,tags,requester_email,requester_name,message_type,author_name,created_at,body',
  'OLD-101,Wrong size delivered,solved,normal,"returns,imported",mila.horvat@example.com,Mila Horvat,customer,,2025-11-03T09:12:00Z,"Hi, I ordered the trail jacket in M and got an L. Can I swap it?"',
  'OLD-101,,,,,,,agent,Jonas (old helpdesk),2025-11-03T10:40:00Z,"Sorry about that! A return label is on its way, the M ships as soon as we scan the parcel."',
  'OLD-101,,,,,,,note,Jonas (old helpdesk),2025-11-03T10:41:00Z,Swap approved; warehouse told.',
  'OLD-102,Do you ship to Iceland?,closed,low,imported,arni@example.com,Árni Jónsson,customer,,2025-12-01T16:05:00Z,Do you ship to Reykjavik and how long does it take?',
  'OLD-102,,,,,,,agent,Jonas (old helpdesk),2025-12-01T17:00:00Z,"We do: 5–8 working days with tracking."',
  'OLD-103,Gift card not received,open,high,imported,sam.ortiz@example.com,Sam Ortiz,customer,,2026-01-15T08:30:00Z,I bought a gift card yesterday and the email never came.',
].join('\n');

export async function seedDemoImport(db: Db, config: Config, workspaceId: number) {
  const svc = createImportsService({
    db,
    config,
    files: createFileStore(config, db),
    log: createLogger('silent'),
  });
  const run = await svc.create(
    { workspaceId, agentId: null },
    { source: 'csv', csv: DEMO_IMPORT_CSV, filename: 'old-helpdesk-export.csv' },
    { inline: true },
  );
  await svc.runInline(workspaceId, run.id, () => {});
}
