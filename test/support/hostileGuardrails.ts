// Hostile `.pilotlight/guardrails.json` files just under the size limit, one per way of making a parser or a
// merge slow: a list far over its limit, thousands of invalid items, invalid or unknown keys, one huge string,
// deep nesting, and a valid file at every list and length limit. Shared by the unit test and the benchmark.

import { POLICY_LIMITS } from '../../src/core/guardrails/policySchema';

export interface HostileFile {
  name: string;
  text: string;
}

/** Repeats `item(i)` inside `prefix` … `suffix`, separated by `separator`, while the text stays within `bytes`. */
function fill(prefix: string, suffix: string, item: (index: number) => string, bytes: number, separator = ','): string {
  const parts: string[] = [];
  let length = prefix.length + suffix.length;
  for (let index = 0; ; index += 1) {
    const next = item(index);
    if (length + next.length + separator.length > bytes) break;
    parts.push(next);
    length += next.length + separator.length;
  }
  return `${prefix}${parts.join(separator)}${suffix}`;
}

const account = (index: number) => String(100000000000 + index);

/** A valid policy at the schema's limits: the most work a file that passes validation can ask for. */
function validAtLimits(bytes: number): string {
  const name = (prefix: string, index: number, length: number) => `${prefix}-${index}-`.padEnd(length, 'x');
  const policy = {
    environmentTagKeys: Array.from({ length: POLICY_LIMITS.tagKeys }, (_, index) =>
      name('Env', index, POLICY_LIMITS.tagKeyLength),
    ),
    // Half the accounts map to protected environments.
    protectedEnvironments: Array.from({ length: POLICY_LIMITS.environments }, (_, index) =>
      name('account', index, 100),
    ),
    accountEnvironments: Object.fromEntries(
      Array.from({ length: POLICY_LIMITS.accounts }, (_, index) => [account(index), name('account', index, 100)]),
    ),
    protectionTags: Array.from({ length: POLICY_LIMITS.protectionTags }, (_, index) =>
      name('Keep', index, POLICY_LIMITS.tagKeyLength),
    ),
    changeWindows: [] as unknown[],
    maxResourcesPerOperation: 5,
    treatUnknownEnvironmentAsProtected: true,
  };
  const window = (environments: string[]) => ({
    name: 'w',
    environments,
    days: ['mon', 'tue', 'wed', 'thu', 'fri'],
    start: '22:00',
    end: '06:00',
    timeZone: 'Europe/Berlin',
  });
  // Windows, each naming as many environments as the remaining bytes allow.
  let text = JSON.stringify(policy);
  for (let count = 0; count < POLICY_LIMITS.changeWindows; count += 1) {
    const room = Math.floor((bytes - text.length - 200) / 43);
    if (room <= 0) break;
    policy.changeWindows.push(
      window(
        Array.from({ length: Math.min(room, POLICY_LIMITS.environments) }, (_, index) =>
          name(`window-${count}`, index, 40),
        ),
      ),
    );
    text = JSON.stringify(policy);
  }
  return text;
}

export function hostileGuardrailsFiles(bytes = POLICY_LIMITS.fileBytes): HostileFile[] {
  return [
    {
      name: 'list far over its limit',
      text: fill('{"protectedEnvironments":[', ']}', (index) => `"e${index}"`, bytes),
    },
    { name: 'thousands of invalid items', text: fill('{"protectionTags":[', ']}', (index) => String(index), bytes) },
    {
      name: 'thousands of invalid account keys',
      text: fill('{"accountEnvironments":{', '}}', (index) => `"a${index}":"x"`, bytes),
    },
    { name: 'thousands of unknown keys', text: fill('{', '}', (index) => `"k${index}":0`, bytes) },
    { name: 'one huge string', text: `{"protectedEnvironments":["${'p'.repeat(bytes - 40)}"]}` },
    {
      name: 'deep nesting',
      text: `{"changeWindows":${'['.repeat(Math.floor((bytes - 30) / 2))}${']'.repeat(Math.floor((bytes - 30) / 2))}}`,
    },
    { name: 'comments', text: fill('{', '"auditReads":true}', (index) => `/*${index}*/`, bytes, '\n') },
    { name: 'valid at every limit', text: validAtLimits(bytes) },
  ];
}
