// Typed access, from compiled (CommonJS) tests, to the ES-module test harness in
// scripts/lib/ (code-server, chromium, emulator stack).

import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Browser } from 'playwright-core';

export interface HostTestStack {
  endpoint: string;
  region: string;
  /** The JSON line the emulator stack printed when ready (may carry a seeding summary). */
  ready?: Record<string, unknown>;
  withoutEmulators: boolean;
  /** test-output/<layer>/ */
  outputDir: string;
  settings: Record<string, unknown>;
  env: Record<string, string | undefined>;
  stop(): Promise<void>;
}

export interface CodeServer {
  url: string;
  port: number;
  workbenchUrl(options?: { folder?: string; payload?: Array<[string, string]> }): string;
  remoteUri(absolutePath: string): string;
  stop(): Promise<void>;
}

export interface StartCodeServerOptions {
  repoRoot: string;
  workspace?: string;
  settings?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
  extensionsToInstall?: string[];
  logFile?: string;
  saveLogsTo?: string;
}

export interface HostHarness {
  repoRoot: string;
  testWorkspace: string;
  ensureCodeServer(): void;
  /** Runs `npm run package`; returns the VSIX path. */
  packageExtension(): string;
  packagedVsix: string;
  helperExtensionVsixes(): string[];
  withoutEmulatorsRequested(): boolean;
  startHostTestStack(options: { layer: string; withoutEmulators?: boolean }): Promise<HostTestStack>;
  startCodeServer(options: StartCodeServerOptions): Promise<CodeServer>;
  launchChromium(options?: { headless?: boolean }): Promise<Browser>;
}

// tsc (module: commonjs) would turn `import()` into `require()`, which cannot load .mjs.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<any>;

function findRepoRoot(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'scripts', 'lib', 'vscodeHost.mjs'))) return dir;
  }
  throw new Error(`scripts/lib/vscodeHost.mjs not found above ${from}`);
}

export async function loadHostHarness(): Promise<HostHarness> {
  const repoRoot = findRepoRoot(__dirname);
  const lib = (name: string) => importEsm(pathToFileURL(path.join(repoRoot, 'scripts', 'lib', name)).href);
  const [host, codeServer, chromium] = await Promise.all([
    lib('vscodeHost.mjs'),
    lib('codeServer.mjs'),
    lib('chromium.mjs'),
  ]);
  return {
    repoRoot,
    testWorkspace: host.TEST_WORKSPACE,
    ensureCodeServer: () => codeServer.ensureCodeServer(repoRoot),
    packageExtension: host.packageExtension,
    packagedVsix: host.PACKAGED_VSIX,
    helperExtensionVsixes: host.helperExtensionVsixes,
    withoutEmulatorsRequested: () => host.withoutEmulatorsRequested([]),
    startHostTestStack: host.startHostTestStack,
    startCodeServer: codeServer.startCodeServer,
    launchChromium: chromium.launchChromium,
  };
}
