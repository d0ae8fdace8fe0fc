/**
 * Starts the emulator stack and prints one JSON line describing it once it is ready.
 * Stops everything on SIGINT, SIGTERM, or when a piped stdin closes.
 *
 *   node out/tools/emulators/cli.js [--seed sample|none] [--time-scale 0.2] [--port 4566]
 *     [--scale-instances N] [--scale-security-groups N] [--scale-launch-templates N] [--scale-drs-servers N]
 *     [--page-size N] [--ec2-transition-ms N] [--repo-root DIR]
 */
import { existsSync, fstatSync } from 'node:fs';
import { resolve } from 'node:path';
import { startEmulatorStack, type SeedSpec, type EmulatorStack } from './stack';
import type { ScaleSeedOptions } from '../seed/scale';

interface CliOptions {
  seed: SeedSpec | false;
  timeScale?: number;
  port?: number;
  pageSize?: number;
  ec2TransitionMs?: number;
  repoRoot: string;
}

function usage(message: string): never {
  process.stderr.write(
    `${message}\nusage: cli.js [--seed sample|none] [--time-scale X] [--port N] [--page-size N] [--ec2-transition-ms N] [--scale-<instances|security-groups|launch-templates|drs-servers> N] [--repo-root DIR]\n`,
  );
  process.exit(2);
}

function defaultRepoRoot(): string {
  // out/tools/emulators/cli.js -> repo root
  const candidate = resolve(__dirname, '..', '..', '..');
  return existsSync(resolve(candidate, 'package.json')) ? candidate : process.cwd();
}

function parseArgs(argv: string[]): CliOptions {
  const options: CliOptions = { seed: false, repoRoot: defaultRepoRoot() };
  const scale: ScaleSeedOptions = {};
  const number = (flag: string, value: string | undefined): number => {
    const parsed = Number(value);
    if (value === undefined || !Number.isFinite(parsed)) usage(`${flag} needs a number`);
    return parsed;
  };
  let sample = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2) as [string, string | undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--seed': {
        const kind = value();
        if (kind === 'sample') sample = true;
        else if (kind === 'none') sample = false;
        else usage(`unknown seed '${kind}'`);
        break;
      }
      case '--time-scale':
        options.timeScale = number(flag, value());
        break;
      case '--port':
        options.port = number(flag, value());
        break;
      case '--page-size':
        options.pageSize = number(flag, value());
        break;
      case '--ec2-transition-ms':
        options.ec2TransitionMs = number(flag, value());
        break;
      case '--scale-instances':
        scale.instances = number(flag, value());
        break;
      case '--scale-security-groups':
        scale.securityGroups = number(flag, value());
        break;
      case '--scale-launch-templates':
        scale.launchTemplates = number(flag, value());
        break;
      case '--scale-drs-servers':
        scale.drsServers = number(flag, value());
        break;
      case '--repo-root':
        options.repoRoot = resolve(value() ?? usage('--repo-root needs a directory'));
        break;
      default:
        usage(`unknown argument '${argv[i]}'`);
    }
  }
  const hasScale = Object.keys(scale).length > 0;
  if (sample || hasScale) options.seed = { sample, ...(hasScale ? { scale } : {}) };
  return options;
}

/** A parent that talks to us over a pipe closes it when it goes away. */
function stdinIsPipe(): boolean {
  try {
    const stat = fstatSync(0);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const log = (message: string): void => {
    process.stderr.write(`[emulators] ${message}\n`);
  };
  let stack: EmulatorStack | undefined; // eslint-disable-line prefer-const -- assigned once the stack is up, read by shutdown
  let stopping = false;
  const shutdown = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    log(`stopping (${reason})`);
    const done = stack ? stack.stop() : Promise.resolve();
    done.then(
      () => process.exit(0),
      (error: unknown) => {
        log(`stop failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  if (stdinIsPipe()) {
    process.stdin.on('end', () => shutdown('stdin closed'));
    process.stdin.on('error', () => shutdown('stdin error'));
    process.stdin.resume();
  }

  stack = await startEmulatorStack({
    repoRoot: options.repoRoot,
    seed: options.seed,
    drsClock: options.timeScale !== undefined ? { timeScale: options.timeScale } : undefined,
    drsPageSize: options.pageSize,
    gatewayPort: options.port,
    ec2TransitionMs: options.ec2TransitionMs,
    log,
  });
  if (stopping) {
    await stack.stop();
    return;
  }
  const scale = stack.seeded?.scale;
  process.stdout.write(
    `${JSON.stringify({
      endpoint: stack.endpoint,
      motoEndpoint: stack.motoEndpoint,
      drsEndpoint: stack.drsEndpoint,
      region: stack.region,
      credentials: stack.credentials,
      pid: process.pid,
      seed: {
        ...(stack.seeded?.sample ? { sample: stack.seeded.sample } : {}),
        ...(scale
          ? {
              scale: {
                instances: scale.instanceIds.length,
                securityGroups: scale.securityGroupIds.length,
                launchTemplates: scale.launchTemplateIds.length,
                drsServers: scale.sourceServerIds.length,
                durationMs: scale.durationMs,
              },
            }
          : {}),
      },
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[emulators] failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
