import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decideConnectionSettings,
  describeWorkspaceValues,
  isLoopbackEndpoint,
  MAX_SETTING_TEXT_LENGTH,
  proposalKey,
  rememberDecision,
  type ConnectionSettingScopes,
  type ProposalDecision,
} from '../../src/core/aws/workspaceProposal';

function scopes(user: Record<string, unknown>, workspace: Record<string, unknown>): ConnectionSettingScopes {
  const pick = (key: string) => ({ user: user[key], workspace: workspace[key] });
  return {
    profile: pick('profile'),
    region: pick('region'),
    endpointUrl: pick('endpointUrl'),
    serviceEndpoints: pick('serviceEndpoints'),
    explorerProfiles: pick('explorerProfiles'),
  };
}

const unanswered = { trusted: true, decisionFor: () => undefined };
const answered = (decision: ProposalDecision) => ({ trusted: true, decisionFor: () => decision });

describe('workspace connection proposals: loopback endpoints', () => {
  it('counts localhost, 127.0.0.0/8 and [::1] as loopback, whatever the IPv4 spelling', () => {
    for (const url of [
      'http://localhost:4566',
      'https://LOCALHOST',
      'http://127.0.0.1:9',
      'http://127.255.3.4',
      'http://127.1:80',
      'http://0x7f.0.0.1',
      'http://[::1]:4566',
      'http://user:pw@127.0.0.1/',
    ]) {
      assert.equal(isLoopbackEndpoint(url), true, url);
    }
  });

  it('does not count other hosts, look-alikes or other schemes', () => {
    for (const url of [
      'https://example.test',
      'http://localhost.example.test',
      'http://127.0.0.1.example.test',
      'http://127.0.0.1@evil.test',
      'http://[::ffff:127.0.0.1]',
      'http://10.0.0.1',
      'http://0.0.0.0',
      'ftp://localhost',
      'not a url',
      '',
    ]) {
      assert.equal(isLoopbackEndpoint(url), false, url);
    }
  });
});

