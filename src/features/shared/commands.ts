import * as vscode from 'vscode';
import { describeAwsError, formatAwsError, type AwsErrorInfo, type AwsErrorKind } from '../../core/aws/errors';

/** A next step offered as a button on an error message. */
export interface CommandAction {
  title: string;
  run: () => unknown;
}

/**
 * A user-facing failure: shown as an error message as it is (no stack, no "Error:" prefix), with its
 * actions as buttons. An empty message means the user cancelled: nothing is shown. `aws` (the classified
 * AWS error behind it) adds the buttons that fix that kind of error (Sign In, Select Profile…).
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly actions: CommandAction[] = [],
    readonly aws?: AwsErrorInfo,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Stops a command quietly: the user cancelled. */
export class CommandCancelled extends Error {
  constructor() {
    super('Canceled');
    this.name = 'Canceled';
  }
}

/** True for a cancellation: `UserError('')`, `CommandCancelled`, VS Code's `CancellationError` or an aborted request. */
export function isCancellation(error: unknown): boolean {
  if (error instanceof UserError) return !error.message;
  const name = error && typeof error === 'object' ? (error as { name?: unknown }).name : undefined;
  return error instanceof CommandCancelled || name === 'Canceled' || name === 'AbortError';
}

/** What a command needs from the extension: its log and the profile in use (for AWS hints). */
export interface CommandHost {
  readonly log: Pick<vscode.LogOutputChannel, 'debug' | 'warn' | 'error' | 'show'>;
  profileSetting?(): string | undefined;
}

/** How a command failed, as shown to the user. */
export interface CommandFailure {
  command: string;
  message: string;
  /** `user`: a UserError; `aws`: an AWS error (see `awsKind`); `unexpected`: anything else, logged with its stack. */
  kind: 'user' | 'aws' | 'unexpected';
  awsKind?: AwsErrorKind;
  actions: CommandAction[];
}

export const SIGN_IN = 'Sign In';
export const SELECT_PROFILE = 'Select Profile';
export const CONFIGURE_ENDPOINT = 'Configure Endpoint';
export const SHOW_LOG = 'Show Log';
export const RETRY = 'Retry';

/** The next steps for each kind of AWS error, at most three (a notification shows no more). */
const AWS_ACTIONS: Record<AwsErrorKind, string[]> = {
  'sso-login-required': [SIGN_IN, SELECT_PROFILE, RETRY],
  'expired-credentials': [SIGN_IN, SELECT_PROFILE, RETRY],
  'no-credentials': [SELECT_PROFILE, SHOW_LOG],
  'invalid-credentials': [SELECT_PROFILE, SHOW_LOG],
  'access-denied': [SELECT_PROFILE, SHOW_LOG],
  throttled: [RETRY, SHOW_LOG],
  'endpoint-unreachable': [RETRY, CONFIGURE_ENDPOINT, SHOW_LOG],
  'invalid-endpoint': [CONFIGURE_ENDPOINT, SHOW_LOG],
  'not-found': [SHOW_LOG],
  'service-error': [SHOW_LOG],
};

/** Errors that are AWS SDK errors by shape: a service response, or a credential, token or endpoint provider failure. */
function isSdkError(error: object): boolean {
  const name = (error as { name?: unknown }).name;
  return (
    '$metadata' in error ||
    '$fault' in error ||
    name === 'CredentialsProviderError' ||
    name === 'TokenProviderError' ||
    name === 'InvalidEndpointError'
  );
}

/** The AWS classification of an error, or undefined when it is not an AWS error (a bug, a file error…). */
export function awsErrorOf(error: unknown, profile?: string): AwsErrorInfo | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const info = describeAwsError(error, profile);
  return isSdkError(error) || (info.kind !== 'service-error' && info.kind !== 'not-found') ? info : undefined;
}

/** Turns what a command threw into the message and buttons to show. `retry` runs the command again. */
export function describeCommandFailure(
  command: string,
  error: unknown,
  host: CommandHost,
  retry: () => unknown,
): CommandFailure {
  const steps: Record<string, () => unknown> = {
    [SIGN_IN]: () => vscode.commands.executeCommand('pilotLight.signIn'),
    [SELECT_PROFILE]: () => vscode.commands.executeCommand('pilotLight.selectProfile'),
    [CONFIGURE_ENDPOINT]: () => vscode.commands.executeCommand('pilotLight.configureEndpoint'),
    [SHOW_LOG]: () => host.log.show(true),
    [RETRY]: retry,
  };
  const awsActions = (info: AwsErrorInfo) => AWS_ACTIONS[info.kind].map((title) => ({ title, run: steps[title] }));
  if (error instanceof UserError) {
    const actions = [...error.actions];
    for (const action of error.aws ? awsActions(error.aws) : [])
      if (actions.length < 3 && !actions.some((a) => a.title === action.title)) actions.push(action);
    return { command, message: error.message, kind: 'user', awsKind: error.aws?.kind, actions };
  }
  const info = awsErrorOf(error, host.profileSetting?.());
  if (info)
    return {
      command,
      message: `${formatAwsError(info)} ${info.hint}`,
      kind: 'aws',
      awsKind: info.kind,
      actions: awsActions(info),
    };
  const message = error instanceof Error ? error.message || error.name : String(error);
  return { command, message, kind: 'unexpected', actions: [{ title: SHOW_LOG, run: steps[SHOW_LOG] }] };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- VS Code passes command arguments untyped
export type CommandHandler = (...args: any[]) => unknown;

export interface CommandOptions {
  /** Called with every failure shown (tests read the last one). */
  onError?(failure: CommandFailure): void;
}

/**
 * Wraps a command handler: logs the call, turns a thrown error into an error message with next-step
 * buttons (and resolves to undefined), and ends quietly on cancellation.
 */
export function wrapCommand(
  host: CommandHost,
  id: string,
  handler: CommandHandler,
  options: CommandOptions = {},
): (...args: unknown[]) => Promise<unknown> {
  const run = async (...args: unknown[]): Promise<unknown> => {
    host.log.debug(`Command ${id}`);
    try {
      return await handler(...args);
    } catch (error) {
      if (isCancellation(error)) {
        host.log.debug(`${id}: cancelled`);
        return undefined;
      }
      const failure = describeCommandFailure(id, error, host, () => run(...args));
      if (failure.kind === 'unexpected')
        host.log.error(`${id}: ${error instanceof Error && error.stack ? error.stack : failure.message}`);
      else host.log.warn(`${id}: ${failure.message}`);
      options.onError?.(failure);
      showFailure(host, failure);
      return undefined;
    }
  };
  return run;
}

function showFailure(host: CommandHost, failure: CommandFailure): void {
  void Promise.resolve(
    vscode.window.showErrorMessage(failure.message, ...failure.actions.map((action) => action.title)),
  )
    .then((choice) => failure.actions.find((action) => action.title === choice)?.run())
    .then(undefined, (error: unknown) =>
      host.log.warn(
        `${failure.command}: the chosen action failed: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
}

/**
 * The one way features register commands: `const command = commandRegistrar(ctx); command(id, handler)`.
 * Every handler runs through `wrapCommand`.
 */
export function commandRegistrar(
  host: CommandHost,
  options: CommandOptions = {},
): (id: string, handler: CommandHandler) => vscode.Disposable {
  return (id, handler) => vscode.commands.registerCommand(id, wrapCommand(host, id, handler, options));
}
