import type { ProfileInfo } from './sharedConfig';

/** Settings the user can set; the editor adapter reads them, core code only sees this shape. */
export interface ConnectionSettings {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  serviceEndpoints?: Record<string, string>;
}

export type EndpointSource = 'setting' | 'environment' | 'profile';

export interface ResolvedEndpoint {
  url: string;
  source: EndpointSource;
}

export const FALLBACK_REGION = 'us-east-1';

/** Region order: the explicit setting, then the environment, then the profile, then us-east-1. */
export function resolveRegion(
  settings: ConnectionSettings,
  profile: ProfileInfo | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { region: string; source: 'setting' | 'environment' | 'profile' | 'fallback' } {
  if (settings.region) return { region: settings.region, source: 'setting' };
  const fromEnv = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (fromEnv) return { region: fromEnv, source: 'environment' };
  if (profile?.region) return { region: profile.region, source: 'profile' };
  return { region: FALLBACK_REGION, source: 'fallback' };
}

/** Env var suffix for a service id, as the SDKs define it: `AWS_ENDPOINT_URL_<ID>` with spaces and dashes as underscores. */
function envSuffix(serviceId: string): string {
  return serviceId.toUpperCase().replace(/[\s-]+/g, '_');
}

/**
 * Endpoint override order: the setting (per service, then global), `AWS_ENDPOINT_URL_<SERVICE>` /
 * `AWS_ENDPOINT_URL`, then the profile's `services` section and `endpoint_url`.
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` disables the environment and profile sources, as in the SDKs.
 */
export function resolveEndpoint(
  serviceId: string,
  settings: ConnectionSettings,
  profile: ProfileInfo | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedEndpoint | undefined {
  const key = serviceId.toLowerCase();
  const fromSetting = settings.serviceEndpoints?.[key] || settings.endpointUrl;
  if (fromSetting) return { url: validateEndpointUrl(fromSetting, 'setting'), source: 'setting' };
  if ((env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '').toLowerCase() === 'true') return undefined;
  const fromEnv = env[`AWS_ENDPOINT_URL_${envSuffix(serviceId)}`] || env.AWS_ENDPOINT_URL;
  if (fromEnv) return { url: validateEndpointUrl(fromEnv, 'environment'), source: 'environment' };
  const fromProfile = profile?.serviceEndpoints[key] || profile?.endpointUrl;
  if (fromProfile) return { url: validateEndpointUrl(fromProfile, 'profile'), source: 'profile' };
  return undefined;
}

export class InvalidEndpointError extends Error {
  constructor(
    readonly value: string,
    readonly source: EndpointSource,
  ) {
    super(
      `The endpoint URL "${value}" (from the ${source}) is not a valid http(s) URL. Use a form like http://localhost:4566.`,
    );
    this.name = 'InvalidEndpointError';
  }
}

export function validateEndpointUrl(value: string, source: EndpointSource): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidEndpointError(value, source);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidEndpointError(value, source);
  return value.replace(/\/+$/, '');
}
