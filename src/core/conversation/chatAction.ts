import type { ResourceRef } from '../insights/facts';

/** Something the user can click; adapters turn these into buttons. */
export type ChatAction =
  | { kind: 'show-in-explorer'; resource: ResourceRef }
  | { kind: 'dry-run'; title?: string; operationId: string; input: Record<string, unknown>; region?: string }
  | {
      kind: 'run';
      title?: string;
      operationId: string;
      input: Record<string, unknown>;
      region?: string;
      correlationId?: string;
    };

export interface ChatFollowup {
  label: string;
  prompt: string;
  command?: string;
}
