import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { describeAwsError } from './errors';
import { resolveEndpoint, resolveRegion, type ConnectionSettings } from './resolution';
import { loadProfiles, type ProfileInfo } from './sharedConfig';

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

/** Everything an SDK v3 client constructor needs from us. */
export interface ServiceClientConfig {
  region: string;
  credentials: AwsCredentialIdentityProvider;
  endpoint?: string;
  maxAttempts?: number;
  retryMode?: string;
  logger?: import('@smithy/types').Logger;
}

/** A lazily loaded SDK client: the module is only required when the first client is created. */
export interface ServiceDefinition<Client> {
  /** Service id as used in endpoint overrides (`AWS_ENDPOINT_URL_<ID>`, profile `services`). */
  id: string;
  create(config: ServiceClientConfig): Promise<Client>;
  /** Loads the SDK bundle without creating a client or calling AWS (parsing it ahead of the first list). */
  preload?(): Promise<unknown>;
}

interface DestroyableClient {
  destroy?: () => void;
}

const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * One AWS identity (a profile, or the default chain) with its region and endpoint settings.
 * Clients are created on first use and cached per account, region and service.
 */
/**
 * The SDK's logger, discarding everything as its default one does, but without `info`: the SDK then skips
 * building a sensitive-filtered copy of every response for it (a deep copy of each page, measured as a large
 * share of a cross-account fan-out's CPU time).
 */
const QUIET_SDK_LOGGER = {
  trace: () => undefined,
  debug: () => undefined,
  warn: () => undefined,
  error: () => undefined,
} as unknown as import('@smithy/types').Logger;

export class AwsConnection {
  private identityPromise?: Promise<CallerIdentity>;
  private readonly clients = new Map<string, Promise<unknown>>();
  private credentialProvider?: AwsCredentialIdentityProvider;
  /** Set on a member account's connection: where its credentials come from (never the credentials). */
  private assumedSource?: string;
  /** Set on a member account's connection: its name and the profile it is reached from (shown in every preview). */
  accountContext?: { name?: string; reachedFrom: string };

  private constructor(
    readonly settings: ConnectionSettings,
    readonly profile: ProfileInfo | undefined,
    readonly profileName: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /**
   * Another account reached from `base` with assumed-role credentials (AWS Organizations): the same region
   * and endpoint settings, its own name (runner key), credentials and identity. Its clients are its own.
   */
  static assumed(
    base: AwsConnection,
    name: string,
    credentials: AwsCredentialIdentityProvider,
    identity: () => Promise<CallerIdentity>,
    source: string,
    accountName?: string,
  ): AwsConnection {
    const connection = new AwsConnection(base.settings, base.profile, name, base.env);
    connection.credentialProvider = credentials;
    connection.assumedSource = source;
    connection.accountContext = { name: accountName, reachedFrom: base.profileName };
    connection.identity = () => {
      const pending = (connection.identityPromise ??= identity());
      pending.catch(() => (connection.identityPromise = undefined));
      return pending;
    };
    return connection;
  }

  /** Reads the shared config files (no AWS calls) and resolves which profile applies. */
  static async open(settings: ConnectionSettings, env: NodeJS.ProcessEnv = process.env): Promise<AwsConnection> {
    const profiles = await loadProfiles(env);
    const profileName = settings.profile || env.AWS_PROFILE || 'default';
    const profile = profiles.find((candidate) => candidate.name === profileName);
    if (settings.profile && !profile) {
      throw Object.assign(
        new Error(`Profile "${settings.profile}" is not defined in the AWS config or credentials file.`),
        { name: 'CredentialsProviderError' },
      );
    }
    return new AwsConnection(settings, profile, profileName, env);
  }

  get region(): string {
    return resolveRegion(this.settings, this.profile, this.env).region;
  }

  get credentialSource(): string {
    if (this.assumedSource) return this.assumedSource;
    const explicit = Boolean(this.settings.profile || this.env.AWS_PROFILE);
    if (!explicit && this.env.AWS_ACCESS_KEY_ID) return 'environment variables';
    return this.profile ? `profile "${this.profile.name}" (${this.profile.kind})` : 'default credential chain';
  }

  endpointFor(serviceId: string): string | undefined {
    return resolveEndpoint(serviceId, this.settings, this.profile, this.env)?.url;
  }

  private credentials(): AwsCredentialIdentityProvider {
    if (!this.credentialProvider) {
      const explicitProfile = this.settings.profile || this.env.AWS_PROFILE;
      let chain: Promise<AwsCredentialIdentityProvider> | undefined;
      // The provider chain (SSO, STS, INI, process) is loaded on the first credential request.
      this.credentialProvider = async (options) => {
        // ignoreCache: re-read ~/.aws, where the user may just have added a profile or signed in.
        chain ??= import('@aws-sdk/credential-provider-node').then(({ defaultProvider }) =>
          defaultProvider({ ...(explicitProfile ? { profile: explicitProfile } : {}), ignoreCache: true }),
        );
        return (await chain)(options);
      };
    }
    return this.credentialProvider;
  }

  private configFor(serviceId: string, region: string): ServiceClientConfig {
    return {
      region,
      credentials: this.credentials(),
      endpoint: this.endpointFor(serviceId),
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      retryMode: 'adaptive',
      logger: QUIET_SDK_LOGGER,
    };
  }

  /** The caller's account and ARN, from STS GetCallerIdentity; cached, and retried after a failure. */
  identity(): Promise<CallerIdentity> {
    if (!this.identityPromise) {
      this.identityPromise = (async () => {
        const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
        const sts = new STSClient(this.configFor('sts', this.region));
        try {
          const result = await sts.send(new GetCallerIdentityCommand({}));
          return {
            account: result.Account ?? 'unknown',
            arn: result.Arn ?? 'unknown',
            userId: result.UserId ?? 'unknown',
          };
        } finally {
          sts.destroy();
        }
      })();
      this.identityPromise.catch(() => (this.identityPromise = undefined));
    }
    return this.identityPromise;
  }

  /** A cached client for the service in `region` (default: the connection's region). */
  async client<Client>(service: ServiceDefinition<Client>, region = this.region): Promise<Client> {
    const { account } = await this.identity();
    const key = `${account}/${region}/${service.id}`;
    let client = this.clients.get(key) as Promise<Client> | undefined;
    if (!client) {
      client = service.create(this.configFor(service.id, region));
      this.clients.set(key, client);
      client.catch(() => this.clients.delete(key));
    }
    return client;
  }

  describeError(error: unknown) {
    return describeAwsError(error, this.profile?.name ?? (this.settings.profile || this.env.AWS_PROFILE));
  }

  get cachedClientCount(): number {
    return this.clients.size;
  }

  dispose(): void {
    for (const client of this.clients.values()) {
      client.then(
        (created) => (created as DestroyableClient).destroy?.(),
        () => undefined,
      );
    }
    this.clients.clear();
  }
}
