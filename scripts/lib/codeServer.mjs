// code-server (the real VS Code workbench and Node extension host) from npm,
// installed into a project cache folder, and started on 127.0.0.1 with
// throwaway state so nothing is written into the user's home.

import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { makeThrowawayDir, runOrThrow, spawnManaged } from './processes.mjs';

export const CODE_SERVER_VERSION = '4.104.0'; // ships VS Code 1.104.0, needs Node 22
const NODE_PACKAGE_SPEC = 'node@22';
// @vscode/ripgrep's postinstall downloads rg from GitHub; we seed its cache instead.
// The pair below is what code-server 4.104.0 pulls in.
const RIPGREP_PACKAGE_VERSION = '1.15.14';
const RIPGREP_RELEASE_TAG = 'v13.0.0-13';

const INSTALL_TIME_DEBIAN_PACKAGES = ['libkrb5-dev', 'ripgrep']; // kerberos headers, rg for the seed
const RUN_TIME_DEBIAN_PACKAGES = ['chromium'];

const log = (message) => process.stderr.write(`[pilot-light] ${message}\n`);

export function hostCacheRoot(repoRoot) {
  return process.env.PILOT_LIGHT_CACHE
    ? resolve(process.env.PILOT_LIGHT_CACHE)
    : join(repoRoot, '.cache', 'vscode-host');
}

function missingDebianPackages(names) {
  const query = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\n', ...names], { encoding: 'utf8' });
  if (query.error) {
    throw new Error(
      `Cannot check for the Debian packages ${names.join(', ')} (dpkg-query is not available: ${query.error.message}).\n` +
        'The VS Code host tests need Debian/Ubuntu with: apt-get install -y ' +
        names.join(' '),
    );
  }
  const installed = new Set(
    query.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([, status]) => status === 'installed')
      .map(([name]) => name.replace(/:.*$/, '')),
  );
  return names.filter((name) => !installed.has(name));
}

/** Installs missing Debian packages as root; otherwise fails and says what to install. */
export function ensureDebianPackages(names, purpose) {
  const missing = missingDebianPackages(names);
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `${purpose} needs the Debian packages: ${missing.join(', ')}.\n` +
        `Install them (as root) and run again:\n  sudo sh -c '${command}'`,
    );
  }
  log(`installing Debian packages for ${purpose}: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  runOrThrow('apt-get', ['update'], { env, what: 'apt-get update' });
  runOrThrow('apt-get', ['install', '-y', ...missing], { env, what: `apt-get install ${missing.join(' ')}` });
  const stillMissing = missingDebianPackages(missing);
  if (stillMissing.length > 0) {
    throw new Error(`apt-get finished but these packages are still not installed: ${stillMissing.join(', ')}`);
  }
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function processIsAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

// A lock folder, so two runners started at once do not install into the same place.
function withInstallLock(cacheRoot, install) {
  const lockDir = join(cacheRoot, '.install-lock');
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
      } catch {
        // the owner has not written its pid yet
      }
      if (Number.isInteger(owner) && !processIsAlive(owner)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`Timed out waiting for another install to release ${lockDir}`, { cause: error });
      sleepSync(1000);
    }
  }
  try {
    return install();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function nodePackageDir(folder) {
  const platformPackage = `node-${process.platform}-${process.arch}`;
  const candidates = [
    join(folder, 'node_modules', 'node', 'node_modules', platformPackage),
    join(folder, 'node_modules', platformPackage),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'bin', 'node')));
}

function ripgrepTarget() {
  const targets = { x64: 'x86_64-unknown-linux-musl', arm64: 'aarch64-unknown-linux-musl' };
  const target = targets[process.arch];
  if (process.platform !== 'linux' || !target) {
    throw new Error(
      `The code-server install here only supports Linux x64/arm64, not ${process.platform}-${process.arch}`,
    );
  }
  return target;
}

function seedRipgrepCache(tempDir) {
  const rg = ['/usr/bin/rg', '/bin/rg'].find((candidate) => existsSync(candidate));
  if (!rg) throw new Error('ripgrep is not installed (/usr/bin/rg missing); install the Debian package ripgrep');
  const cacheDir = join(tempDir, `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  mkdirSync(cacheDir, { recursive: true });
  const archive = join(cacheDir, `ripgrep-${RIPGREP_RELEASE_TAG}-${ripgrepTarget()}.tar.gz`);
  runOrThrow('tar', ['-czf', archive, '-C', resolve(rg, '..'), 'rg'], {
    what: 'packing /usr/bin/rg for the ripgrep cache',
  });
}

