/**
 * Proactive insights: what a user would want to know without asking ("5 unattached EBS volumes cost about
 * $50/month", "alarms in ALARM since …"). Each source reads through the operation registry and returns
 * insights; the Insights view shows them with a badge, and a dismissed insight stays dismissed until its
 * fingerprint changes.
 */
import type { ReadOperation } from '../reads';

export type InsightSeverity = 'high' | 'medium' | 'low';

export interface InsightResource {
  type: string;
  id: string;
  region: string;
  account?: string;
}

export interface Insight {
  /** Stable per subject, e.g. `unattached-volumes:us-east-1`. */
  id: string;
  /** Changes when the subject changes (e.g. the sorted volume ids): a dismissal holds while it is the same. */
  fingerprint: string;
  sourceId: string;
  severity: InsightSeverity;
  title: string;
  detail?: string;
  resources: InsightResource[];
  /** The registered operation that fixes it, offered as a dry-run preview first; never run directly. */
  fix?: { title: string; operationId: string; input: Record<string, unknown> };
}

export interface InsightContext {
  read: ReadOperation;
  account: string;
  region: string;
  now: Date;
}

export interface InsightSource {
  id: string;
  title: string;
  /** Throws when its reads fail: the caller shows the source as "not checked", never as "nothing found". */
  collect(context: InsightContext): Promise<Insight[]>;
}
