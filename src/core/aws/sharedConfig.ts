import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** One profile as the AWS CLI and SDKs see it, merged from `config` and `credentials`. */
export interface ProfileInfo {
  name: string;
  region?: string;
  endpointUrl?: string;
  /** Per-service endpoint overrides from the profile's `services` section, keyed by lower-case service id. */
  serviceEndpoints: Record<string, string>;
  kind: 'sso' | 'assume-role' | 'process' | 'static' | 'web-identity' | 'other';
  ssoSession?: string;
  ssoStartUrl?: string;
}

type IniSections = Map<string, Record<string, string | Record<string, string>>>;

/** Parses the AWS shared-config INI dialect, including indented sub-sections (`s3 =\n  endpoint_url = …`). */
export function parseIni(text: string): IniSections {
  const sections: IniSections = new Map();
  let current: Record<string, string | Record<string, string>> | undefined;
  let subSection: Record<string, string> | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/\s[#;].*$/, '');
    if (!line.trim() || /^\s*[#;]/.test(line)) continue;
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      const name = header[1].trim();
      current = sections.get(name) ?? {};
      sections.set(name, current);
      subSection = undefined;
      continue;
    }
    if (!current) continue;
    const pair = /^(\s*)([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (!pair) continue;
    const [, indent, key, value] = pair;
    if (indent.length > 0 && subSection) {
      subSection[key.trim()] = value.trim();
    } else if (value.trim() === '') {
      subSection = {};
      current[key.trim()] = subSection;
    } else {
      subSection = undefined;
      current[key.trim()] = value.trim();
    }
  }
  return sections;
}

export function sharedConfigPaths(env: NodeJS.ProcessEnv = process.env): { config: string; credentials: string } {
  const home = env.HOME || env.USERPROFILE || homedir();
  return {
    config: env.AWS_CONFIG_FILE || join(home, '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'),
  };
}

async function readIfPresent(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

function str(value: string | Record<string, string> | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Lists the profiles defined in the shared config and credentials files. Reads files only; no AWS calls. */
export async function loadProfiles(env: NodeJS.ProcessEnv = process.env): Promise<ProfileInfo[]> {
  const paths = sharedConfigPaths(env);
  const [configText, credentialsText] = await Promise.all([
    readIfPresent(paths.config),
    readIfPresent(paths.credentials),
  ]);
  const config = parseIni(configText);
  const credentials = parseIni(credentialsText);
  const merged = new Map<string, Record<string, string | Record<string, string>>>();
  for (const [section, values] of config) {
    const name = section === 'default' ? 'default' : /^profile\s+(.+)$/.exec(section)?.[1]?.trim();
    if (name) merged.set(name, { ...values });
  }
  for (const [name, values] of credentials) merged.set(name, { ...(merged.get(name) ?? {}), ...values });

  return [...merged.entries()]
    .map(([name, values]) => {
      const servicesName = str(values.services);
      const services = servicesName ? (config.get(`services ${servicesName}`) ?? {}) : {};
      const serviceEndpoints: Record<string, string> = {};
      for (const [service, sub] of Object.entries(services)) {
        if (typeof sub === 'object' && sub.endpoint_url) serviceEndpoints[service.toLowerCase()] = sub.endpoint_url;
      }
      const ssoSession = str(values.sso_session);
      const ssoStartUrl =
        str(values.sso_start_url) ??
        (ssoSession ? str(config.get(`sso-session ${ssoSession}`)?.sso_start_url) : undefined);
      return {
        name,
        region: str(values.region),
        endpointUrl: str(values.endpoint_url),
        serviceEndpoints,
        kind: profileKind(values),
        ssoSession,
        ssoStartUrl,
      };
    })
    .sort((a, b) => (a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name)));
}

function profileKind(values: Record<string, unknown>): ProfileInfo['kind'] {
  if (values.sso_session || values.sso_start_url) return 'sso';
  if (values.role_arn && values.web_identity_token_file) return 'web-identity';
  if (values.role_arn) return 'assume-role';
  if (values.credential_process) return 'process';
  if (values.aws_access_key_id) return 'static';
  return 'other';
}
