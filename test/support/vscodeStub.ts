import Module = require('node:module');

/** Just enough of the `vscode` API for activate() to run in plain Node, recording what was registered. */
export function createVscodeStub() {
  const registeredCommands: string[] = [];
  /** Handlers by command ID, so tests can run what a feature registered. */
  const commandHandlers = new Map<string, (...args: unknown[]) => unknown>();
  const executedCommands: Array<{ id: string; args: unknown[] }> = [];
  /** Every notification shown; `messageAnswers` are the buttons "clicked", one per message, in order. */
  const shownMessages: Array<{ level: 'error' | 'warning' | 'information'; message: string; items: string[] }> = [];
  const messageAnswers: Array<string | undefined> = [];
  const showMessage =
    (level: 'error' | 'warning' | 'information') =>
    async (message: string, ...items: unknown[]) => {
      const titles = items.filter((item): item is string => typeof item === 'string');
      shownMessages.push({ level, message, items: titles });
      return messageAnswers.shift();
    };
  const disposable = { dispose() {} };
  class EventEmitter<T> {
    private listeners: Array<(value: T) => void> = [];
    event = (listener: (value: T) => void) => {
      this.listeners.push(listener);
      return disposable;
    };
    fire(value: T) {
      for (const listener of this.listeners) listener(value);
    }
    dispose() {}
  }
  // Anything not modelled below (events, factories) answers with something disposable.
  const anything: any = new Proxy(function () {}, {
    get: (_target, key) => (key === 'dispose' ? () => undefined : key === 'then' ? undefined : anything),
    apply: () => anything,
  });
  const lenient = <T extends object>(known: T): T =>
    new Proxy(known, { get: (target, key) => (key in target ? (target as any)[key] : anything) });
  const outputChannel = {
    info() {},
    warn() {},
    error() {},
    debug() {},
    trace() {},
    appendLine() {},
    show() {},
    dispose() {},
  };
  const statusBarItem = {
    show() {},
    hide() {},
    dispose() {},
    text: '',
    tooltip: '',
    command: '',
    name: '',
    backgroundColor: undefined,
  };
  const api = {
    EventEmitter,
    ThemeIcon: class {
      constructor(
        readonly id: string,
        readonly color?: unknown,
      ) {}
    },
    ThemeColor: class {
      constructor(readonly id: string) {}
    },
    CancellationError: class extends Error {
      constructor() {
        super('Canceled');
        this.name = 'Canceled';
      }
    },
    TreeItem: class {
      constructor(
        readonly label: string,
        readonly collapsibleState?: number,
      ) {}
    },
    MarkdownString: class {
      constructor(public value = '') {}
      appendMarkdown(text: string) {
        this.value += text;
        return this;
      }
    },
    Disposable: {
      from: (...items: Array<{ dispose(): unknown }>) => ({ dispose: () => items.forEach((item) => item.dispose()) }),
    },
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    CodeActionKind: { QuickFix: { value: 'quickfix' } },
    ConfigurationTarget: { Global: 1, Workspace: 2 },
    ExtensionMode: { Production: 1, Development: 2, Test: 3 },
    Uri: { parse: (value: string) => ({ toString: () => value }), from: (parts: object) => parts },
    window: lenient({
      createOutputChannel: () => outputChannel,
      createStatusBarItem: () => statusBarItem,
      createTreeView: () => lenient({ ...disposable, description: undefined, selection: [] }),
      onDidCloseTerminal: () => disposable,
      showErrorMessage: showMessage('error'),
      showWarningMessage: showMessage('warning'),
      showInformationMessage: showMessage('information'),
    }),
    commands: lenient({
      registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
        registeredCommands.push(id);
        commandHandlers.set(id, handler);
        return disposable;
      },
      executeCommand: async (id: string, ...args: unknown[]) => {
        executedCommands.push({ id, args });
        return undefined;
      },
    }),
    languages: lenient({
      createDiagnosticCollection: () => ({ ...disposable, set() {}, clear() {}, delete() {} }),
    }),
    workspace: lenient({
      getConfiguration: () => ({ get: () => undefined, update: async () => undefined, inspect: () => undefined }),
      createFileSystemWatcher: () => ({
        ...disposable,
        onDidChange: () => disposable,
        onDidCreate: () => disposable,
        onDidDelete: () => disposable,
      }),
      onDidChangeConfiguration: () => disposable,
      registerTextDocumentContentProvider: () => disposable,
    }),
    env: { clipboard: { writeText: async () => undefined } },
  };
  return { api, registeredCommands, commandHandlers, executedCommands, shownMessages, messageAnswers };
}

/** Makes `require('vscode')` return the stub until the returned function is called. */
export function installVscodeStub(stub: object): () => void {
  const moduleInternals = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const originalLoad = moduleInternals._load;
  moduleInternals._load = function (request: string, ...rest: unknown[]) {
    if (request === 'vscode') return stub;
    return originalLoad.call(this, request, ...rest);
  };
  return () => {
    moduleInternals._load = originalLoad;
  };
}
