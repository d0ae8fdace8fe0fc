/**
 * Cost requests in plain words, understood without a language model: "what did we spend last month",
 * "cost by tag team last month", "budgets", "create a budget of 500 for team-web alert 80% to a@b.com",
 * "right-sizing", "savings", "schedules", "stop dev instances at 6 PM, start at 8 AM on weekdays in
 * Europe/Berlin", "remove schedule stop-dev-1800". Linear-time regular expressions over at most 500
 * characters; anything else is undefined.
 */
export type CostPeriodName = 'this-month' | 'last-month';

export type CostRequest =
  | { kind: 'overview' }
  | {
      kind: 'grouped';
      period: CostPeriodName;
      grouping: { dimension: 'SERVICE' | 'LINKED_ACCOUNT' | 'REGION' } | { tagKey: string };
    }
  | { kind: 'budgets' }
  | { kind: 'create-budget'; name: string; limitUsd: number; alertThresholdPercent: number; email?: string }
  | { kind: 'rightsizing' }
  | { kind: 'savings' }
  | { kind: 'schedules' }
  | {
      kind: 'schedule-instances';
      tagKey: string;
      tagValue: string;
      timeZone: string;
      weekdaysOnly: boolean;
      /** One or two schedules: stop and/or start, each at an hour and minute. */
      actions: Array<{ action: 'stop' | 'start'; hour: number; minute: number }>;
    }
  | { kind: 'remove-schedule'; name: string }
  /** The region's fetched prices (source and date), or a refresh from the AWS Price List. */
  | { kind: 'prices'; region?: string; refresh: boolean };

const MAX_TEXT = 500;

/** "6 PM", "6pm", "18:00", "8:30 am" → hour and minute (24-hour), or undefined. */
export function parseClockTime(text: string): { hour: number; minute: number } | undefined {
  const match = /^(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$/i.exec(text.trim());
  if (!match) return undefined;
  let hour = Number(match[1]);
  const minute = match[2] ? Number(match[2]) : 0;
  const meridiem = match[3]?.toLowerCase().replace(/\./g, '');
  if (minute > 59) return undefined;
  if (meridiem) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
  } else if (hour > 23 || (!match[2] && hour < 0)) return undefined;
  return { hour, minute };
}

const TIME = String.raw`\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?`;

function period(lower: string): CostPeriodName {
  return /\blast\s+month\b|\bprevious\s+month\b/.test(lower) ? 'last-month' : 'this-month';
}

