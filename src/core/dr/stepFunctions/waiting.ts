/**
 * The pauses and approvals a compiled plan's execution waits for, read from its history alone (no journal,
 * no state roles): each `sqs:sendMessage.waitForTaskToken` task that was scheduled and has not ended. The
 * message body the compiler writes names the wave, the step and the kind. Task tokens are never returned
 * (the history read through the operation runner has them redacted already).
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { WaitingTask } from './follow';

const ENDED = new Set(['TaskSucceeded', 'TaskFailed', 'TaskTimedOut', 'TaskSubmitFailed', 'TaskStartFailed']);
const EXECUTION_ENDED = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);
const STEP = /^[A-Za-z0-9._/-]{1,300}$/;

interface MessageBody {
  wave?: unknown;
  step?: unknown;
  kind?: unknown;
  message?: unknown;
}

function messageBody(parameters: string | undefined): MessageBody | undefined {
  if (!parameters || parameters.length > 256 * 1024) return undefined;
  try {
    // Read through the operation runner, the token's value arrives redacted as a bare [REDACTED]: quote it.
    const value = JSON.parse(parameters.replace(/(:\s*)\[REDACTED\](?=\s*[,}])/g, '$1"[REDACTED]"')) as {
      MessageBody?: unknown;
    };
    const body = typeof value.MessageBody === 'string' ? (JSON.parse(value.MessageBody) as unknown) : value.MessageBody;
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as MessageBody) : undefined;
  } catch {
    return undefined;
  }
}

/** The waiting tasks of an execution, oldest first; empty once the execution ended. */
export function waitingTasksInHistory(events: readonly HistoryEvent[]): WaitingTask[] {
  const sorted = [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  const previous = new Map<number, number>();
  const waiting = new Map<number, WaitingTask>();
  /** The scheduled event an event follows from (TaskStarted → TaskScheduled, TaskSucceeded → TaskStarted → …). */
  const scheduledOf = (event: HistoryEvent): number | undefined => {
    let id = event.previousEventId;
    for (let hops = 0; id !== undefined && hops < 4; hops++) {
      if (waiting.has(id)) return id;
      id = previous.get(id);
    }
    return undefined;
  };
  for (const event of sorted) {
    const id = event.id ?? 0;
    if (event.previousEventId !== undefined) previous.set(id, event.previousEventId);
    const type = event.type ?? '';
    if (EXECUTION_ENDED.has(type)) return [];
    if (type === 'TaskScheduled') {
      const details = event.taskScheduledEventDetails;
      if (!/waitForTaskToken$/.test(details?.resource ?? '')) continue;
      const body = messageBody(details?.parameters);
      if (typeof body?.step !== 'string' || !STEP.test(body.step) || typeof body.wave !== 'string') continue;
      const at = event.timestamp as Date | string | undefined;
      waiting.set(id, {
        wave: body.wave.slice(0, 128),
        step: body.step,
        kind: body.kind === 'pause' ? 'pause' : 'approval',
        message: typeof body.message === 'string' ? body.message.slice(0, 1000) : '',
        since: new Date(at ?? Date.now()).toISOString(),
      });
    } else if (ENDED.has(type)) {
      const scheduled = scheduledOf(event);
      if (scheduled !== undefined) waiting.delete(scheduled);
    }
  }
  return [...waiting.values()];
}
