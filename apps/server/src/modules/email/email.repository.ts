import { type Db, type SQL, sql } from '../../platform/db/db.ts';

export type InboxRow = {
  id: number;
  workspace_id: number;
  name: string;
  address: string;
  aliases: string[];
  from_name: string | null;
  signature: string;
  active: boolean;
  auto_ack_enabled: boolean;
  auto_ack_subject: string;
  auto_ack_body: string;
  expected_response_fallback: string;
  webhook_secret_hash: string;
  smtp: StoredSmtp | null;
  imap: StoredImap | null;
  imap_uid_validity: number | null;
  imap_last_uid: number;
  imap_last_error: string | null;
  imap_last_polled_at: Date | null;
  accept_invalid_certs: boolean;
  relay_last_error: string | null;
  relay_last_error_at: Date | null;
  created_at: Date;
  updated_at: Date;
};

export type StoredSmtp = {
  host: string;
  port: number;
  secure: boolean;
  user: string | null;
  passEnc: string | null;
};
export type StoredImap = {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  passEnc: string;
  folder: string;
  after: 'seen' | 'move' | 'keep';
  moveTo: string | null;
};

const inboxCols = sql`id, workspace_id, name, address, aliases, from_name, signature, active, auto_ack_enabled, auto_ack_subject,
  auto_ack_body, expected_response_fallback, webhook_secret_hash, smtp, imap, imap_uid_validity, imap_last_uid, imap_last_error,
  imap_last_polled_at, accept_invalid_certs, relay_last_error, relay_last_error_at, created_at, updated_at`;

export const listInboxes = (db: Db, workspaceId: number) =>
  db.query<InboxRow>(
    sql`SELECT ${inboxCols} FROM email_inboxes WHERE workspace_id = ${workspaceId} ORDER BY id`,
  );

export const findInbox = (db: Db, workspaceId: number, id: number) =>
  db.one<InboxRow>(
    sql`SELECT ${inboxCols} FROM email_inboxes WHERE workspace_id = ${workspaceId} AND id = ${id}`,
  );

export const findInboxById = (db: Db, id: number) =>
  db.one<InboxRow>(sql`SELECT ${inboxCols} FROM email_inboxes WHERE id = ${id}`);

/** Routing: the active inbox that owns an address as its main address or an alias (install-wide). */
export const findInboxByAddress = (db: Db, address: string) =>
  db.one<InboxRow>(sql`
    SELECT ${inboxCols} FROM email_inboxes
    WHERE active AND (lower(address) = ${address} OR ${address} = ANY(aliases))
    ORDER BY id LIMIT 1`);

/** Every address (main and aliases) of the install's active inboxes, lower-cased. */
export const activeAddresses = async (db: Db) =>
  (
    await db.query<{ a: string }>(
      sql`SELECT lower(address) AS a FROM email_inboxes WHERE active
          UNION SELECT lower(unnest(aliases)) FROM email_inboxes WHERE active`,
    )
  ).map((r) => r.a);

export const addressTaken = async (db: Db, address: string, exceptId: number | null) =>
  !!(await db.one(sql`
    SELECT 1 FROM email_inboxes
    WHERE (lower(address) = ${address} OR ${address} = ANY(aliases)) AND id <> ${exceptId ?? 0}`));

export async function insertInbox(
  db: Db,
  workspaceId: number,
  f: Record<string, unknown> & { name: string; address: string; webhook_secret_hash: string },
) {
  const row = await db.one<{ id: number }>(sql`
    INSERT INTO email_inboxes (workspace_id, name, address, webhook_secret_hash)
    VALUES (${workspaceId}, ${f.name}, ${f.address}, ${f.webhook_secret_hash}) RETURNING id`);
  const { name: _n, address: _a, webhook_secret_hash: _w, ...rest } = f;
  await updateInbox(db, workspaceId, row!.id, rest);
  return row!.id;
}

