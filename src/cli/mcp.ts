/**
 * pilot-light-mcp: the Pilot Light MCP server on stdio for any MCP client (Claude Code, Cursor, Kiro…).
 * The same runtime as the extension: registry → guardrails → approval → audit → SDK. Logs go to stderr;
 * stdout carries only the protocol.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { McpToolSet, ToolListManifest, ToolListVariant } from '../core/agent/mcp/toolList';
import { DEFAULT_MEMBER_ROLE, validateMemberAccessOptions } from '../core/organizations/memberRole';
import type { CliSettings } from './mcpSettings';

export const USAGE = `Usage: pilot-light-mcp --stdio [options]
  --profile <name>        AWS profile (default: AWS_PROFILE, else the default credential chain)
  --region <region>       AWS region (default: AWS_REGION / the profile's region)
  --endpoint-url <url>    endpoint override (LocalStack, moto); same rules as the extension's setting
  --read-only             list and allow read tools only
  --audit <path>          audit trail file (default: ~/.pilot-light/audit.jsonl)
  --workspace <dir>       workspace folder (repeatable): its .pilotlight/guardrails.json and
                          .vscode/settings.json pilotLight.guardrails tighten the policy; DR plans come from it
  --allow-recovery        offer dr_start_recovery (a real DR recovery; always needs approval)
  --journal-dir <dir>     DR run journals (default: ~/.pilot-light/dr-runs)
  --member-role <name>    role assumed in member accounts of the profile's AWS organization, for reads across
                          accounts, changes with "account" and DR plans whose groups name another account
                          (default: PILOTLIGHT_MEMBER_ROLE, else OrganizationAccountAccessRole)
  --external-id <id>      external ID for that AssumeRole (default: PILOTLIGHT_EXTERNAL_ID, else none)
  --config <file.json>    settings file: { "profile", "region", "endpointUrl", "readOnly", "audit", "workspaces",
                          "allowRecovery", "journalDir", "memberRoleName", "externalId",
                          "guardrails": { …the pilotLight.guardrails settings… } }; flags win over the environment,
                          the environment over the file
  --help
       pilot-light-mcp dr <waiting|resume|approve|reject> --execution <arn> [options]
                          answers a recovery plan's pause or approval on Step Functions (dr --help)`;

export type { CliSettings };

export class CliUsageError extends Error {}

const MAX_CONFIG_BYTES = 256 * 1024;
/** How long after the first tools/list the tools start loading (lets the client's start-up requests pass first). */
const WARM_UP_DELAY_MS = 200;

function stringOf(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !value.trim())
    throw new CliUsageError(`Config field "${field}" must be a non-empty string.`);
  return value;
}

function booleanOf(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new CliUsageError(`Config field "${field}" must be true or false.`);
  return value;
}

