// What every Pilot Light webview page shares: the VS Code API handle, zod-checked messages both ways, and
// reading values out of @vscode-elements controls.
import type { z } from 'zod';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** The page's one VS Code API handle (the webview allows a single acquireVsCodeApi call). */
const vscode = acquireVsCodeApi();

let requestCounter = 0;
export const nextRequestId = (): string => `r${++requestCounter}`;

function describeIssues(error: z.ZodError, limit = Infinity): string {
  return error.issues
    .slice(0, limit)
    .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    .join('; ');
}

/** Tells the page's status line what went wrong with a message. */
export type ShowError = (text: string) => void;

/**
 * Validates before sending: a message the host would refuse is a bug shown on the page, never posted.
 * Returns whether it was sent.
 */
export function sendChecked<T extends { type: string }>(
  schema: z.ZodType<T>,
  message: T,
  showError: ShowError,
): boolean {
  const parsed = schema.safeParse(message);
  if (!parsed.success) {
    showError(`Not sent (invalid ${message.type} message): ${describeIssues(parsed.error)}`);
    return false;
  }
  vscode.postMessage(parsed.data);
  return true;
}

/**
 * Checks a message from the extension. An invalid one is shown on the page and reported back as a
 * protocol error; the caller handles only valid messages.
 */
export function receiveChecked<T>(
  schema: z.ZodType<T>,
  data: unknown,
  showError: ShowError,
  reportProtocolError: (message: string) => void,
): T | undefined {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const text = `The editor received an invalid message from the extension: ${describeIssues(parsed.error, 3)}`;
  showError(text);
  reportProtocolError(text.slice(0, 2000));
  return undefined;
}

/** The value of the element an input or change event came from (inside a vscode-elements shadow root too). */
export function eventValue(event: Event): string {
  const target = event.target as { value?: unknown } | null;
  if (target && typeof target.value === 'string') return target.value;
  const inner = event.composedPath()[0] as { value?: unknown } | undefined;
  return inner && typeof inner.value === 'string' ? inner.value : '';
}

export function eventChecked(event: Event): boolean {
  return Boolean((event.target as { checked?: unknown } | null)?.checked);
}