export async function updateInbox(db: Db, workspaceId: number, id: number, f: Record<string, unknown>) {
  const sets = Object.entries(f)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) =>
      k === 'smtp' || k === 'imap'
        ? sql`${sql.identifier(k)} = ${v === null ? null : JSON.stringify(v)}::jsonb`
        : sql`${sql.identifier(k)} = ${v}`,
    );
  if (!sets.length) return;
  await db.query(sql`
    UPDATE email_inboxes SET ${sql.join([...sets, sql`updated_at = now()`], sql`, `)}
    WHERE workspace_id = ${workspaceId} AND id = ${id}`);
}

export const deleteInbox = (db: Db, workspaceId: number, id: number) =>
  db.query<{ id: number }>(
    sql`DELETE FROM email_inboxes WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING id`,
  );

// IMAP cursor and lease

export const listImapInboxes = (db: Db) =>
  db.query<{ id: number; workspace_id: number; updated_at: Date }>(sql`
    SELECT id, workspace_id, updated_at FROM email_inboxes WHERE active AND imap IS NOT NULL ORDER BY id`);

/** Takes or renews the polling lease; true when this node may poll the inbox. */
export async function takeImapLease(db: Db, id: number, nodeId: string, seconds: number) {
  const row = await db.one<{ id: number }>(sql`
    UPDATE email_inboxes SET imap_lease_by = ${nodeId}, imap_lease_until = now() + make_interval(secs => ${seconds})
    WHERE id = ${id} AND (imap_lease_by IS NULL OR imap_lease_by = ${nodeId} OR imap_lease_until < now())
    RETURNING id`);
  return !!row;
}

export const releaseImapLease = (db: Db, id: number, nodeId: string) =>
  db.query(
    sql`UPDATE email_inboxes SET imap_lease_by = NULL, imap_lease_until = NULL WHERE id = ${id} AND imap_lease_by = ${nodeId}`,
  );

export const imapCursor = (db: Db, id: number) =>
  db.one<{ imap_uid_validity: number | null; imap_last_uid: number }>(
    sql`SELECT imap_uid_validity, imap_last_uid FROM email_inboxes WHERE id = ${id}`,
  );

export const setImapCursor = (db: Db, id: number, uidValidity: number, lastUid: number) =>
  db.query(sql`
    UPDATE email_inboxes SET imap_uid_validity = ${uidValidity}, imap_last_uid = greatest(imap_last_uid, ${lastUid})
    WHERE id = ${id}`);

export const resetImapCursor = (db: Db, id: number, uidValidity: number) =>
  db.query(
    sql`UPDATE email_inboxes SET imap_uid_validity = ${uidValidity}, imap_last_uid = 0 WHERE id = ${id}`,
  );

export const reportImap = (db: Db, id: number, error: string | null) =>
  db.query(
    sql`UPDATE email_inboxes SET imap_last_error = ${error}, imap_last_polled_at = now() WHERE id = ${id}`,
  );

/** The outcome of the last send through an inbox's relay (null clears it); leaves updated_at alone. */
export const reportRelay = (db: Db, workspaceId: number, id: number, error: string | null) =>
  db.query(sql`
    UPDATE email_inboxes SET relay_last_error = ${error}, relay_last_error_at = ${error ? sql`now()` : null}
    WHERE workspace_id = ${workspaceId} AND id = ${id} AND relay_last_error IS DISTINCT FROM ${error}`);

// Inbound

/** The raw bytes, keyed by Message-ID per workspace: a second delivery of the same message inserts nothing. */
/** The insert of a raw inbound email (nothing for a provider id already stored), returning its id. */
export const inboundEventInsert = (e: {
  workspaceId: number;
  providerId: string;
  headers: Record<string, unknown>;
  payload: Buffer;
}): SQL => sql`
    INSERT INTO inbound_events (workspace_id, channel, provider_id, headers, payload)
    VALUES (${e.workspaceId}, 'email', ${e.providerId}, ${JSON.stringify(e.headers)}::jsonb, ${e.payload})
    ON CONFLICT (workspace_id, channel, provider_id) DO NOTHING
    RETURNING id`;