describe('workspace connection proposals: decisions', () => {
  it('uses user values as they are when the workspace sets nothing', () => {
    const decision = decideConnectionSettings(
      scopes(
        {
          profile: 'dev',
          region: 'eu-west-1',
          endpointUrl: 'https://proxy.corp.test',
          serviceEndpoints: { DRS: 'http://x:1' },
          explorerProfiles: ['ops', 'ops', ' '],
        },
        {},
      ),
      unanswered,
    );
    assert.equal(decision.state, 'none');
    assert.deepEqual(decision.settings, {
      profile: 'dev',
      region: 'eu-west-1',
      endpointUrl: 'https://proxy.corp.test',
      serviceEndpoints: { drs: 'http://x:1' },
      explorerProfiles: ['ops'],
    });
  });

  it('keeps a proposed profile and remote endpoint out of force until the user allows them', () => {
    const proposed = scopes(
      { region: 'us-east-1' },
      { profile: 'prod', endpointUrl: 'https://collector.example.test' },
    );
    const pending = decideConnectionSettings(proposed, unanswered);
    assert.equal(pending.state, 'pending');
    assert.deepEqual(pending.proposal, { profile: 'prod', endpointUrl: 'https://collector.example.test' });
    assert.equal(pending.settings.profile, undefined);
    assert.equal(pending.settings.endpointUrl, undefined);
    assert.equal(pending.settings.region, 'us-east-1');

    const declined = decideConnectionSettings(proposed, answered('declined'));
    assert.equal(declined.state, 'declined');
    assert.equal(declined.settings.profile, undefined);
    assert.equal(declined.settings.endpointUrl, undefined);

    const allowed = decideConnectionSettings(proposed, answered('allowed'));
    assert.equal(allowed.state, 'allowed');
    assert.equal(allowed.settings.profile, 'prod');
    assert.equal(allowed.settings.endpointUrl, 'https://collector.example.test');
    assert.deepEqual(allowed.fromWorkspace, { profile: 'prod', endpointUrl: 'https://collector.example.test' });
  });

  it('looks the decision up by the proposal, so a changed proposal is asked again', () => {
    const seen: string[] = [];
    const first = decideConnectionSettings(scopes({}, { profile: 'a' }), {
      trusted: true,
      decisionFor: (key) => (seen.push(key), 'allowed'),
    });
    const second = decideConnectionSettings(scopes({}, { profile: 'b' }), {
      trusted: true,
      decisionFor: (key) => (seen.push(key), undefined),
    });
    assert.equal(first.settings.profile, 'a');
    assert.equal(second.state, 'pending');
    assert.notEqual(seen[0], seen[1]);
    assert.equal(
      proposalKey({ serviceEndpoints: { a: 'http://a', b: 'http://b' } }),
      proposalKey({ serviceEndpoints: { b: 'http://b', a: 'http://a' } }),
    );
  });

  it('applies a loopback endpoint without asking when it replaces no user endpoint', () => {
    const decision = decideConnectionSettings(
      scopes({}, { endpointUrl: 'http://localhost:4566', serviceEndpoints: { drs: 'http://127.0.0.1:4567' } }),
      unanswered,
    );
    assert.equal(decision.state, 'none');
    assert.equal(decision.settings.endpointUrl, 'http://localhost:4566');
    assert.deepEqual(decision.settings.serviceEndpoints, { drs: 'http://127.0.0.1:4567' });
  });

  it("asks before a loopback endpoint replaces the user's own endpoint", () => {
    const decision = decideConnectionSettings(
      scopes(
        { endpointUrl: 'https://proxy.corp.test' },
        { endpointUrl: 'http://localhost:4566', serviceEndpoints: { ec2: 'http://localhost:4566' } },
      ),
      unanswered,
    );
    assert.equal(decision.state, 'pending');
    assert.equal(decision.settings.endpointUrl, 'https://proxy.corp.test');
    assert.deepEqual(decision.settings.serviceEndpoints, {});
    assert.deepEqual(decision.proposal, {
      endpointUrl: 'http://localhost:4566',
      serviceEndpoints: { ec2: 'http://localhost:4566' },
    });
  });

  it('asks only for the remote entries of a mixed per-service map', () => {
    const decision = decideConnectionSettings(
      scopes({}, { serviceEndpoints: { drs: 'http://localhost:4567', ec2: 'https://elsewhere.test' } }),
      unanswered,
    );
    assert.equal(decision.state, 'pending');
    assert.deepEqual(decision.settings.serviceEndpoints, { drs: 'http://localhost:4567' });
    assert.deepEqual(decision.proposal, { serviceEndpoints: { ec2: 'https://elsewhere.test' } });
  });

  it('ignores every workspace value in Restricted Mode, loopback ones too', () => {
    const decision = decideConnectionSettings(
      scopes({ profile: 'dev' }, { profile: 'prod', endpointUrl: 'http://localhost:4566' }),
      { trusted: false, decisionFor: () => 'allowed' },
    );
    assert.equal(decision.state, 'restricted');
    assert.deepEqual(decision.settings, {
      profile: 'dev',
      region: undefined,
      endpointUrl: undefined,
      serviceEndpoints: {},
      explorerProfiles: [],
    });
    assert.deepEqual(decision.ignored, { profile: 'prod', endpointUrl: 'http://localhost:4566' });
  });

  it('treats a workspace value equal to the user value as no proposal', () => {
    const decision = decideConnectionSettings(
      scopes({ profile: 'dev', explorerProfiles: ['a'] }, { profile: ' dev ', explorerProfiles: ['a'] }),
      unanswered,
    );
    assert.equal(decision.state, 'none');
    assert.equal(decision.settings.profile, 'dev');
  });

  it('ignores oversized or malformed workspace values', () => {
    const long = `https://${'a'.repeat(MAX_SETTING_TEXT_LENGTH)}.test`;
    const decision = decideConnectionSettings(
      scopes(
        {},
        {
          endpointUrl: long,
          profile: 42,
          serviceEndpoints: ['http://x'],
          explorerProfiles: Array.from({ length: 1000 }, (_, i) => `p${i}`),
        },
      ),
      unanswered,
    );
    assert.equal(decision.state, 'none');
    assert.deepEqual(decision.settings, {
      profile: undefined,
      region: undefined,
      endpointUrl: undefined,
      serviceEndpoints: {},
      explorerProfiles: [],
    });
  });

  it('describes a proposal in words and remembers a bounded number of answers', () => {
    assert.equal(
      describeWorkspaceValues({
        profile: 'prod',
        region: 'eu-west-1',
        endpointUrl: 'https://x.test',
        serviceEndpoints: { drs: 'https://y.test' },
        explorerProfiles: ['a'],
      }),
      'profile "prod", region eu-west-1, endpoint https://x.test (all services), endpoint https://y.test for drs, explorer profiles "a"',
    );
    assert.equal(
      describeWorkspaceValues({ endpointUrl: 'https://me:secret@x.test/' }),
      'endpoint https://***@x.test/ (all services)',
    );
    assert.equal(
      describeWorkspaceValues({
        profile: 'dev" (your usual one)\nAllow',
        region: 'eu west\n1',
        endpointUrl: 'not a url',
      }),
      'profile "dev\\" (your usual one)\\nAllow", region "eu west\\n1", endpoint "not a url" (all services)',
    );
    assert.equal(
      describeWorkspaceValues({ endpointUrl: 'http://[::ffff:127.0.0.1]:80' }),
      'endpoint http://[::ffff:7f00:1]/ (all services)',
    );
    let decisions: Record<string, ProposalDecision> = {};
    for (let index = 0; index < 30; index++) decisions = rememberDecision(decisions, `k${index}`, 'declined', 20);
    decisions = rememberDecision(decisions, 'k15', 'allowed', 20);
    assert.equal(Object.keys(decisions).length, 20);
    assert.equal(decisions.k15, 'allowed');
    assert.equal(decisions.k0, undefined);
  });
});

