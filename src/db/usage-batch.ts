import type { UsageLogRow } from "./schema";

/**
 * One usage record on its way to the archive and the rollups. `chargedAt` is the time of the
 * request's ledger entry (the statement's day); `replacesExpired` marks a late settlement of a
 * request whose "expired" record was already sent (it adds tokens and cost, not a request).
 */
export type PlaneRecord = Omit<UsageLogRow, "userId"> & { chargedAt: number; replacesExpired?: boolean };

/**
 * One queue message: a batch of one wallet's records. The Durable Object numbers its batches
 * 1, 2, 3, … and resends a batch with the same number and records until the queue accepted it;
 * the consumer applies batch n only after n − 1, and at most once (usage_cursors).
 */
export interface UsageBatchMessage {
  v: 1;
  userId: string;
  batch: number;
  records: PlaneRecord[];
}

/** Records per batch: about 400 bytes each in JSON (measured), 80 KB, under a queue message's 128 KB. */
export const PLANE_BATCH = 200;
