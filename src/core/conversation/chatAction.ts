import type { ResourceRef } from '../insights/facts';

/** Something the user can click; adapters turn these into buttons. */
export type ChatAction =
  | { kind: 'show-in-explorer'; resource: ResourceRef }
  | {
      kind: 'dry-run';
      title?: string;
      operationId: string;
      input: Record<string, unknown>;
      region?: string;
      /** As for 'run': the member account the change is previewed in. */
      account?: string;
    }
  | {
      kind: 'run';
      title?: string;
      operationId: string;
      input: Record<string, unknown>;
      region?: string;
      correlationId?: string;
      /** The account the change runs in when it is not the active one (a member account, by its 12-digit ID). */
      account?: string;
    };

export interface ChatFollowup {
  label: string;
  prompt: string;
  command?: string;
}
