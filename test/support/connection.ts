import { AwsConnection } from '../../src/core/aws/connection';
import type { ConnectionSettings } from '../../src/core/aws/resolution';
import { emulatorStack } from './emulators';

const SANDBOX_ENV = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_CONFIG_FILE: '/nonexistent/pilot-light-test/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/pilot-light-test/credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/**
 * Replaces every AWS_ variable with the sandbox's (a loopback account's keys, no config files, no instance
 * metadata), as the SDK's credential chain reads them from process.env; returns what puts the old ones back.
 */
export function useSandboxAwsEnv(
  credentials: { accessKeyId: string; secretAccessKey: string } = {
    accessKeyId: 'testing',
    secretAccessKey: 'testing',
  },
): () => void {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
  Object.assign(process.env, {
    ...SANDBOX_ENV,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  });
  return () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  };
}

/**
 * A real AwsConnection (credential chain, endpoint resolution, client cache) pointed at the emulator
 * gateway. The SDK's credential chain reads process.env, so the sandbox variables are set there.
 */
export async function emulatorConnection(settings: ConnectionSettings = {}): Promise<AwsConnection> {
  for (const key of Object.keys(process.env))
    if (key.startsWith('AWS_') && !(key in SANDBOX_ENV)) delete process.env[key];
  Object.assign(process.env, SANDBOX_ENV);
  const stack = emulatorStack();
  return AwsConnection.open({ endpointUrl: stack.endpoint, region: stack.region, ...settings }, process.env);
}