export function parseCostRequest(input: string): CostRequest | undefined {
  const text = input
    .trim()
    .slice(0, MAX_TEXT)
    .replace(/[’‘]/g, "'")
    .replace(/[?!.]+$/, '');
  const lower = text.toLowerCase();
  if (!text || /^(overview|summary|spend|spending|costs?|bill)$/.test(lower)) return { kind: 'overview' };

  const prices =
    /^(refresh|update|fetch|reload)?\s*(?:the\s+)?(?:aws\s+)?(?:prices?|price\s+list|price\s+table|pricing)(?:\s+(?:for|in|of))?(?:\s+([a-z]{2}(?:-[a-z]+){1,2}-\d))?$/.exec(
      lower,
    );
  if (prices) return { kind: 'prices', ...(prices[2] ? { region: prices[2] } : {}), refresh: Boolean(prices[1]) };

  const remove = /^(?:remove|delete)\s+(?:the\s+)?schedule\s+([0-9a-zA-Z_.-]{1,64})$/i.exec(text);
  if (remove) return { kind: 'remove-schedule', name: remove[1]! };

  const schedule = new RegExp(
    String.raw`^(?:please\s+)?(stop|start)\s+(?:the\s+|all\s+|our\s+)?(?:([\w.-]{1,64})\s+instances|instances\s+tagged\s+([\w.:/+=@-]{1,128})=([\w.:/+=@ -]{0,256}?))\s+at\s+(${TIME})(?:\s*(?:,|and)\s*(?:and\s+)?(stop|start)(?:\s+them)?\s+at\s+(${TIME}))?(.*)$`,
    'i',
  ).exec(text);
  if (schedule) {
    const first = parseClockTime(schedule[5]!);
    const second = schedule[7] ? parseClockTime(schedule[7]) : undefined;
    const rest = schedule[8] ?? '';
    if (first && (!schedule[6] || second)) {
      const zone = /\b(?:in|tz|timezone|time zone)\s+([A-Za-z]+(?:\/[A-Za-z_+-]+){0,2})\b/i.exec(rest)?.[1];
      const actions: Array<{ action: 'stop' | 'start'; hour: number; minute: number }> = [
        { action: schedule[1]!.toLowerCase() as 'stop' | 'start', ...first },
      ];
      if (schedule[6] && second) actions.push({ action: schedule[6].toLowerCase() as 'stop' | 'start', ...second });
      return {
        kind: 'schedule-instances',
        tagKey: schedule[2] ? 'Environment' : schedule[3]!,
        tagValue: schedule[2] ?? schedule[4]!.trim(),
        timeZone: zone && zone.toLowerCase() !== 'utc' ? zone : 'UTC',
        weekdaysOnly: /\b(weekdays?|mon(day)?\s*-\s*fri(day)?|working days|business days)\b/i.test(rest),
        actions,
      };
    }
  }

  const budget =
    /^(?:create|add|set\s+up|make)\s+(?:a\s+)?(?:monthly\s+)?budget\s+(?:of\s+)?\$?(\d{1,9}(?:\.\d{1,2})?)(?:\s*(?:usd|dollars))?(?:\s+(?:for|named|called)\s+([^\s:\\]{1,100}))?(.*)$/i.exec(
      text,
    );
  if (budget) {
    const rest = budget[3] ?? '';
    const threshold = /\b(\d{1,3})\s*%/.exec(rest);
    const email = /\b([^\s@]{1,64}@[^\s@]{1,190}\.[a-z]{2,24})\b/i.exec(rest);
    return {
      kind: 'create-budget',
      name: budget[2] ?? 'monthly-cost',
      limitUsd: Number(budget[1]),
      alertThresholdPercent: threshold ? Math.min(1000, Math.max(1, Number(threshold[1]))) : 80,
      ...(email ? { email: email[1] } : {}),
    };
  }
  if (/\bschedules?\b/.test(lower)) return { kind: 'schedules' };
  if (/\bbudgets?\b/.test(lower)) return { kind: 'budgets' };
  if (/\bright[- ]?siz|\bdownsiz|\bover[- ]?provision|\bidle\s+instances\b|\bunderused\b/.test(lower))
    return { kind: 'rightsizing' };
  if (/\bsavings?\s+plans?\b|\breserved\b|\breservations?\b|\b(ri|ris)\b|\bsavings\b|\bsave\b/.test(lower))
    return { kind: 'savings' };

  const tag = /\bby\s+tag\s+([\w.:/+=@-]{1,128})/i.exec(text);
  if (tag) return { kind: 'grouped', period: period(lower), grouping: { tagKey: tag[1]! } };
  if (/\bby\s+(linked\s+)?accounts?\b|\bper\s+account\b/.test(lower))
    return { kind: 'grouped', period: period(lower), grouping: { dimension: 'LINKED_ACCOUNT' } };
  if (/\bby\s+regions?\b|\bper\s+region\b/.test(lower))
    return { kind: 'grouped', period: period(lower), grouping: { dimension: 'REGION' } };
  if (/\bby\s+services?\b|\bper\s+service\b|\btop\s+services?\b/.test(lower))
    return { kind: 'grouped', period: period(lower), grouping: { dimension: 'SERVICE' } };
  if (/\b(spend|spent|cost|costs|bill|pay|paid)\b/.test(lower))
    return /\blast\s+month\b|\bprevious\s+month\b/.test(lower)
      ? { kind: 'grouped', period: 'last-month', grouping: { dimension: 'SERVICE' } }
      : { kind: 'overview' };
  return undefined;
}

/** Is a free-text prompt (without /cost) clearly about cost? Used to route plain @aws questions. */
export function isCostQuestion(input: string): boolean {
  const lower = input.toLowerCase().slice(0, MAX_TEXT);
  return (
    /\b(what|how much)\b.*\b(spend|spent|cost|pay|paid|bill)\b/.test(lower) ||
    /^(stop|start)\s+\S+\s+instances\s+at\b/.test(lower) ||
    /\bbudgets?\b|\bright[- ]?siz|\bsavings\s+plans?\b/.test(lower)
  );
}

export const COST_HELP = [
  'Try `/cost` with:',
  '- nothing, or "what did we spend last month": this month, last month, forecast and top services',
  '- "by tag team last month", "by account", "by region"',
  '- "budgets", or "create a budget of 500 for team-web alert 80% to oncall@example.com"',
  '- "right-sizing" (14 days of CPU and network) or "savings" (Savings Plans / RIs)',
  '- "prices" (the region\'s prices, with their source and date) or "refresh prices eu-west-1" (from the AWS Price List)',
  '- "schedules", "stop dev instances at 6 PM, start at 8 AM on weekdays in Europe/Berlin", "remove schedule <name>"',
].join('\n');
