/**
 * IAM account aliases, read once per account (registered read `iam.accountAliases.list`, through the account's
 * own runner) and kept: an alias rarely changes. A failed read (no iam:ListAccountAliases) is kept briefly, so
 * previews do not ask again each time; the account is then named by its ID (and organization name) alone.
 */
const KEEP_MS = 60 * 60_000;
const KEEP_FAILURE_MS = 5 * 60_000;
const MAX_ACCOUNTS = 5_000;

export class AccountAliasCache {
  private readonly entries = new Map<string, { alias: Promise<string | undefined>; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The alias of `account`, read with `read` when not known (or no longer fresh). */
  aliasOf(account: string, read: () => Promise<string | undefined>): Promise<string | undefined> {
    const known = this.entries.get(account);
    if (known && known.until > this.now()) return known.alias;
    if (this.entries.size >= MAX_ACCOUNTS) this.entries.delete(this.entries.keys().next().value!);
    const entry = { alias: Promise.resolve<string | undefined>(undefined), until: this.now() + KEEP_MS };
    entry.alias = read().then(
      (alias) => alias,
      () => {
        entry.until = this.now() + KEEP_FAILURE_MS;
        return undefined;
      },
    );
    this.entries.set(account, entry);
    return entry.alias;
  }

  /** The alias if it was read already (no AWS call). */
  known(account: string): Promise<string | undefined> | undefined {
    const entry = this.entries.get(account);
    return entry && entry.until > this.now() ? entry.alias : undefined;
  }
}
