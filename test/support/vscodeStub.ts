import Module = require('node:module');

/** Just enough of the `vscode` API for activate() to run in plain Node, recording what was registered. */
export function createVscodeStub() {
  const registeredCommands: string[] = [];
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
  const anything: any = new Proxy(function () {}, { get: (_target, key) => (key === 'dispose' ? () => undefined : key === 'then' ? undefined : anything), apply: () => anything });
  const lenient = <T extends object>(known: T): T => new Proxy(known, { get: (target, key) => (key in target ? (target as any)[key] : anything) });
  const outputChannel = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, appendLine() {}, dispose() {} };
  const statusBarItem = { show() {}, hide() {}, dispose() {}, text: '', tooltip: '', command: '', name: '', backgroundColor: undefined };
  const api = {
    EventEmitter,
    ThemeIcon: class { constructor(readonly id: string, readonly color?: unknown) {} },
    ThemeColor: class { constructor(readonly id: string) {} },
    TreeItem: class { constructor(readonly label: string, readonly collapsibleState?: number) {} },
    MarkdownString: class { constructor(public value = '') {} appendMarkdown(text: string) { this.value += text; return this; } },
    Disposable: { from: () => disposable },
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ConfigurationTarget: { Global: 1, Workspace: 2 },
    ExtensionMode: { Production: 1, Development: 2, Test: 3 },
    Uri: { parse: (value: string) => ({ toString: () => value }), from: (parts: object) => parts },
    window: lenient({
      createOutputChannel: () => outputChannel,
      createStatusBarItem: () => statusBarItem,
      createTreeView: () => lenient({ ...disposable, description: undefined, selection: [] }),
      onDidCloseTerminal: () => disposable,
    }),
    commands: lenient({
      registerCommand: (id: string) => {
        registeredCommands.push(id);
        return disposable;
      },
      executeCommand: async () => undefined,
    }),
    languages: lenient({
      createDiagnosticCollection: () => ({ ...disposable, set() {}, clear() {}, delete() {} }),
    }),
    workspace: lenient({
      getConfiguration: () => ({ get: () => undefined, update: async () => undefined, inspect: () => undefined }),
      createFileSystemWatcher: () => ({ ...disposable, onDidChange: () => disposable, onDidCreate: () => disposable, onDidDelete: () => disposable }),
      onDidChangeConfiguration: () => disposable,
      registerTextDocumentContentProvider: () => disposable,
    }),
    env: { clipboard: { writeText: async () => undefined } },
  };
  return { api, registeredCommands };
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
