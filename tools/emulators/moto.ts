/** moto server in a project-local virtualenv: install once, start on a free loopback port, reset, stop. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';

export const MOTO_VERSION = '5.2.5';
const MOTO_REQUIREMENT = `moto[server]==${MOTO_VERSION}`;
const MARKER_FILE = '.pilot-light-moto-version';

export interface MotoInstallation {
  venvDir: string;
  python: string;
  motoServer: string;
}

export interface EnsureMotoOptions {
  /** Python used to create the virtualenv. Default: $PYTHON or python3. */
  python?: string;
  /** Progress messages (installing can take a minute). */
  log?: (message: string) => void;
}

interface RunResult {
  code: number | null;
  output: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

function installation(repoRoot: string): MotoInstallation {
  const venvDir = join(repoRoot, '.venv');
  return { venvDir, python: join(venvDir, 'bin', 'python'), motoServer: join(venvDir, 'bin', 'moto_server') };
}

async function isInstalled(inst: MotoInstallation): Promise<boolean> {
  if (!existsSync(inst.motoServer) || !existsSync(inst.python)) return false;
  const marker = await readFile(join(inst.venvDir, MARKER_FILE), 'utf8').catch(() => '');
  return marker.trim() === MOTO_VERSION;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Serializes installs across processes with a lock directory holding the owner's pid. */
async function withInstallLock<T>(repoRoot: string, work: () => Promise<T>): Promise<T> {
  const lockDir = join(repoRoot, '.cache', 'moto-install.lock');
  await mkdir(join(repoRoot, '.cache'), { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(await readFile(join(lockDir, 'pid'), 'utf8').catch(() => '0'));
      if (owner > 0 && !isAlive(owner)) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for another moto install (lock ${lockDir})`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

/**
 * Makes sure `.venv/` in the repo root holds moto[server] at the pinned version.
 * Fast when it already does: two file checks.
 */
export async function ensureMoto(repoRoot: string, options: EnsureMotoOptions = {}): Promise<MotoInstallation> {
  const inst = installation(repoRoot);
  if (await isInstalled(inst)) return inst;
  return withInstallLock(repoRoot, async () => {
    if (await isInstalled(inst)) return inst;
    const log = options.log ?? (() => undefined);
    const python = options.python ?? process.env.PYTHON ?? 'python3';
    // pip's cache goes into the repo's git-ignored .cache/, never into the home directory.
    const env = {
      ...process.env,
      PIP_CACHE_DIR: join(repoRoot, '.cache', 'pip'),
      PYTHONNOUSERSITE: '1',
      PIP_DISABLE_PIP_VERSION_CHECK: '1',
    };

    if (!existsSync(inst.python)) {
      let probe: RunResult;
      try {
        probe = await run(python, ['-c', 'import sys, venv, ensurepip; print("%d.%d" % sys.version_info[:2])'], env);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new Error(
            `${python} was not found. The AWS emulators need Python 3.9+ with venv (Debian/Ubuntu: apt-get install python3 python3-venv).`,
            { cause: error },
          );
        }
        throw error;
      }
      if (probe.code !== 0) {
        throw new Error(
          `${python} cannot create virtualenvs (the venv/ensurepip modules are missing; Debian/Ubuntu: apt-get install python3-venv).\n${probe.output.trim()}`,
        );
      }
      const [major, minor] = probe.output.trim().split('.').map(Number);
      if (major < 3 || (major === 3 && minor < 9))
        throw new Error(`moto ${MOTO_VERSION} needs Python 3.9+, ${python} is ${probe.output.trim()}`);
      log(`creating virtualenv ${inst.venvDir}`);
      const venv = await run(python, ['-m', 'venv', inst.venvDir], env);
      if (venv.code !== 0) throw new Error(`${python} -m venv ${inst.venvDir} failed:\n${venv.output.trim()}`);
    }

    log(`installing ${MOTO_REQUIREMENT} into ${inst.venvDir}`);
    const pip = await run(inst.python, ['-m', 'pip', 'install', '--no-input', MOTO_REQUIREMENT], env);
    if (pip.code !== 0 || !existsSync(inst.motoServer)) {
      throw new Error(
        `pip install ${MOTO_REQUIREMENT} failed:\n${pip.output.trim().split('\n').slice(-30).join('\n')}`,
      );
    }
    await writeFile(join(inst.venvDir, MARKER_FILE), `${MOTO_VERSION}\n`);
    return inst;
  });
}

/** A free TCP port on 127.0.0.1, found by binding port 0. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface MotoServer {
  endpoint: string;
  port: number;
  pid: number;
  /** Drops every moto resource in every region (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartMotoOptions extends EnsureMotoOptions {
  repoRoot: string;
  /** Fixed port; a free one by default. */
  port?: number;
  /** Install moto when missing (default true). */
  install?: boolean;
  startTimeoutMs?: number;
  /**
   * Port moto's Step Functions interpreter calls for `aws-sdk:*` tasks (its MOTO_PORT); default moto's own.
   * The stack points it at the gateway so that `aws-sdk:drs:*` reaches the DRS emulator.
   */
  callbackPort?: number;
}

/**
 * Runs moto_server via a tiny Python bootstrap that first asks Linux to SIGTERM it when its parent
 * dies (PR_SET_PDEATHSIG), so a crashed or killed Node process never leaves moto behind, and gives
 * EC2 resources a direct tag lookup (moto's own scans every tag, which is slow at benchmark scale).
 */
const BOOTSTRAP = [
  'import ctypes, os, runpy, signal, sys',
  'parent = int(sys.argv[1])',
  'try:',
  '    ctypes.CDLL(None).prctl(1, signal.SIGTERM)',
  'except Exception:',
  '    pass',
  'if os.getppid() != parent:',
  '    sys.exit(1)',
  // moto looks up each resource's tags by scanning every tag in the account with a regex; at thousands
  // of instances one DescribeInstances page takes seconds. Read the resource's own tags instead: same result.
  'try:',
  '    from moto.ec2.models.core import TaggedEC2Resource',
  '    from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix',
  '    def _own_tags(self):',
  '        if not self.id:',
  '            return []',
  "        kind = EC2_PREFIX_TO_RESOURCE.get(get_prefix(self.id), '')",
  "        return [{'resource_id': self.id, 'key': k, 'value': v, 'resource_type': kind} for k, v in self.ec2_backend.tags.get(self.id, {}).items()]",
  '    TaggedEC2Resource.get_tags = _own_tags',
  'except Exception as error:',
  "    print('pilot-light: moto tag lookup left unpatched:', error, file=sys.stderr)",
  // moto's Step Functions port passes aws-sdk task parameters to boto3 as written and returns boto3's
  // answer as is; AWS takes and returns PascalCase members (SourceServers, Job.JobId). Map both ways with
  // the botocore model, as the interpreter moto ported (LocalStack's) does.
  'try:',
  '    import botocore.session',
  '    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk import StateTaskServiceAwsSdk',
  '    _models = {}',
  '    def _operation_model(self, service_action_name=None):',
  '        service = self._get_boto_service_name()',
  '        if service not in _models:',
  '            _models[service] = botocore.session.get_session().get_service_model(service)',
  '        model = _models[service]',
  '        action = service_action_name or self.resource.api_action',
  '        name = next((n for n in model.operation_names if n.lower() == action.lower()), None)',
  '        return model.operation_model(name) if name else None',
  '    def _normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None):',
  '        operation = _operation_model(self, service_action_name)',
  '        if operation is not None and operation.input_shape is not None:',
  '            self._to_boto_request(parameters, operation.input_shape)',
  '    def _normalise_response(self, response, boto_service_name=None, service_action_name=None):',
  '        operation = _operation_model(self, service_action_name)',
  '        if operation is not None and operation.output_shape is not None:',
  '            self._from_boto_response(response, operation.output_shape)',
  '    StateTaskServiceAwsSdk._normalise_parameters = _normalise_parameters',
  '    StateTaskServiceAwsSdk._normalise_response = _normalise_response',
  'except Exception as error:',
  "    print('pilot-light: moto aws-sdk casing left unpatched:', error, file=sys.stderr)",
  // moto's CloudFormation creates AWS::StepFunctions::StateMachine in its plain backend even when
  // execute_state_machine is on and the API answers from the executing one: resolve the backend per call.
  'try:',
  '    import moto.stepfunctions.models as _sfn_models',
  '    from moto.stepfunctions.responses import get_backend as _sfn_backend',
  '    class _SfnRegions:',
  '        def __init__(self, account):',
  '            self.account = account',
  '        def __getitem__(self, region):',
  '            return _sfn_backend(self.account, region)',
  '    class _SfnAccounts:',
  '        def __getitem__(self, account):',
  '            return _SfnRegions(account)',
  '    _sfn_models.stepfunctions_backends = _SfnAccounts()',
  'except Exception as error:',
  "    print('pilot-light: moto CloudFormation state machines left in the plain backend:', error, file=sys.stderr)",
  // A Task state's Credentials.RoleArn: the task assumes that role and acts in its account, as on AWS
  // (moto signs every aws-sdk task with its default keys). See moto/sfn_task_credentials.py.
  'try:',
  "    sys.path.insert(0, os.environ['PILOT_LIGHT_MOTO_PATCHES'])",
  '    import sfn_task_credentials',
  '    sfn_task_credentials.patch()',
  'except Exception as error:',
  "    print('pilot-light: moto Step Functions task Credentials left unpatched:', error, file=sys.stderr)",
  'script = sys.argv[2]',
  'sys.argv = [script] + sys.argv[3:]',
  "runpy.run_path(script, run_name='__main__')",
].join('\n');

function httpCall(
  port: number,
  method: string,
  path: string,
  timeoutMs: number,
): Promise<{ status: number; body: string; server: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, server: String(res.headers.server ?? '') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function launchMoto(
  inst: MotoInstallation,
  port: number,
  timeoutMs: number,
  callbackPort = port,
): Promise<MotoServer> {
  const child = spawn(
    inst.python,
    ['-c', BOOTSTRAP, String(process.pid), inst.motoServer, '-H', '127.0.0.1', '-p', String(port)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PYTHONUNBUFFERED: '1',
        PYTHONNOUSERSITE: '1',
        PYTHONDONTWRITEBYTECODE: '1',
        MOTO_PORT: String(callbackPort),
        PILOT_LIGHT_MOTO_PATCHES: join(dirname(inst.venvDir), 'tools', 'emulators', 'moto'),
      },
    },
  );
  let recentOutput = '';
  const keep = (chunk: Buffer): void => {
    recentOutput = (recentOutput + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));

  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 5000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 2000);
    }
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(
        `moto_server exited before answering on port ${port}${spawnError ? `: ${spawnError.message}` : ''}\n${recentOutput.trim()}`,
      );
    }
    // Werkzeug is moto's HTTP server; anything else on this port is not ours.
    const answered = await httpCall(port, 'GET', '/moto-api/', 1000).then(
      (res) => res.server.startsWith('Werkzeug'),
      () => false,
    );
    if (answered) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer on port ${port} within ${timeoutMs} ms\n${recentOutput.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    async reset() {
      const { status, body } = await httpCall(port, 'POST', '/moto-api/reset', 30_000);
      if (status !== 200) throw new Error(`moto reset failed: HTTP ${status} ${body}`);
    },
    stop,
  };
}

export async function startMoto(options: StartMotoOptions): Promise<MotoServer> {
  const inst = options.install === false ? installation(options.repoRoot) : await ensureMoto(options.repoRoot, options);
  if (!existsSync(inst.motoServer)) throw new Error(`moto is not installed in ${inst.venvDir}; call ensureMoto first`);
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  if (options.port !== undefined) return launchMoto(inst, options.port, timeoutMs, options.callbackPort);
  // Another process may grab the free port before moto binds it: retry with a new one.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await launchMoto(inst, await findFreePort(), timeoutMs, options.callbackPort);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