describe('workspace connection proposals: properties', () => {
  const host = fc.constantFrom(
    'localhost',
    '127.0.0.1',
    '127.9.8.7',
    '[::1]',
    'example.test',
    'evil.test',
    '[::ffff:127.0.0.1]',
    '10.1.2.3',
  );
  const endpoint = fc
    .tuple(fc.constantFrom('http', 'https'), host, fc.integer({ min: 1, max: 65535 }))
    .map(([scheme, name, port]) => `${scheme}://${name}:${port}`);
  const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
  const services = fc.dictionary(fc.constantFrom('ec2', 'drs', 'sts', 'iam'), endpoint, { maxKeys: 3 });
  const values = fc.record({
    profile: maybe(fc.constantFrom('dev', 'prod', 'default')),
    region: maybe(fc.constantFrom('us-east-1', 'eu-west-1')),
    endpointUrl: maybe(endpoint),
    serviceEndpoints: maybe(services),
    explorerProfiles: maybe(fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 })),
  });
  const inputs = fc.record({
    trusted: fc.boolean(),
    decision: fc.constantFrom<ProposalDecision | undefined>('allowed', 'declined', undefined),
  });

  const endpointsInForce = (settings: { endpointUrl?: string; serviceEndpoints: Record<string, string> }) =>
    [settings.endpointUrl, ...Object.values(settings.serviceEndpoints)].filter((url): url is string => Boolean(url));

  it('never puts a non-loopback workspace endpoint in force without an allow decision', () => {
    fc.assert(
      fc.property(values, values, inputs, (user, workspace, { trusted, decision }) => {
        const result = decideConnectionSettings(scopes(user, workspace), { trusted, decisionFor: () => decision });
        const userEndpoints = new Set(
          endpointsInForce({ endpointUrl: user.endpointUrl, serviceEndpoints: user.serviceEndpoints ?? {} }),
        );
        for (const url of endpointsInForce(result.settings)) {
          if (userEndpoints.has(url)) continue;
          assert.ok(
            trusted && (decision === 'allowed' || isLoopbackEndpoint(url)),
            `${url} in force (trusted ${trusted}, decision ${decision})`,
          );
        }
      }),
    );
  });

  it('never replaces a user value silently: without an allow decision every user value stays in force', () => {
    fc.assert(
      fc.property(values, values, inputs, (user, workspace, { trusted, decision }) => {
        fc.pre(decision !== 'allowed' || !trusted);
        const { settings } = decideConnectionSettings(scopes(user, workspace), {
          trusted,
          decisionFor: () => decision,
        });
        if (user.profile) assert.equal(settings.profile, user.profile);
        if (user.region) assert.equal(settings.region, user.region);
        if (user.endpointUrl) assert.equal(settings.endpointUrl, user.endpointUrl);
        for (const [service, url] of Object.entries(user.serviceEndpoints ?? {}))
          assert.equal(settings.serviceEndpoints[service], url);
        if (user.explorerProfiles?.length)
          assert.deepEqual(settings.explorerProfiles, [...new Set(user.explorerProfiles)]);
        // A per-service endpoint from the workspace would win over the user's endpoint for all services.
        if (user.endpointUrl)
          for (const [service, url] of Object.entries(settings.serviceEndpoints))
            assert.equal(url, user.serviceEndpoints?.[service], `${service} keeps the user's endpoint`);
        // Profile, region and explorer profiles of the workspace never apply without an answer.
        if (workspace.profile && workspace.profile !== user.profile)
          assert.notEqual(settings.profile, workspace.profile);
        if (workspace.region && workspace.region !== user.region) assert.notEqual(settings.region, workspace.region);
      }),
    );
  });

  it('a pending or declined proposal changes nothing that the user set, and allowing applies exactly the proposal', () => {
    fc.assert(
      fc.property(values, values, (user, workspace) => {
        const pending = decideConnectionSettings(scopes(user, workspace), unanswered);
        const allowed = decideConnectionSettings(scopes(user, workspace), answered('allowed'));
        assert.equal(pending.proposalKey, allowed.proposalKey);
        if (pending.state === 'none') return assert.deepEqual(allowed.settings, pending.settings);
        assert.equal(pending.state, 'pending');
        if (pending.proposal.profile) assert.equal(allowed.settings.profile, pending.proposal.profile);
        if (pending.proposal.region) assert.equal(allowed.settings.region, pending.proposal.region);
        if (pending.proposal.endpointUrl) assert.equal(allowed.settings.endpointUrl, pending.proposal.endpointUrl);
        for (const [service, url] of Object.entries(pending.proposal.serviceEndpoints ?? {}))
          assert.equal(allowed.settings.serviceEndpoints[service], url);
      }),
    );
  });
});
