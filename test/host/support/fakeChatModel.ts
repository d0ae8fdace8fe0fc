// Typed access to the test-only helper extension test/fixtures/extensions/fake-chat-model
// (pre-installed by the runners): a scripted fake language model (the default model)
// and two recording chat participants. Keep these types in step with its src/extension.js.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export const FAKE_CHAT_EXTENSION_ID = 'pilot-light-test.fake-chat-model';
export const FAKE_MODEL_VENDOR = 'pilot-light-test';
export const FAKE_MODEL_ID = 'fake-scripted';
/** What the model answers when no scripted turn is left. */
export const FAKE_MODEL_NO_TURN_TEXT = '(fake model: no scripted turn)';

/** One part of a scripted model answer. `error` makes the request fail (after the parts before it). */
export type FakeModelTurnPart =
  { text: string } | { toolCall: { name: string; input?: object; callId?: string } } | { error: string };
/** One model answer; each provideLanguageModelChatResponse call consumes the next turn. */
export type FakeModelTurn = FakeModelTurnPart[];

/** A message part as the model received it (JSON-safe). */
export type FakeModelRecordedPart =
  | { type: 'text'; value: string }
  | { type: 'toolCall'; callId: string; name: string; input: unknown }
  | { type: 'toolResult'; callId: string; content: FakeModelRecordedPart[] }
  | { type: 'data'; mimeType: string; text: string }
  | { type: 'promptTsx'; value: unknown }
  | { type: 'unknown'; value: string };

export interface FakeModelRecordedMessage {
  role: 'user' | 'assistant' | 'system' | `role-${number}`;
  name?: string;
  content: FakeModelRecordedPart[];
}

/** One provideLanguageModelChatResponse call. */
export interface FakeModelRequest {
  modelId: string;
  messages: FakeModelRecordedMessage[];
  /** The tools offered with the request (LanguageModelChatRequestOptions.tools). */
  tools: Array<{ name: string; description: string; inputSchema?: unknown }>;
  toolMode: 'auto' | 'required';
  modelOptions: Record<string, unknown>;
  /** The extension that sent the request (e.g. 'pilot-light.pilot-light'). */
  requestInitiator?: string;
  /** False when the script was empty and the model gave FAKE_MODEL_NO_TURN_TEXT. */
  scripted: boolean;
}

/** One request a helper participant (`@fake-default`, `@fake-echo`) received. */
export interface FakeParticipantRequest {
  participant: 'fake-default' | 'fake-echo';
  prompt: string;
  command?: string;
  /** request.model, the model selected in the chat. */
  model?: { vendor: string; id: string; family: string };
  historyLength: number;
}

/** Activates the helper (it must be installed) and returns its command wrappers. */
export async function fakeChat() {
  const extension = vscode.extensions.getExtension(FAKE_CHAT_EXTENSION_ID);
  assert.ok(extension, `${FAKE_CHAT_EXTENSION_ID} is not installed (test/fixtures/extensions/fake-chat-model.vsix)`);
  await extension.activate();
  const run = <T>(command: string, ...args: unknown[]) =>
    vscode.commands.executeCommand<T>(command, ...args) as Promise<T>;
  return {
    /** Replaces the queue of scripted turns; returns its length. */
    setScript: (turns: FakeModelTurn[]) => run<number>('pilotLightTest.fakeModel.setScript', turns),
    requests: () => run<FakeModelRequest[]>('pilotLightTest.fakeModel.requests'),
    remainingTurns: () => run<number>('pilotLightTest.fakeModel.remainingTurns'),
    participantRequests: () => run<FakeParticipantRequest[]>('pilotLightTest.fakeChat.requests'),
    /** Clears the script and every record. */
    reset: () => run<void>('pilotLightTest.fakeModel.reset'),
  };
}

/** Every string in a recorded request (messages, tool results, tool schemas), for "never sent" checks. */
export function textSentToModel(request: FakeModelRequest): string {
  return JSON.stringify(request);
}

/** Polls `read` until `done` holds (chat requests are handled asynchronously). */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      assert.fail(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
