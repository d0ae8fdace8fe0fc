import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  FAKE_CHAT_EXTENSION_ID,
  FAKE_MODEL_ID,
  FAKE_MODEL_NO_TURN_TEXT,
  FAKE_MODEL_VENDOR,
  fakeChat,
  textSentToModel,
} from './support/fakeChatModel';

const LIST_INSTANCES_TOOL: vscode.LanguageModelChatTool = {
  name: 'pilotLight_listInstances',
  description: 'Lists EC2 instances in a region.',
  inputSchema: { type: 'object', properties: { region: { type: 'string' } }, required: ['region'] },
};

async function collect(response: vscode.LanguageModelChatResponse): Promise<unknown[]> {
  const parts: unknown[] = [];
  for await (const part of response.stream) parts.push(part);
  return parts;
}

describe('Test helper: fake chat model and participants', function () {
  this.timeout(60_000);

  beforeEach(async () => (await fakeChat()).reset());

  it('is a selectable tool-calling model that answers from the script and records the requests', async () => {
    const fake = await fakeChat();
    const models = await vscode.lm.selectChatModels({ vendor: FAKE_MODEL_VENDOR });
    assert.equal(models.length, 1, `one fake model, got ${JSON.stringify(models.map((m) => m.id))}`);
    const [model] = models;
    assert.equal(model.id, FAKE_MODEL_ID);
    assert.ok(model.maxInputTokens >= 100_000);
    assert.ok((await model.countTokens('twelve chars')) > 0);

    await fake.setScript([
      [
        { text: 'Let me look.' },
        { toolCall: { name: LIST_INSTANCES_TOOL.name, input: { region: 'us-east-1' }, callId: 'call-1' } },
      ],
      [{ text: 'You have one instance: i-0abc.' }],
    ]);
    const token = new vscode.CancellationTokenSource().token;
    const question = vscode.LanguageModelChatMessage.User('Which instances do I have?');
    const first = await collect(
      await model.sendRequest([question], { tools: [LIST_INSTANCES_TOOL], modelOptions: { temperature: 0 } }, token),
    );

    assert.equal(first.length, 2);
    assert.ok(first[0] instanceof vscode.LanguageModelTextPart);
    assert.equal(first[0].value, 'Let me look.');
    assert.ok(first[1] instanceof vscode.LanguageModelToolCallPart);
    assert.deepEqual(
      [first[1].callId, first[1].name, first[1].input],
      ['call-1', LIST_INSTANCES_TOOL.name, { region: 'us-east-1' }],
    );

    // Second round of the tool loop: the tool call and its result go back to the model.
    const second = await model.sendRequest(
      [
        question,
        vscode.LanguageModelChatMessage.Assistant([first[1]]),
        vscode.LanguageModelChatMessage.User([
          new vscode.LanguageModelToolResultPart('call-1', [new vscode.LanguageModelTextPart('i-0abc running')]),
        ]),
      ],
      { tools: [LIST_INSTANCES_TOOL] },
      token,
    );
    assert.equal(await collectText(second), 'You have one instance: i-0abc.');
    assert.equal(await fake.remainingTurns(), 0);

    const requests = await fake.requests();
    assert.equal(requests.length, 2);
    assert.deepEqual(requests[0].messages, [
      { role: 'user', content: [{ type: 'text', value: 'Which instances do I have?' }] },
    ]);
    assert.deepEqual(requests[0].tools, [LIST_INSTANCES_TOOL]);
    assert.equal(requests[0].toolMode, 'auto');
    assert.deepEqual(requests[0].modelOptions, { temperature: 0 });
    assert.equal(requests[0].scripted, true);
    assert.deepEqual(requests[1].messages.slice(1), [
      {
        role: 'assistant',
        content: [
          { type: 'toolCall', callId: 'call-1', name: LIST_INSTANCES_TOOL.name, input: { region: 'us-east-1' } },
        ],
      },
      {
        role: 'user',
        content: [{ type: 'toolResult', callId: 'call-1', content: [{ type: 'text', value: 'i-0abc running' }] }],
      },
    ]);
    assert.doesNotMatch(textSentToModel(requests[1]), /aws_secret_access_key/);

    // With the script used up, the model still answers, with a fixed text.
    const third = await model.sendRequest([question], {}, token);
    assert.equal(await collectText(third), FAKE_MODEL_NO_TURN_TEXT);
    assert.equal((await fake.requests())[2].scripted, false);
  });

  it('fails a request at a scripted { error } part', async () => {
    const fake = await fakeChat();
    const [model] = await vscode.lm.selectChatModels({ vendor: FAKE_MODEL_VENDOR });
    await fake.setScript([[{ text: 'partial' }, { error: 'scripted failure' }]]);
    const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('hi')]);
    await assert.rejects(collectText(response), /scripted failure/);
  });

  it('rejects a malformed script', async () => {
    const fake = await fakeChat();
    await assert.rejects(
      fake.setScript([[{ toolCall: { name: 'x', input: 'not an object' } } as never]]),
      /toolCall.input must be an object/,
    );
  });

  it('routes a query typed into the Chat view to a participant, with the fake model as request.model', async () => {
    const fake = await fakeChat();
    // blockOnResponse: the command returns once the participant's response is complete.
    const ask = (query: string) =>
      vscode.commands.executeCommand('workbench.action.chat.open', { query, blockOnResponse: true });
    try {
      await ask('@fake-echo hello from the host test');
      const [echo] = await fake.participantRequests();
      assert.equal(echo?.participant, 'fake-echo');
      assert.equal(echo.prompt, 'hello from the host test');
      assert.deepEqual(echo.model, { vendor: FAKE_MODEL_VENDOR, id: FAKE_MODEL_ID, family: 'fake-scripted' });

      // A participant that calls request.model reaches the scripted model.
      await fake.setScript([[{ text: 'pong' }]]);
      await ask('@fake-echo /model ping');
      const requests = await fake.requests();
      assert.equal(requests.length, 1);
      assert.deepEqual(requests[0].messages, [{ role: 'user', content: [{ type: 'text', value: 'ping' }] }]);
      assert.equal(requests[0].requestInitiator, FAKE_CHAT_EXTENSION_ID);
      assert.equal((await fake.participantRequests()).at(-1)?.command, 'model');

      // A query without @ goes to the default participant.
      await ask('hello default');
      const last = (await fake.participantRequests()).at(-1);
      assert.deepEqual([last?.participant, last?.prompt], ['fake-default', 'hello default']);
    } finally {
      await vscode.commands.executeCommand('workbench.action.chat.newChat');
      await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
    }
  });
});

async function collectText(response: vscode.LanguageModelChatResponse): Promise<string> {
  let text = '';
  for await (const chunk of response.text) text += chunk;
  return text;
}
