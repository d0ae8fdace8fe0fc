import { escapeMarkdown, inlineCode, plural, table } from '../conversation/markdown';
import { accountLabel, type AccountFact, type AccountsSelector, type FanOutResult } from './fanOut';

/** Markdown for cross-account answers (chat) and the words that ask for them. */

const ACCOUNT_ID_LIST = /^\d{12}(\s*,\s*\d{12})*$/;

/**
 * Finds an accounts selector in a chat prompt: `accounts: all`, `accounts 111122223333,444455556666`,
 * `accounts ou:ou-ab12-cd345678`, "across all accounts", "in every account". Linear in the text; the rest of
 * the prompt comes back without it.
 */
export function parseAccountsSelector(text: string): { selector?: AccountsSelector; rest: string; problem?: string } {
  const bounded = text.slice(0, 2_000);
  const explicit = /\baccounts?\s*[:=]?\s*(all|ou:[\w-]{1,80}|\d{12}(?:\s*,\s*\d{12}){0,499})(?=\s|$)/i.exec(bounded);
  if (explicit) {
    const value = explicit[1];
    const rest = `${bounded.slice(0, explicit.index)} ${bounded.slice(explicit.index + explicit[0].length)}`.trim();
    if (/^all$/i.test(value)) return { selector: 'all', rest };
    if (ACCOUNT_ID_LIST.test(value)) return { selector: value.split(/\s*,\s*/), rest };
    if (/^ou:(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32})$/.test(value))
      return { selector: value as AccountsSelector, rest };
    return { rest, problem: `"${value}" is not an OU or root ID (ou:ou-ab12-cd345678 or ou:r-ab12).` };
  }
  const phrase = /\b(across|in|over|from)\s+(all|every|each)\s+(?:of\s+(?:the|my)\s+|my\s+|the\s+)?accounts?\b/i.exec(
    bounded,
  );
  if (phrase)
    return {
      selector: 'all',
      rest: `${bounded.slice(0, phrase.index)} ${bounded.slice(phrase.index + phrase[0].length)}`.trim(),
    };
  return { rest: bounded };
}

/** The answer to a cross-account read: counts per account and region, the resources, and every failure. */
export function renderFanOut(
  result: FanOutResult & { problem?: string },
  facts: AccountFact[] | undefined,
  title: string,
  options: { maxRows?: number } = {},
): string {
  if (result.problem) return `Could not read across accounts: ${escapeMarkdown(result.problem, 400)}`;
  const accountsRead = new Set(result.rows.map((row) => row.accountId)).size;
  const total = facts ? facts.length : result.rows.reduce((sum, row) => sum + row.items.length, 0);
  const lines = [
    `**${escapeMarkdown(title, 80)} across ${plural(result.accounts.length, 'account')} × ${plural(result.regions.length, 'region')}** (${result.regions.map((region) => inlineCode(region, 30)).join(', ')}): ${total} found in ${plural(accountsRead, 'account')} read${result.failures.length ? `; **${plural(new Set(result.failures.map((failure) => failure.accountId)).size, 'account')} could not be read** (below)` : ''}.`,
  ];
  if (result.rows.length)
    lines.push(
      '',
      table(
        ['Account', 'Region', 'Count'],
        result.rows.map((row) => [
          accountLabel(row),
          row.region,
          `${row.items.length}${row.truncated ? '+ (page limit)' : ''}`,
        ]),
      ),
    );
  if (facts?.length) {
    const max = options.maxRows ?? 50;
    lines.push(
      '',
      ...facts
        .slice(0, max)
        .map(
          (fact) =>
            `- ${escapeMarkdown(fact.name, 60)} ${inlineCode(fact.id, 40)}${fact.state ? ` · ${escapeMarkdown(fact.state, 20)}` : ''}${fact.details.length ? ` · ${escapeMarkdown(fact.details.slice(0, 2).join(', '), 60)}` : ''} — account ${escapeMarkdown(accountLabel(fact), 80)}, ${escapeMarkdown(fact.region, 30)}, ${escapeMarkdown(fact.environment, 30)}`,
        ),
    );
    if (facts.length > max) lines.push(`- … and ${facts.length - max} more`);
  }
  if (result.failures.length)
    lines.push(
      '',
      '**Could not read:**',
      '',
      table(
        ['Account', 'Regions', 'Error'],
        result.failures.map((failure) => [
          accountLabel(failure),
          failure.regions.join(', '),
          `${failure.code}: ${failure.message}`,
        ]),
        300,
      ),
    );
  return lines.join('\n');
}
