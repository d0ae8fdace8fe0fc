import { AwsConnection } from '../../src/core/aws/connection';
import { OrganizationAccess, parseMemberProfileName, type MemberAccessOptions } from '../../src/core/organizations';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/core/runtime';

export interface OrganizationRuntime {
  /** The management profile's connection. */
  base: AwsConnection;
  runtime: Runtime;
  access: OrganizationAccess;
  dispose(): void;
}

/**
 * A runtime whose member-account runner keys (`<profile>::<account>`) are assumed-role connections, as the
 * extension and the MCP CLI wire them: the management profile at `endpoint`, member accounts through `role`.
 */
export async function organizationRuntime(
  endpoint: string,
  region: string,
  role: MemberAccessOptions,
  options: Omit<RuntimeOptions, 'connection' | 'defaultProfile'>,
): Promise<OrganizationRuntime> {
  const base = await AwsConnection.open({ endpointUrl: endpoint, region }, process.env);
  const holder: { access?: OrganizationAccess } = {};
  const runtime = createRuntime({
    ...options,
    connection: async (profile) => {
      const member = profile ? parseMemberProfileName(profile) : undefined;
      return member ? holder.access!.memberConnection(member.accountId) : base;
    },
    defaultProfile: async () => base.profileName,
  });
  const access = (holder.access = new OrganizationAccess(base, role, {
    runner: (name) => runtime.runner(name),
    policy: () => runtime.policy,
  }));
  return { base, runtime, access, dispose: () => (access.dispose(), base.dispose()) };
}