/** Parses flags and the optional config file; throws CliUsageError with an actionable message. */
export async function cliSettings(
  argv: string[],
  cwd = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<CliSettings | 'help'> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        stdio: { type: 'boolean', default: false },
        profile: { type: 'string' },
        region: { type: 'string' },
        'endpoint-url': { type: 'string' },
        'read-only': { type: 'boolean' },
        audit: { type: 'string' },
        workspace: { type: 'string', multiple: true },
        'allow-recovery': { type: 'boolean' },
        'journal-dir': { type: 'string' },
        'member-role': { type: 'string' },
        'external-id': { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    throw new CliUsageError(`${(error as Error).message}\n${USAGE}`);
  }
  if (parsed.help) return 'help';
  if (!parsed.stdio)
    throw new CliUsageError(
      `Give --stdio: stdio is the only transport of the command-line server (VS Code runs its own).\n${USAGE}`,
    );
  let file: Record<string, unknown> = {};
  if (parsed.config) {
    const path = resolve(cwd, parsed.config);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new CliUsageError(`Cannot read the config file ${path}: ${(error as Error).message}`);
    }
    if (text.length > MAX_CONFIG_BYTES)
      throw new CliUsageError(`The config file ${path} is larger than ${MAX_CONFIG_BYTES / 1024} KB.`);
    const errors: ParseError[] = [];
    const value = parseJsonc(text, errors, { allowTrailingComma: true });
    if (errors.length || !value || typeof value !== 'object' || Array.isArray(value))
      throw new CliUsageError(
        `The config file ${path} is not a JSON object (error at offset ${errors[0]?.offset ?? 0}).`,
      );
    file = value as Record<string, unknown>;
    const known = [
      'profile',
      'region',
      'endpointUrl',
      'readOnly',
      'audit',
      'workspaces',
      'allowRecovery',
      'journalDir',
      'memberRoleName',
      'externalId',
      'guardrails',
    ];
    const unknown = Object.keys(file).filter((key) => !known.includes(key));
    if (unknown.length)
      throw new CliUsageError(`Unknown field(s) in ${path}: ${unknown.join(', ')}. Known: ${known.join(', ')}.`);
  }
  const workspacesOf = (value: unknown): string[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
      throw new CliUsageError('Config field "workspaces" must be a list of folder paths.');
    return value as string[];
  };
  const fromEnv = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);
  const memberRole = {
    roleName:
      parsed['member-role'] ??
      fromEnv('PILOTLIGHT_MEMBER_ROLE') ??
      stringOf(file.memberRoleName, 'memberRoleName') ??
      DEFAULT_MEMBER_ROLE,
    externalId: parsed['external-id'] ?? fromEnv('PILOTLIGHT_EXTERNAL_ID') ?? stringOf(file.externalId, 'externalId'),
  };
  const roleProblem = validateMemberAccessOptions(memberRole);
  if (roleProblem) throw new CliUsageError(`${roleProblem} (--member-role, --external-id)`);
  const home = join(homedir(), '.pilot-light');
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(cwd, path));
  return {
    profile: parsed.profile ?? stringOf(file.profile, 'profile'),
    region: parsed.region ?? stringOf(file.region, 'region'),
    endpointUrl: parsed['endpoint-url'] ?? stringOf(file.endpointUrl, 'endpointUrl'),
    readOnly: parsed['read-only'] ?? booleanOf(file.readOnly, 'readOnly') ?? false,
    auditPath: absolute(parsed.audit ?? stringOf(file.audit, 'audit') ?? join(home, 'audit.jsonl')),
    workspaces: (parsed.workspace?.length ? parsed.workspace : workspacesOf(file.workspaces)).map(absolute),
    allowRecovery: parsed['allow-recovery'] ?? booleanOf(file.allowRecovery, 'allowRecovery') ?? false,
    journalDir: absolute(parsed['journal-dir'] ?? stringOf(file.journalDir, 'journalDir') ?? join(home, 'dr-runs')),
    memberRoleName: memberRole.roleName,
    ...(memberRole.externalId ? { externalId: memberRole.externalId } : {}),
    guardrails: file.guardrails,
  };
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  if (argv[0] === 'dr') {
    // The dr commands run on the runtime, which lives in the tools bundle (dist/mcp-tools.js).
    const { drMain, workspaceSettingsLayer } = await import('./mcpTools');
    return drMain(
      argv.slice(1),
      { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env },
      { settings: (args) => cliSettings(args), workspaceLayer: workspaceSettingsLayer },
    );
  }
  let settings: CliSettings | 'help';
  try {
    settings = await cliSettings(argv);
  } catch (error) {
    process.stderr.write(`pilot-light-mcp: ${(error as Error).message}\n`);
    return 2;
  }
  if (settings === 'help') {
    process.stderr.write(`${USAGE}\n`);
    return 0;
  }
  const [{ StdioServerTransport }, { Server }, { MCP_SERVER_INFO, MCP_SERVER_OPTIONS, serveTools, toolsOfVariant }] =
    await Promise.all([
      import('@modelcontextprotocol/sdk/server/stdio.js'),
      import('@modelcontextprotocol/sdk/server/index.js'),
      import('../core/agent/mcp/toolList'),
    ]);
  const config = settings;
  const server = new Server(MCP_SERVER_INFO, MCP_SERVER_OPTIONS);
  // The tools, the runtime, the policy files and the AWS SDK load on the first tools/call; tools/list answers
  // from the list the build generated (dist/mcp.js), or, without one (tests run the compiled sources), loads them.
  let tools: Promise<McpToolSet> | undefined;
  const loadTools = (): Promise<McpToolSet> => {
    if (tools) return tools;
    const loading = import('./mcpTools').then(({ cliTools }) => cliTools(config, server));
    // A failed load (say, an unreadable policy file) fails this call; the next call tries again.
    loading.catch(() => tools === loading && (tools = undefined));
    return (tools = loading);
  };
  const prebuilt = builtToolList(toolsOfVariant);
  const listedNow = prebuilt?.(cliToolListVariant(config));
  // After the client's start-up requests, the tools load in the background: the first call need not wait for
  // them, and policy problems are logged at start as before.
  let warming: ReturnType<typeof setTimeout> | undefined;
  const warmUp = () => {
    warming ??= setTimeout(() => {
      loadTools().catch((error: Error) => process.stderr.write(`pilot-light-mcp: ${error.message}\n`));
    }, WARM_UP_DELAY_MS);
    warming.unref?.();
  };
  serveTools(
    server,
    async () => {
      if (!listedNow) return (await loadTools()).listed();
      warmUp();
      return listedNow;
    },
    async (request, signal) => (await loadTools()).call(request, signal),
  );
  const transport = new StdioServerTransport();
  await server.connect(transport);
  await new Promise<void>((done) => {
    transport.onclose = done;
    process.stdin.once('end', done);
  });
  await server.close().catch(() => undefined);
  return 0;
}

/** The tool list scripts/build.mjs generated into dist/mcp.js (a JSON text); absent in the compiled sources. */
declare const PILOT_LIGHT_MCP_TOOL_LIST: string | undefined;

function builtToolList(
  toolsOf: (manifest: ToolListManifest, variant: ToolListVariant) => Tool[] | undefined,
): ((variant: ToolListVariant) => Tool[] | undefined) | undefined {
  if (typeof PILOT_LIGHT_MCP_TOOL_LIST !== 'string') return undefined;
  const manifest = JSON.parse(PILOT_LIGHT_MCP_TOOL_LIST) as ToolListManifest;
  return (variant) => toolsOf(manifest, variant);
}

/** The settings that decide which tools the CLI lists. */
export function cliToolListVariant(config: CliSettings): ToolListVariant {
  return { readOnly: config.readOnly, allowRecovery: config.allowRecovery, dr: config.workspaces.length > 0 };
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`pilot-light-mcp: ${(error as Error).stack ?? error}\n`);
      process.exit(1);
    },
  );
}