function writePrivatePackageJson(folder, name) {
  mkdirSync(folder, { recursive: true });
  // Without its own package.json, npm would walk up and install into the repo.
  writeFileSync(join(folder, 'package.json'), `${JSON.stringify({ name, private: true }, null, 2)}\n`);
}

function withoutNpmLifecycleVariables(env) {
  return Object.fromEntries(
    Object.entries(env).filter(
      ([key]) => !/^npm_(config_user_agent|lifecycle_|package_|node_execpath|execpath|command)/i.test(key),
    ),
  );
}

/** `{ env, args }` for a code-server run that keeps all state inside `stateRoot`. */
function isolatedCodeServerState(stateRoot) {
  const dirs = {
    root: stateRoot,
    config: join(stateRoot, 'config.yaml'),
    userData: join(stateRoot, 'user-data'),
    extensions: join(stateRoot, 'extensions'),
    home: join(stateRoot, 'home'),
    xdgConfig: join(stateRoot, 'xdg-config'),
    xdgData: join(stateRoot, 'xdg-data'),
    xdgCache: join(stateRoot, 'xdg-cache'),
  };
  for (const key of ['userData', 'extensions', 'home', 'xdgConfig', 'xdgData', 'xdgCache']) {
    mkdirSync(dirs[key], { recursive: true });
  }
  writeFileSync(dirs.config, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  const env = {
    HOME: dirs.home,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CACHE_HOME: dirs.xdgCache,
  };
  const args = ['--config', dirs.config, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
  return { dirs, env, args };
}

// Variables that would make code-server talk to another VS Code or change its auth.
function cleanInheritedEnv(env) {
  const cleaned = { ...env };
  for (const key of Object.keys(cleaned)) {
    if (/^(VSCODE_|CODE_SERVER_|ELECTRON_RUN_AS_NODE$|PASSWORD$|HASHED_PASSWORD$|EXTENSIONS_GALLERY$)/.test(key)) {
      delete cleaned[key];
    }
  }
  return cleaned;
}

function readInstalled(codeServerDir, nodeDir) {
  const markerFile = join(codeServerDir, '.pilot-light-ready.json');
  const entry = join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(markerFile) || !existsSync(entry)) return undefined;
  const nodePackage = nodePackageDir(nodeDir);
  if (!nodePackage) return undefined;
  return { ...JSON.parse(readFileSync(markerFile, 'utf8')), entry, nodeBin: join(nodePackage, 'bin', 'node') };
}

/**
 * Makes sure node@22 and code-server are installed in the project cache
 * (`.cache/vscode-host/`, or `$PILOT_LIGHT_CACHE`). Fast when already there.
 * Returns { cacheRoot, nodeBin, entry, codeServerVersion, vscodeVersion }.
 */
export function ensureCodeServer(repoRoot) {
  const cacheRoot = hostCacheRoot(repoRoot);
  const nodeDir = join(cacheRoot, 'node-22');
  const codeServerDir = join(cacheRoot, `code-server-${CODE_SERVER_VERSION}`);

  ensureDebianPackages(RUN_TIME_DEBIAN_PACKAGES, 'Driving VS Code in a browser');
  const ready = readInstalled(codeServerDir, nodeDir);
  if (ready) return { cacheRoot, ...ready };

  mkdirSync(cacheRoot, { recursive: true });
  return withInstallLock(cacheRoot, () => {
    const installedMeanwhile = readInstalled(codeServerDir, nodeDir);
    if (installedMeanwhile) return { cacheRoot, ...installedMeanwhile };

    ensureDebianPackages(INSTALL_TIME_DEBIAN_PACKAGES, `Installing code-server ${CODE_SERVER_VERSION}`);
    const started = Date.now();
    log(
      `installing ${NODE_PACKAGE_SPEC} and code-server@${CODE_SERVER_VERSION} into ${cacheRoot} (one time, about a minute)`,
    );

    if (!nodePackageDir(nodeDir)) {
      writePrivatePackageJson(nodeDir, 'pilot-light-host-node');
      runOrThrow('npm', ['install', '--no-audit', '--no-fund', NODE_PACKAGE_SPEC], {
        cwd: nodeDir,
        what: `npm install ${NODE_PACKAGE_SPEC}`,
      });
    }
    const nodePackage = nodePackageDir(nodeDir);
    if (!nodePackage) throw new Error(`${NODE_PACKAGE_SPEC} installed but no node binary found under ${nodeDir}`);
    const nodeBin = join(nodePackage, 'bin', 'node');

    const installTemp = join(cacheRoot, 'install-tmp');
    rmSync(installTemp, { recursive: true, force: true });
    seedRipgrepCache(installTemp);
    writePrivatePackageJson(codeServerDir, 'pilot-light-host-code-server');
    try {
      runOrThrow('npm', ['install', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], {
        cwd: codeServerDir,
        what: `npm install code-server@${CODE_SERVER_VERSION}`,
        env: {
          // Under `npm test` the outer npm's lifecycle variables (npm_config_user_agent names Node 20, which
          // code-server's postinstall checks) would leak into this install; it must see Node 22's npm run.
          ...withoutNpmLifecycleVariables(process.env),
          PATH: `${join(nodePackage, 'bin')}:${process.env.PATH}`,
          npm_config_unsafe_perm: 'true', // code-server's postinstall refuses to run as root otherwise
          npm_config_yes: 'true', // node-pty runs `npx node-gyp`
          npm_config_nodedir: nodePackage, // Node 22 headers for the native modules
          TMPDIR: installTemp, // where @vscode/ripgrep looks for its seeded download
        },
      });
    } finally {
      rmSync(installTemp, { recursive: true, force: true });
    }

    const entry = join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
    const scratch = makeThrowawayDir('code-server-version');
    try {
      const state = isolatedCodeServerState(scratch.path);
      const version = spawnSync(nodeBin, [entry, '--version', ...state.args], {
        encoding: 'utf8',
        env: { ...cleanInheritedEnv(process.env), ...state.env },
      });
      const match = /^(\S+)\s+\S+\s+with Code (\S+)/m.exec(version.stdout ?? '');
      if (version.status !== 0 || !match || match[1] !== CODE_SERVER_VERSION) {
        throw new Error(`code-server installed but \`--version\` failed:\n${version.stdout}\n${version.stderr}`);
      }
      const installed = {
        codeServerVersion: match[1],
        vscodeVersion: match[2],
        nodeVersion: spawnSync(nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim(),
      };
      writeFileSync(join(codeServerDir, '.pilot-light-ready.json'), `${JSON.stringify(installed, null, 2)}\n`);
      log(
        `code-server ${installed.codeServerVersion} (VS Code ${installed.vscodeVersion}, Node ${installed.nodeVersion}) ready after ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
      return { cacheRoot, ...installed, entry, nodeBin };
    } finally {
      scratch.remove();
    }
  });
}

function writeUserSettings(userDataDir, settings) {
  const userDir = join(userDataDir, 'User');
  mkdirSync(userDir, { recursive: true });
  writeFileSync(join(userDir, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
}

/** Settings every test workbench gets: quiet, offline, no welcome page. */
export const BASE_USER_SETTINGS = Object.freeze({
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.openRepositoryInParentFolders': 'never', // the test workspace sits inside this repo
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
});

async function waitForHealthy(url, deadline) {
  let lastError;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(new URL('healthz', url));
      if (response.ok) return;
      lastError = new Error(`HTTP ${response.status}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server at ${url} did not become healthy: ${lastError?.message}`);
}

/**
 * Starts code-server on 127.0.0.1 (free port) with throwaway config, user data,
 * extensions, HOME and XDG folders. `settings` are merged over BASE_USER_SETTINGS;
 * `env` reaches the server and its extension host (undefined unsets an inherited
 * variable); `extensionsToInstall` are VSIX paths installed first. `logFile`
 * receives the server output; `saveLogsTo` (a folder) gets VS Code's log files on stop.
 * Returns { url, port, workbenchUrl({ folder, payload }), dirs, stop() }.
 */
export async function startCodeServer({
  repoRoot,
  workspace,
  settings = {},
  env = {},
  extensionsToInstall = [],
  logFile,
  saveLogsTo,
  startTimeoutMs = 60_000,
}) {
  const { nodeBin, entry } = ensureCodeServer(repoRoot);
  const scratch = makeThrowawayDir('code-server');
  const state = isolatedCodeServerState(scratch.path);
  writeUserSettings(state.dirs.userData, { ...BASE_USER_SETTINGS, ...settings });
  const serverEnv = {
    ...cleanInheritedEnv(process.env),
    ...env,
    ...state.env,
    // The gallery would be open-vsx.org; point it at a closed loopback port instead.
    EXTENSIONS_GALLERY: JSON.stringify({
      serviceUrl: 'http://127.0.0.1:9/vscode/gallery',
      itemUrl: 'http://127.0.0.1:9/vscode/item',
    }),
  };
  for (const [key, value] of Object.entries(serverEnv)) if (value === undefined) delete serverEnv[key]; // `undefined` unsets

  try {
    for (const vsix of extensionsToInstall) {
      if (!existsSync(vsix)) throw new Error(`VSIX to install not found: ${vsix}`);
    }
    if (extensionsToInstall.length > 0) {
      const install = spawnSync(
        nodeBin,
        [entry, ...state.args, ...extensionsToInstall.flatMap((vsix) => ['--install-extension', resolve(vsix)])],
        { encoding: 'utf8', env: serverEnv },
      );
      const output = `${install.stdout}\n${install.stderr}`;
      if (logFile) {
        mkdirSync(dirname(logFile), { recursive: true });
        appendFileSync(logFile, output);
      }
      const installed = output.match(/successfully installed/gi)?.length ?? 0;
      if (install.status !== 0 || installed < extensionsToInstall.length) {
        throw new Error(`Installing ${extensionsToInstall.join(', ')} into code-server failed:\n${output}`);
      }
    }

    let resolveListening;
    const listening = new Promise((r) => (resolveListening = r));
    const server = spawnManaged(
      nodeBin,
      [
        entry,
        ...state.args,
        '--bind-addr',
        '127.0.0.1:0',
        '--auth',
        'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--disable-proxy',
        '--ignore-last-opened',
        ...(workspace ? [resolve(workspace)] : []),
      ],
      {
        name: 'code-server',
        cwd: scratch.path,
        env: serverEnv,
        logFile,
        onStdoutLine: (line) => {
          const match = /HTTP server listening on (http:\/\/127\.0\.0\.1:(\d+)\/?)/.exec(line);
          if (match) resolveListening(Number(match[2]));
        },
      },
    );

    const deadline = Date.now() + startTimeoutMs;
    const port = await Promise.race([
      listening,
      server.exited.then(({ code, signal, error }) => {
        throw new Error(
          `code-server exited before listening (${error?.message ?? code ?? signal}):\n${server.recentOutput()}`,
        );
      }),
      new Promise((_, reject) =>
        setTimeout(
          () =>
            reject(new Error(`code-server did not start within ${startTimeoutMs / 1000} s:\n${server.recentOutput()}`)),
          startTimeoutMs,
        ).unref(),
      ),
    ]).catch(async (error) => {
      await server.stop();
      throw error;
    });
    const url = `http://127.0.0.1:${port}/`;
    await waitForHealthy(url, deadline).catch(async (error) => {
      await server.stop();
      throw error;
    });

    let stopped;
    return {
      url,
      port,
      dirs: state.dirs,
      process: server.child,
      exited: server.exited,
      /** The workbench URL for a folder, with optional VS Code launch parameters (`payload`). */
      workbenchUrl({ folder = workspace, payload } = {}) {
        const params = new URLSearchParams();
        if (folder) params.set('folder', resolve(folder));
        if (payload) params.set('payload', JSON.stringify(payload));
        return `${url}?${params}`;
      },
      /** `vscode-remote://` URI for an absolute path on this machine, as the workbench expects. */
      remoteUri(path) {
        const encodedPath = resolve(path).split('/').map(encodeURIComponent).join('/');
        return `vscode-remote://127.0.0.1:${port}${encodedPath}`;
      },
      async stop() {
        stopped ??= (async () => {
          await server.stop();
          if (saveLogsTo) copyVsCodeLogs(state.dirs.userData, saveLogsTo);
          scratch.remove();
        })();
        return stopped;
      },
    };
  } catch (error) {
    scratch.remove();
    throw error;
  }
}

function copyVsCodeLogs(userDataDir, destination) {
  const logsDir = join(userDataDir, 'logs');
  if (!existsSync(logsDir)) return;
  const sessions = readdirSync(logsDir).filter((name) => statSync(join(logsDir, name)).isDirectory());
  rmSync(destination, { recursive: true, force: true });
  mkdirSync(destination, { recursive: true });
  for (const session of sessions) cpSync(join(logsDir, session), join(destination, session), { recursive: true });
}