export interface InboundEventRow {
  id: number;
  workspace_id: number;
  headers: Record<string, unknown>;
  payload: Buffer | Uint8Array | null;
  processed_at: Date | null;
  received_at: Date;
}

/**
 * The events in id order, with the raw message of each whose predecessors' bytes stay under `budget`
 * (the first always comes; a round holds at most the budget plus one email): the others come back with
 * `payload: null`, for a later round. The sizes are read from the values' headers, without loading them.
 */
export const findInboundEvents = (db: Db, ids: number[], budget: number) =>
  db.query<InboundEventRow>(
    sql`SELECT id, workspace_id, headers, processed_at, received_at,
          CASE WHEN sum(octet_length(payload)) OVER (ORDER BY id) - octet_length(payload) < ${budget}
               THEN payload END AS payload
        FROM inbound_events WHERE id = ANY(${ids}::bigint[]) AND channel = 'email' ORDER BY id`,
  );

export type InboundOutcome =
  | 'ticket'
  | 'threaded'
  | 'duplicate'
  | 'auto-reply'
  | 'bounce'
  | 'receipt'
  | 'rejected';

/**
 * What became of an inbound email, and the event marked processed — one statement (a data-modifying CTE
 * is atomic with its outer statement), so a processed email costs one round trip here, not four.
 */
export type OutcomeRow = {
  inboundEventId: number;
  workspaceId: number;
  inboxId: number | null;
  fromAddress: string | null;
  subject: string;
  messageIdHeader: string | null;
  outcome: InboundOutcome;
  reason: string | null;
  ticketId: number | null;
  messageId: number | null;
  autoSubmitted: boolean;
  /** pass | fail | none; null when the email was not checked (receipts, bounces, rejected mail). */
  senderAuth?: string | null;
  authResults?: Record<string, unknown> | null;
};

/**
 * Records what became of several inbound emails and marks their events processed (a rejection's reason
 * as the event's error), together with other data-modifying statements (enqueues) — one round trip.
 */
export async function recordInboundOutcomes(db: Db, rows: OutcomeRow[], also: SQL[] = []) {
  if (!rows.length) return;
  const col = <K extends keyof OutcomeRow>(k: K) => rows.map((r) => r[k]);
  const ctes = also.map((q, i) => sql`${sql.identifier(`also${i}`)} AS (${q}),`);
  await db.query(sql`
    WITH ${sql.join(ctes, sql` `)} outcome AS (
      INSERT INTO email_inbound (inbound_event_id, workspace_id, inbox_id, from_address, subject, message_id_header, outcome, reason,
                                 ticket_id, message_id, auto_submitted, sender_auth, auth_results)
      SELECT * FROM unnest(${col('inboundEventId')}::bigint[], ${col('workspaceId')}::bigint[], ${col('inboxId')}::bigint[],
        ${col('fromAddress')}::text[], ${rows.map((r) => r.subject.slice(0, 1000))}::text[], ${col('messageIdHeader')}::text[],
        ${col('outcome')}::text[], ${rows.map((r) => r.reason?.slice(0, 2000) ?? null)}::text[], ${col('ticketId')}::bigint[],
        ${col('messageId')}::bigint[], ${col('autoSubmitted')}::boolean[], ${rows.map((r) => r.senderAuth ?? null)}::text[],
        ${rows.map((r) => (r.authResults ? JSON.stringify(r.authResults) : null))}::jsonb[])
      ON CONFLICT (inbound_event_id) DO NOTHING)
    UPDATE inbound_events e SET processed_at = now(), error = x.error
    FROM unnest(${col('inboundEventId')}::bigint[], ${rows.map((r) => (r.outcome === 'rejected' ? r.reason : null))}::text[]) AS x(id, error)
    WHERE e.id = x.id`);
}

