import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createVscodeStub, installVscodeStub } from '../support/vscodeStub';

const REPO = join(__dirname, '..', '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

type CommandsModule = typeof import('../../src/features/shared/commands');

/** A log that records its lines; `shown` counts `show()` calls. */
function recordingHost(profile = 'corp-sso') {
  const lines: Array<[string, string]> = [];
  const host = {
    shown: 0,
    lines,
    log: {
      debug: (message: string) => void lines.push(['debug', message]),
      warn: (message: string) => void lines.push(['warn', message]),
      error: (message: string) => void lines.push(['error', message]),
      show: () => void host.shown++,
    },
    profileSetting: () => profile,
  };
  return host;
}

/** Lets the message's button handler (a promise chain) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const sdkError = (name: string, message: string, extra: object = {}) =>
  Object.assign(
    new Error(message),
    { name, $fault: 'client', $metadata: { httpStatusCode: 400, requestId: 'req-1' } },
    extra,
  );

describe('shared command wrapper', () => {
  let stub: ReturnType<typeof createVscodeStub>;
  let uninstall: () => void;
  let commands: CommandsModule;
  const modulePath = require.resolve('../../src/features/shared/commands');

  before(() => {
    stub = createVscodeStub();
    uninstall = installVscodeStub(stub.api);
    delete require.cache[modulePath];
    commands = require(modulePath) as CommandsModule;
  });
  after(() => {
    uninstall();
    delete require.cache[modulePath];
  });
  beforeEach(() => {
    stub.shownMessages.length = 0;
    stub.messageAnswers.length = 0;
    stub.executedCommands.length = 0;
  });

  /** Runs a command that throws `error`, clicking `answer` on the message; returns what was shown. */
  async function fail(error: unknown, answer?: string) {
    const host = recordingHost();
    if (answer) stub.messageAnswers.push(answer);
    const run = commands.wrapCommand(host, 'pilotLight.test.command', () => {
      throw error;
    });
    assert.equal(await run(), undefined, 'a failed command resolves to undefined');
    await settle();
    assert.equal(stub.shownMessages.length, 1, 'one error message');
    const [shown] = stub.shownMessages;
    assert.equal(shown.level, 'error');
    return { shown, host };
  }

  it('returns what the handler returns, shows nothing and logs the call at debug level', async () => {
    const host = recordingHost();
    const run = commands.wrapCommand(host, 'pilotLight.test.ok', async (a: number, b: number) => a + b);
    assert.equal(await run(2, 3), 5);
    assert.deepEqual(stub.shownMessages, []);
    assert.deepEqual(host.lines, [['debug', 'Command pilotLight.test.ok']]);
  });

  it('an expired SSO session offers Sign In, Select Profile and Retry, with the profile in the hint', async () => {
    const error = Object.assign(
      new Error('The SSO session associated with this profile has expired or is otherwise invalid.'),
      { name: 'TokenProviderError' },
    );
    const { shown, host } = await fail(error, 'Sign In');
    assert.deepEqual(shown.items, ['Sign In', 'Select Profile', 'Retry']);
    assert.match(shown.message, /^TokenProviderError: The SSO session .*"aws sso login --profile corp-sso"/);
    assert.deepEqual(stub.executedCommands, [{ id: 'pilotLight.signIn', args: [] }]);
    assert.ok(
      host.lines.some(
        ([level, line]) => level === 'warn' && line.startsWith('pilotLight.test.command: TokenProviderError'),
      ),
      'logged as a warning',
    );
  });

  it('missing credentials offer Select Profile, which opens the profile picker', async () => {
    const { shown } = await fail(
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      'Select Profile',
    );
    assert.deepEqual(shown.items, ['Select Profile', 'Show Log']);
    assert.deepEqual(
      stub.executedCommands.map((c) => c.id),
      ['pilotLight.selectProfile'],
    );
  });

  it('access denied offers Select Profile and Show Log (no Retry: it would fail the same way)', async () => {
    const { shown, host } = await fail(
      sdkError('AccessDenied', 'User is not authorized to perform: drs:StartRecovery', {
        $metadata: { httpStatusCode: 403 },
      }),
      'Show Log',
    );
    assert.deepEqual(shown.items, ['Select Profile', 'Show Log']);
    assert.match(shown.message, /^AccessDenied: User is not authorized .* Ask for the missing IAM permission/);
    assert.equal(host.shown, 1, 'Show Log shows the output channel');
  });

  it('an unreachable endpoint offers Retry and Configure Endpoint', async () => {
    const network = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' });
    const { shown } = await fail(
      Object.assign(new Error('request failed'), { name: 'Error', cause: network }),
      'Configure Endpoint',
    );
    assert.deepEqual(shown.items, ['Retry', 'Configure Endpoint', 'Show Log']);
    assert.deepEqual(
      stub.executedCommands.map((c) => c.id),
      ['pilotLight.configureEndpoint'],
    );
  });

  it('Retry runs the same command again with the same arguments', async () => {
    const host = recordingHost();
    const calls: unknown[][] = [];
    stub.messageAnswers.push('Retry');
    const run = commands.wrapCommand(host, 'pilotLight.test.throttled', (...args: unknown[]) => {
      calls.push(args);
      if (calls.length === 1)
        throw sdkError('ThrottlingException', 'Rate exceeded', { $metadata: { httpStatusCode: 400 } });
      return 'second time';
    });
    await run('node-1', { page: 2 });
    await settle();
    assert.deepEqual(stub.shownMessages[0].items, ['Retry', 'Show Log']);
    assert.deepEqual(calls, [
      ['node-1', { page: 2 }],
      ['node-1', { page: 2 }],
    ]);
    assert.equal(stub.shownMessages.length, 1, 'the retry succeeded: no second message');
  });

  it('a UserError is shown as it is with its own actions, which run when chosen', async () => {
    let opened = 0;
    const { shown } = await fail(
      new commands.UserError('plan.yaml already exists; it is left as it is.', [
        { title: 'Open it', run: () => opened++ },
      ]),
      'Open it',
    );
    assert.equal(shown.message, 'plan.yaml already exists; it is left as it is.');
    assert.deepEqual(shown.items, ['Open it']);
    assert.equal(opened, 1);
  });

  it("a UserError that carries an AWS error gets that kind's next steps after its own", async () => {
    const aws = {
      kind: 'expired-credentials' as const,
      code: 'ExpiredToken',
      message: 'expired',
      hint: 'Refresh them.',
    };
    const { shown } = await fail(
      new commands.UserError(
        'AWS credentials are not usable (ExpiredToken): expired Refresh them.',
        [{ title: 'Open it', run: () => undefined }],
        aws,
      ),
    );
    assert.deepEqual(shown.items, ['Open it', 'Sign In', 'Select Profile'], 'at most three buttons');
  });

  it('an unexpected error is shown with Show Log and logged as an error with its stack', async () => {
    const { shown, host } = await fail(new TypeError("Cannot read properties of undefined (reading 'list')"));
    assert.equal(shown.message, "Cannot read properties of undefined (reading 'list')");
    assert.deepEqual(shown.items, ['Show Log']);
    const logged = host.lines.find(([level]) => level === 'error');
    assert.ok(
      logged && /TypeError: Cannot read properties[\s\S]*\n\s+at /.test(logged[1]),
      `logged with the stack: ${logged?.[1]}`,
    );
  });

  it('a file-system error is not mistaken for an AWS error', () => {
    assert.equal(
      commands.awsErrorOf(Object.assign(new Error("ENOENT: no such file or directory, open '/x'"), { code: 'ENOENT' })),
      undefined,
    );
    assert.equal(commands.awsErrorOf('just a string'), undefined);
    assert.equal(commands.awsErrorOf(sdkError('InternalFailure', 'boom'))?.kind, 'service-error');
  });

  it('cancellation is not an error: nothing is shown, nothing is logged above debug', async () => {
    const cancellations = [
      new commands.UserError(''),
      new commands.CommandCancelled(),
      new (stub.api.CancellationError as unknown as new () => Error)(),
      Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }),
    ];
    for (const cancellation of cancellations) {
      const host = recordingHost();
      const run = commands.wrapCommand(host, 'pilotLight.test.cancel', async () => {
        throw cancellation;
      });
      assert.equal(await run(), undefined);
      await settle();
      assert.deepEqual(stub.shownMessages, [], `${cancellation.name} shows no message`);
      assert.deepEqual(host.lines, [
        ['debug', 'Command pilotLight.test.cancel'],
        ['debug', 'pilotLight.test.cancel: cancelled'],
      ]);
    }
  });

  it('commandRegistrar registers the wrapped handler and reports failures to onError', async () => {
    const host = recordingHost();
    const failures: Array<{ command: string; message: string; kind: string }> = [];
    const register = commands.commandRegistrar(host, { onError: (failure) => failures.push(failure) });
    register('pilotLight.test.registered', () => {
      throw new commands.UserError('No runs yet.');
    });
    const handler = stub.commandHandlers.get('pilotLight.test.registered');
    assert.ok(handler, 'registered with vscode.commands');
    assert.equal(await handler(), undefined);
    assert.deepEqual(
      failures.map(({ command, message, kind }) => ({ command, message, kind })),
      [{ command: 'pilotLight.test.registered', message: 'No runs yet.', kind: 'user' }],
    );
    assert.equal(stub.shownMessages[0]?.message, 'No runs yet.');
  });

  it('an action that fails is logged, not thrown', async () => {
    const { host } = await fail(
      new commands.UserError('Broken.', [{ title: 'Fix', run: () => Promise.reject(new Error('could not fix')) }]),
      'Fix',
    );
    await settle();
    assert.ok(
      host.lines.some(
        ([level, line]) =>
          level === 'warn' && line === 'pilotLight.test.command: the chosen action failed: could not fix',
      ),
    );
  });

  it('is the only place that registers commands with VS Code', () => {
    const direct = sourceFiles(join(REPO, 'src'))
      .map((path) => relative(REPO, path).split('\\').join('/'))
      .filter(
        (path) =>
          path !== 'src/features/shared/commands.ts' &&
          /\bregister(TextEditor)?Command\s*\(/.test(readFileSync(join(REPO, path), 'utf8')),
      );
    assert.deepEqual(direct, [], 'register commands with commandRegistrar (src/features/shared/commands.ts)');
  });
});
