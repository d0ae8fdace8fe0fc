import type { OrganizationsClient as SdkOrganizationsClient } from '@aws-sdk/client-organizations';
import type { ServiceClientConfig, ServiceDefinition } from './connection';

/**
 * AWS Organizations through the AWS SDK, called by action name (`ListAccounts`) with the API's own input and
 * output shapes, so the registered operations read like the API reference. Organizations is a global service:
 * requests are signed for us-east-1 (aws partition); endpoint overrides apply as for every client.
 */

/** One Organizations API call: the action name (e.g. `ListAccounts`) and its input. */
export interface OrganizationsCommand {
  readonly action: string;
  readonly input: Record<string, unknown>;
}

export function organizationsCommand(action: string, input: Record<string, unknown> = {}): OrganizationsCommand {
  if (!/^[A-Z][A-Za-z]{2,60}$/.test(action)) throw new Error(`"${action}" is not an Organizations action name.`);
  return { action, input };
}

const SIGNING_REGION = 'us-east-1';

type SdkModule = typeof import('@aws-sdk/client-organizations');
type CommandClass = new (input: Record<string, unknown>) => Parameters<SdkOrganizationsClient['send']>[0];

/** The SDK client, created on the first call, with an action-name `send`. */
export class OrganizationsClient {
  private loaded?: Promise<{ client: SdkOrganizationsClient; sdk: SdkModule }>;
  constructor(private readonly config: ServiceClientConfig) {}

  async send(
    command: OrganizationsCommand,
    options: { abortSignal?: AbortSignal } = {},
  ): Promise<Record<string, unknown>> {
    this.loaded ??= import('@aws-sdk/client-organizations').then((sdk) => ({
      sdk,
      client: new sdk.OrganizationsClient({ ...this.config, region: SIGNING_REGION }),
    }));
    const { client, sdk } = await this.loaded;
    const Command = (sdk as unknown as Record<string, CommandClass | undefined>)[`${command.action}Command`];
    if (typeof Command !== 'function') throw new Error(`Organizations has no action "${command.action}".`);
    const { $metadata: _metadata, ...output } = (await client.send(new Command(command.input), {
      abortSignal: options.abortSignal,
    })) as unknown as Record<string, unknown>;
    return output;
  }

  destroy(): void {
    void this.loaded?.then(
      ({ client }) => client.destroy(),
      () => undefined,
    );
  }
}

export const organizationsService: ServiceDefinition<OrganizationsClient> = {
  id: 'organizations',
  create: async (config) => new OrganizationsClient(config),
};