export const countPending = async (db: Db, workspaceId: number) =>
  (
    await db.one<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM inbound_events
      WHERE workspace_id = ${workspaceId} AND channel = 'email' AND processed_at IS NULL`)
  )?.n ?? 0;

/** Messages per sender (lower-cased) in the last `sinceSeconds`, for several senders at once. */
export async function countRecentFromMany(
  db: Db,
  workspaceId: number,
  addresses: string[],
  sinceSeconds: number,
) {
  const out = new Map<string, number>();
  if (!addresses.length) return out;
  // One index range per sender: with `= ANY` the planner may scan the workspace's whole recent mail
  // and filter it, which grows with the inbound rate this check guards against.
  const rows = await db.query<{ a: string; n: number }>(sql`
    SELECT s.a, (SELECT count(*) FROM email_inbound
                 WHERE workspace_id = ${workspaceId} AND lower(from_address) = s.a
                   AND created_at > now() - make_interval(secs => ${sinceSeconds}))::int AS n
    FROM unnest(${addresses}::text[]) AS s(a)`);
  for (const r of rows) out.set(r.a, r.n);
  return out;
}

export const listInbound = (db: Db, workspaceId: number, limit: number, outcome?: string) =>
  db.query<{
    inbound_event_id: number;
    inbox_id: number | null;
    from_address: string | null;
    subject: string;
    message_id_header: string | null;
    outcome: string;
    reason: string | null;
    ticket_id: number | null;
    message_id: number | null;
    sender_auth: string | null;
    created_at: Date;
  }>(sql`
    SELECT inbound_event_id, inbox_id, from_address, subject, message_id_header, outcome, reason, ticket_id, message_id,
           sender_auth, created_at
    FROM email_inbound WHERE workspace_id = ${workspaceId} ${outcome ? sql`AND outcome = ${outcome}` : sql``}
    ORDER BY inbound_event_id DESC LIMIT ${limit}`);

/** The original bytes behind a ticket message (inbound: as received; outbound: as sent). */
export async function rawOfMessage(db: Db, workspaceId: number, messageId: number) {
  const inbound = await db.one<{ payload: Buffer | Uint8Array }>(sql`
    SELECT e.payload FROM email_inbound i JOIN inbound_events e ON e.id = i.inbound_event_id
    WHERE i.workspace_id = ${workspaceId} AND i.message_id = ${messageId} LIMIT 1`);
  if (inbound) return inbound.payload;
  const outbound = await db.one<{ raw: Buffer | Uint8Array }>(sql`
    SELECT raw FROM email_outbound WHERE workspace_id = ${workspaceId} AND message_id = ${messageId} ORDER BY id DESC LIMIT 1`);
  return outbound?.raw ?? null;
}

export const rawOfInboundEvent = (db: Db, workspaceId: number, eventId: number) =>
  db.one<{ payload: Buffer | Uint8Array }>(sql`
    SELECT payload FROM inbound_events WHERE workspace_id = ${workspaceId} AND id = ${eventId} AND channel = 'email'`);

// Outbound

export type OutboundInsert = {
  workspaceId: number;
  inboxId: number;
  ticketId: number | null;
  messageId: number | null;
  kind: string;
  messageIdHeader: string;
  from: string;
  to: string[];
  subject: string;
  raw: Buffer;
  transport: string;
  relayResponse: string | null;
};

/** Records sent mail, several rows in one statement (acknowledgements of one job tick go together). */
export const insertOutbounds = (db: Db, rows: OutboundInsert[]) =>
  db.query(sql`
    INSERT INTO email_outbound (workspace_id, inbox_id, ticket_id, message_id, kind, message_id_header, from_address, to_addresses,
                                subject, raw, transport, relay_response)
    VALUES ${sql.join(
      rows.map(
        (
          r,
        ) => sql`(${r.workspaceId}, ${r.inboxId}, ${r.ticketId}, ${r.messageId}, ${r.kind}, ${r.messageIdHeader}, ${r.from},
                    ${r.to}, ${r.subject}, ${r.raw}, ${r.transport}, ${r.relayResponse})`,
      ),
      sql`, `,
    )}`);

export const sentHeaderOf = async (db: Db, workspaceId: number, messageId: number) =>
  (
    await db.one<{ message_id_header: string }>(sql`
      SELECT message_id_header FROM email_outbound WHERE workspace_id = ${workspaceId} AND message_id = ${messageId} ORDER BY id LIMIT 1`)
  )?.message_id_header ?? null;

/** Tickets of our own outbound mail that is not a ticket message (auto-acknowledgements). */
export const ticketOfOutboundHeaders = async (db: Db, workspaceId: number, headers: string[]) =>
  headers.length
    ? ((
        await db.one<{ ticket_id: number | null }>(sql`
          SELECT ticket_id FROM email_outbound
          WHERE workspace_id = ${workspaceId} AND message_id_header = ANY(${headers}::text[]) AND ticket_id IS NOT NULL
          ORDER BY id DESC LIMIT 1`)
      )?.ticket_id ?? null)
    : null;

/**
 * Whether this ticket was already acknowledged, and whether the address got any acknowledgement within
 * `sinceSeconds` (RFC 3834) — one query on the email_outbound_ack index.
 */
/**
 * For each (ticket, recipient): whether that ticket was acknowledged already, and whether the recipient
 * got any acknowledgement within `sinceSeconds` (RFC 3834: one automatic answer per sender per period).
 */
export const ackStates = async (
  db: Db,
  keys: { workspaceId: number; ticketId: number; to: string }[],
  sinceSeconds: number,
) => {
  const rows = await db.query<{ n: string; for_ticket: boolean | null; recent: boolean | null }>(sql`
    SELECT k.n, bool_or(o.ticket_id = k.t) AS for_ticket,
           bool_or(o.created_at > now() - make_interval(secs => ${sinceSeconds})) AS recent
    FROM unnest(${keys.map((k) => k.workspaceId)}::bigint[], ${keys.map((k) => k.ticketId)}::bigint[],
                ${keys.map((k) => k.to)}::text[]) WITH ORDINALITY AS k(ws, t, addr, n)
    LEFT JOIN email_outbound o ON o.workspace_id = k.ws AND o.kind = 'auto-ack' AND o.to_addresses[1] = k.addr
    GROUP BY k.n`);
  const byN = new Map(rows.map((r) => [Number(r.n), r]));
  return keys.map((_, i) => ({ forTicket: !!byN.get(i + 1)?.for_ticket, recent: !!byN.get(i + 1)?.recent }));
};

export type OutboundRow = {
  id: number;
  inbox_id: number | null;
  ticket_id: number | null;
  message_id: number | null;
  kind: string;
  message_id_header: string;
  from_address: string;
  to_addresses: string[];
  subject: string;
  transport: string;
  relay_response: string | null;
  created_at: Date;
};

export const listOutbound = (db: Db, workspaceId: number, transport: string | null, limit: number) =>
  db.query<OutboundRow>(sql`
    SELECT id, inbox_id, ticket_id, message_id, kind, message_id_header, from_address, to_addresses, subject, transport,
      relay_response, created_at
    FROM email_outbound WHERE workspace_id = ${workspaceId} ${transport ? sql`AND transport = ${transport}` : sql``}
    ORDER BY id DESC LIMIT ${limit}`);

export const findOutbound = (db: Db, workspaceId: number, id: number) =>
  db.one<OutboundRow & { raw: Buffer | Uint8Array }>(sql`
    SELECT id, inbox_id, ticket_id, message_id, kind, message_id_header, from_address, to_addresses, subject, transport,
      relay_response, created_at, raw
    FROM email_outbound WHERE workspace_id = ${workspaceId} AND id = ${id}`);
