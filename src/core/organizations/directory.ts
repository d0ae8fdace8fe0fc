import { resolveEnvironment } from '../guardrails/environment';
import type { GuardrailPolicy } from '../guardrails/policyTypes';

/** The organization as a tree of roots, OUs and accounts, read through registered read operations. */

/** Runs one registered read operation and returns its output; throws the AWS error (runnerReads, OperationService). */
export type OrganizationRead = <Output = unknown>(
  operationId: string,
  input: Record<string, unknown>,
) => Promise<Output>;

export interface AccountEnvironment {
  name: string;
  /** `account`: pilotLight.guardrails.accountEnvironments; `tag`: the account's Organizations tags. */
  source: 'tag' | 'account' | 'unknown';
  protected: boolean;
}

export interface OrganizationAccount {
  id: string;
  name: string;
  email?: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE… */
  status: string;
  arn?: string;
  parentId: string;
  /** Names from the root down to the account's OU, e.g. ["Root", "Workloads", "Prod"]. */
  path: string[];
  tags: Record<string, string>;
  environment: AccountEnvironment;
  /** Set when the tags could not be read (the environment then comes from the settings or is unknown). */
  tagsError?: string;
}

export interface OrganizationUnit {
  id: string;
  name: string;
  kind: 'root' | 'unit';
  parentId?: string;
  units: OrganizationUnit[];
  accounts: OrganizationAccount[];
}

export interface OrganizationTree {
  id: string;
  managementAccountId: string;
  roots: OrganizationUnit[];
  /** Every account, in tree order. */
  accounts: OrganizationAccount[];
  /** Set when the tree hit a bound and is incomplete. */
  truncated?: string;
}

export const ORGANIZATION_LIMITS = Object.freeze({
  accounts: 5_000,
  units: 2_000,
  /** AWS allows five levels of OUs under a root. */
  depth: 6,
  pagesPerList: 500,
  tagConcurrency: 8,
});

interface Page {
  items: Array<Record<string, unknown>>;
  nextToken?: string;
}

async function allPages(
  read: OrganizationRead,
  operationId: string,
  input: Record<string, unknown>,
): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await read<Page>(operationId, { ...input, ...(nextToken ? { nextToken } : {}) });
    items.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken && ++pages < ORGANIZATION_LIMITS.pagesPerList);
  return items;
}

/** Runs `work` over `items`, at most `limit` at a time, in order of start. */
export async function withConcurrency<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await work(item);
    }
  });
  await Promise.all(workers);
}

/** An account's environment: its Organizations tags or the account map of the settings (as guardrails resolve it). */
export function accountEnvironment(
  accountId: string,
  tags: Record<string, string>,
  policy: GuardrailPolicy,
): AccountEnvironment {
  const resolved = resolveEnvironment(tags, accountId, policy);
  return { name: resolved.name, source: resolved.source, protected: resolved.protected };
}

/**
 * Reads the whole organization: roots, OUs (breadth-first, bounded), accounts per parent and each account's
 * tags (for its environment). Throws when the organization itself cannot be read (not in an organization, or
 * not the management or delegated administrator account); a failed tag read is kept on the account.
 */
export async function loadOrganizationTree(read: OrganizationRead, policy: GuardrailPolicy): Promise<OrganizationTree> {
  const organization = await read<Record<string, unknown>>('organizations.organization.describe', {});
  const roots = await allPages(read, 'organizations.roots.list', {});
  const tree: OrganizationTree = {
    id: String(organization.Id ?? 'unknown'),
    managementAccountId: String(organization.MasterAccountId ?? 'unknown'),
    roots: [],
    accounts: [],
  };
  let unitCount = 0;
  const visit = async (unit: OrganizationUnit, path: string[], depth: number): Promise<void> => {
    const [accounts, units] = await Promise.all([
      allPages(read, 'organizations.accounts.list', { parentId: unit.id }),
      depth < ORGANIZATION_LIMITS.depth ? allPages(read, 'organizations.units.list', { parentId: unit.id }) : [],
    ]);
    for (const raw of accounts) {
      if (tree.accounts.length >= ORGANIZATION_LIMITS.accounts) {
        tree.truncated = `only the first ${ORGANIZATION_LIMITS.accounts} accounts are shown`;
        break;
      }
      const account: OrganizationAccount = {
        id: String(raw.Id),
        name: String(raw.Name ?? raw.Id),
        email: raw.Email as string | undefined,
        status: String(raw.Status ?? raw.State ?? 'UNKNOWN'),
        arn: raw.Arn as string | undefined,
        parentId: unit.id,
        path,
        tags: {},
        environment: accountEnvironment(String(raw.Id), {}, policy),
      };
      unit.accounts.push(account);
      tree.accounts.push(account);
    }
    for (const raw of units) {
      if (++unitCount > ORGANIZATION_LIMITS.units) {
        tree.truncated = `only the first ${ORGANIZATION_LIMITS.units} organizational units are shown`;
        break;
      }
      unit.units.push({
        id: String(raw.Id),
        name: String(raw.Name ?? raw.Id),
        kind: 'unit',
        parentId: unit.id,
        units: [],
        accounts: [],
      });
    }
    await Promise.all(unit.units.map((child) => visit(child, [...path, child.name], depth + 1)));
  };
  for (const raw of roots) {
    const root: OrganizationUnit = {
      id: String(raw.Id),
      name: String(raw.Name ?? 'Root'),
      kind: 'root',
      units: [],
      accounts: [],
    };
    tree.roots.push(root);
    await visit(root, [root.name], 1);
  }
  await withConcurrency(tree.accounts, ORGANIZATION_LIMITS.tagConcurrency, async (account) => {
    try {
      const { tags } = await read<{ tags: Record<string, string> }>('organizations.tags.list', {
        resourceId: account.id,
      });
      account.tags = tags;
      account.environment = accountEnvironment(account.id, tags, policy);
    } catch (error) {
      account.tagsError = (error as Error).message;
    }
  });
  return tree;
}

/** Every account under a root or OU (recursively), or undefined when the tree has no such unit. */
export function accountsUnder(tree: OrganizationTree, unitId: string): OrganizationAccount[] | undefined {
  const find = (units: OrganizationUnit[]): OrganizationUnit | undefined => {
    for (const unit of units) {
      if (unit.id === unitId) return unit;
      const found = find(unit.units);
      if (found) return found;
    }
    return undefined;
  };
  const unit = find(tree.roots);
  if (!unit) return undefined;
  const collect = (current: OrganizationUnit): OrganizationAccount[] => [
    ...current.accounts,
    ...current.units.flatMap(collect),
  ];
  return collect(unit);
}
