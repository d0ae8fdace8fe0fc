import { execFile } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** State files larger than this are refused (a state of 50 MB is already a very large estate). */
export const MAX_STATE_BYTES = 50 * 1024 * 1024;
const SHOW_TIMEOUT_MS = 30_000;

export interface TfStateResource {
  /** `aws_instance.web`, `aws_subnet.public[0]`, `data.aws_ami.x`, `module.net.aws_vpc.main`. */
  address: string;
  /** The address without an instance key: the block the user wrote. */
  blockAddress: string;
  /** The instance key of a block with `count` (a number) or `for_each` (a string); undefined for a single one. */
  indexKey?: number | string;
  type: string;
  mode: 'managed' | 'data';
  /** The provider's resource ID (`attributes.id`). */
  id?: string;
  attributes: Record<string, unknown>;
}

export interface TfState {
  source: 'state-file' | 'terraform-show';
  /** Where it came from: the file path, or the folder `terraform show -json` ran in. */
  location: string;
  resources: Map<string, TfStateResource>;
}

export class TfStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TfStateError';
  }
}

const instanceKey = (key: unknown): number | string | undefined =>
  typeof key === 'number' || typeof key === 'string' ? key : undefined;

const indexSuffix = (key: unknown) =>
  key === undefined || key === null ? '' : typeof key === 'number' ? `[${key}]` : `[${JSON.stringify(String(key))}]`;

/** Reads a state file's JSON (format version 4, as `terraform.tfstate` holds it). */
export function parseStateV4(text: string, location = 'terraform.tfstate'): TfState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TfStateError(`${location} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const state = json as { version?: unknown; resources?: unknown };
  if (!state || typeof state !== 'object' || state.version !== 4)
    throw new TfStateError(
      `${location} is not a Terraform state of format version 4 (found version ${String(state?.version)}).`,
    );
  const resources = new Map<string, TfStateResource>();
  for (const entry of Array.isArray(state.resources) ? state.resources : []) {
    const { mode, type, name, module, instances } = entry as {
      mode?: string;
      type?: string;
      name?: string;
      module?: string;
      instances?: Array<{ index_key?: unknown; attributes?: Record<string, unknown> }>;
    };
    if (typeof type !== 'string' || typeof name !== 'string' || !Array.isArray(instances)) continue;
    const managed = mode !== 'data';
    const blockAddress = `${module ? `${module}.` : ''}${managed ? '' : 'data.'}${type}.${name}`;
    for (const instance of instances) {
      const attributes = instance.attributes && typeof instance.attributes === 'object' ? instance.attributes : {};
      const address = `${blockAddress}${indexSuffix(instance.index_key)}`;
      resources.set(address, {
        address,
        blockAddress,
        indexKey: instanceKey(instance.index_key),
        type,
        mode: managed ? 'managed' : 'data',
        id: typeof attributes.id === 'string' ? attributes.id : undefined,
        attributes,
      });
    }
  }
  return { source: 'state-file', location, resources };
}

/** Reads `terraform show -json` output (root module and child modules). */
export function parseShowJson(text: string, location: string): TfState {
  let json: { values?: { root_module?: ShowModule } };
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TfStateError(
      `terraform show -json gave no JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const resources = new Map<string, TfStateResource>();
  const stack: ShowModule[] = json.values?.root_module ? [json.values.root_module] : [];
  while (stack.length) {
    const module = stack.pop()!;
    for (const resource of module.resources ?? []) {
      if (typeof resource.address !== 'string' || typeof resource.type !== 'string') continue;
      const attributes = resource.values ?? {};
      resources.set(resource.address, {
        address: resource.address,
        blockAddress: resource.address.replace(/\[[^\]]*\]$/, ''),
        indexKey: instanceKey(resource.index),
        type: resource.type,
        mode: resource.mode === 'data' ? 'data' : 'managed',
        id: typeof attributes.id === 'string' ? attributes.id : undefined,
        attributes,
      });
    }
    stack.push(...(module.child_modules ?? []));
  }
  return { source: 'terraform-show', location, resources };
}

interface ShowModule {
  resources?: Array<{
    address?: string;
    mode?: string;
    type?: string;
    index?: unknown;
    values?: Record<string, unknown>;
  }>;
  child_modules?: ShowModule[];
}

/** A file's text, refused with `tooLarge(size)` when it has more than `maxBytes` bytes. */
export async function readBoundedFile(
  path: string,
  maxBytes: number,
  tooLarge: (size: number) => Error,
): Promise<string> {
  const info = await stat(path);
  if (info.size > maxBytes) throw tooLarge(info.size);
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(buffer, 0, info.size, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

const readBounded = (path: string) =>
  readBoundedFile(
    path,
    MAX_STATE_BYTES,
    (size) =>
      new TfStateError(
        `${path} has ${size.toLocaleString('en-US')} bytes; at most ${MAX_STATE_BYTES.toLocaleString('en-US')} are read.`,
      ),
  );

export type RunTerraform = (args: string[], cwd: string) => Promise<string>;

/** Runs the Terraform CLI (no shell), with a timeout and an output bound. */
export const runTerraformCli: RunTerraform = (args, cwd) =>
  new Promise((resolve, reject) => {
    execFile(
      'terraform',
      args,
      {
        cwd,
        timeout: SHOW_TIMEOUT_MS,
        maxBuffer: MAX_STATE_BYTES,
        windowsHide: true,
        env: { ...process.env, TF_IN_AUTOMATION: '1' },
      },
      (error, stdout, stderr) => (error ? reject(Object.assign(error, { stderr })) : resolve(stdout)),
    );
  });

/**
 * The state of the module in `folder`: its local `terraform.tfstate`, else `terraform show -json` when the CLI
 * is installed (remote backends). Undefined when there is neither: the module was never applied here.
 */
export async function readTerraformState(
  folder: string,
  run: RunTerraform = runTerraformCli,
): Promise<TfState | undefined> {
  const path = join(folder, 'terraform.tfstate');
  let text: string | undefined;
  try {
    text = await readBounded(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== undefined) return parseStateV4(text, path);
  try {
    return parseShowJson(await run(['show', '-json'], folder), folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined; // no CLI
    throw new TfStateError(`terraform show -json failed in ${folder}: ${(error as Error).message.split('\n')[0]}`);
  }
}
