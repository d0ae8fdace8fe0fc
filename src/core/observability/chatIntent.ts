/**
 * Observability requests in plain words, without a model. Linear-time, bounded input:
 * - "alarm when CPU exceeds 80 % for 5 minutes on web-1"
 * - "ERROR logs from the API in the last hour"
 * - "dashboard for web-1 and web-2 CPU"
 * - "alarms" (the alarms by state)
 */

export const MAX_REQUEST_LENGTH = 500;

export type MetricKey = 'cpu' | 'network-in' | 'network-out' | 'status-check' | 'disk-read' | 'disk-write';

export const METRICS: Readonly<
  Record<MetricKey, { metricName: string; label: string; unit: string; statistic: 'Average' | 'Maximum' | 'Sum' }>
> = Object.freeze({
  cpu: { metricName: 'CPUUtilization', label: 'CPU', unit: '%', statistic: 'Average' },
  'network-in': { metricName: 'NetworkIn', label: 'network in', unit: 'bytes', statistic: 'Sum' },
  'network-out': { metricName: 'NetworkOut', label: 'network out', unit: 'bytes', statistic: 'Sum' },
  'status-check': {
    metricName: 'StatusCheckFailed',
    label: 'status check failed',
    unit: 'count',
    statistic: 'Maximum',
  },
  'disk-read': { metricName: 'DiskReadOps', label: 'disk read ops', unit: 'ops', statistic: 'Sum' },
  'disk-write': { metricName: 'DiskWriteOps', label: 'disk write ops', unit: 'ops', statistic: 'Sum' },
});

export type Comparison =
  'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';

export type ObservabilityRequest =
  | {
      kind: 'create-alarm';
      metric: MetricKey;
      comparison: Comparison;
      threshold: number;
      /** Seconds the condition must hold. */
      durationSeconds: number;
      /** The resource name or instance ID. */
      resource: string;
    }
  | { kind: 'logs-query'; level?: string; text?: string; source?: string; sinceMs: number }
  | { kind: 'dashboard'; resources: string[]; metrics: MetricKey[] }
  | { kind: 'alarms' };

const METRIC_WORDS: Array<[RegExp, MetricKey]> = [
  [/\bcpu\b|\bprocessor\b/, 'cpu'],
  [/\bnetwork[ -]?in\b|\binbound traffic\b/, 'network-in'],
  [/\bnetwork[ -]?out\b|\boutbound traffic\b/, 'network-out'],
  [/\bnetwork\b/, 'network-in'],
  [/\bstatus[ -]?checks?\b/, 'status-check'],
  [/\bdisk[ -]?reads?\b/, 'disk-read'],
  [/\bdisk[ -]?writes?\b/, 'disk-write'],
];

const UNITS: Record<string, number> = {
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
};

const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  five: 5,
  ten: 10,
  fifteen: 15,
  thirty: 30,
};

/** "5 minutes" / "an hour" / "15m" → seconds, or undefined. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,4}|a|an|one|two|three|five|ten|fifteen|thirty)\s*([a-z]+)$/.exec(text.trim().toLowerCase());
  if (!match) return undefined;
  const count = /^\d/.test(match[1]) ? Number(match[1]) : NUMBER_WORDS[match[1]];
  const unit = UNITS[match[2]];
  return count !== undefined && unit ? count * unit : undefined;
}

function metricIn(text: string): MetricKey | undefined {
  for (const [pattern, metric] of METRIC_WORDS) if (pattern.test(text)) return metric;
  return undefined;
}

function metricsIn(text: string): MetricKey[] {
  const found: MetricKey[] = [];
  for (const [pattern, metric] of METRIC_WORDS) if (pattern.test(text) && !found.includes(metric)) found.push(metric);
  // "network" alone names network in; when network in or out is named, drop the bare match.
  return found;
}

const ABOVE =
  /\b(exceeds?|exceeding|above|over|greater than|more than|higher than|goes above|>=?|is above|rises above)\s*/;
const BELOW = /\b(below|under|less than|lower than|drops below|falls below|<=?)\s*/;
const RESOURCE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,254}$/;

function parseAlarm(text: string): ObservabilityRequest | undefined {
  const metric = metricIn(text);
  if (!metric) return undefined;
  const comparisonMatch = new RegExp(
    `(?:${ABOVE.source}|${BELOW.source}|(>=|<=|>|<)\\s*)(\\d{1,12}(?:\\.\\d{1,6})?)\\s*(%|percent\\b)?`,
  ).exec(text);
  if (!comparisonMatch) return undefined;
  const operatorText = comparisonMatch[0];
  const threshold = Number(comparisonMatch[4]);
  const below = BELOW.test(operatorText) && !ABOVE.test(operatorText);
  const orEqual = /=/.test(operatorText) || /\bor equal\b/.test(text);
  const comparison: Comparison = below
    ? orEqual
      ? 'LessThanOrEqualToThreshold'
      : 'LessThanThreshold'
    : orEqual
      ? 'GreaterThanOrEqualToThreshold'
      : 'GreaterThanThreshold';
  const durationMatch =
    /\bfor\s+(?:more than\s+|over\s+|at least\s+)?(\d{1,4}|a|an|one|two|three|five|ten|fifteen|thirty)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)\b/.exec(
      text,
    );
  const durationSeconds = durationMatch ? parseDuration(`${durationMatch[1]} ${durationMatch[2]}`) : 300;
  if (durationSeconds === undefined) return undefined;
  const resourceMatch =
    /\b(?:on|for|of)\s+(?:instance\s+|server\s+|the\s+)?([A-Za-z0-9][A-Za-z0-9._:/-]{0,254})\s*$/.exec(text.trim());
  const resource = resourceMatch?.[1];
  if (!resource || !RESOURCE.test(resource) || /^\d+$/.test(resource) || UNITS[resource.toLowerCase()] !== undefined)
    return undefined;
  return { kind: 'create-alarm', metric, comparison, threshold, durationSeconds, resource };
}

const LEVELS = ['ERROR', 'WARN', 'WARNING', 'FATAL', 'CRITICAL', 'INFO', 'DEBUG', 'EXCEPTION', 'TIMEOUT'];

function parseLogs(text: string, original: string): ObservabilityRequest | undefined {
  if (!/\blogs?\b/.test(text)) return undefined;
  const upper = original.toUpperCase();
  const level = LEVELS.find((candidate) => new RegExp(`\\b${candidate}S?\\b`).test(upper));
  const quoted = /"([^"]{1,200})"/.exec(original)?.[1];
  const source =
    /\b(?:from|of|in)\s+(?:the\s+)?([A-Za-z0-9][A-Za-z0-9._/#-]{0,200}?)(?:\s+(?:service|app|application|api logs|group|log group))?(?=\s+(?:in|over|during|for|since|from)\b|\s*$)/.exec(
      text
        .replace(/\b(?:in|over|during|for)\s+the\s+(?:last|past)\s+.*$/, '')
        .replace(/\bsince\s+.*$/, '')
        .trim(),
    )?.[1];
  const since =
    /\b(?:last|past)\s+(?:(\d{1,4}|a|an|one|two|three|five|ten|fifteen|thirty)\s*)?(seconds?|minutes?|mins?|hours?|hrs?|h|m|days?|d)\b/.exec(
      text,
    );
  const sinceSeconds = since ? parseDuration(`${since[1] ?? '1'} ${since[2]}`) : 3600;
  if (sinceSeconds === undefined) return undefined;
  const cleanSource = source && !/^(the|last|past|logs?)$/i.test(source) ? source : undefined;
  return {
    kind: 'logs-query',
    level,
    text: quoted,
    source: cleanSource,
    sinceMs: Math.min(sinceSeconds, 30 * 86_400) * 1000,
  };
}

function parseDashboard(text: string): ObservabilityRequest | undefined {
  if (!/\bdashboard\b/.test(text)) return undefined;
  const metrics = metricsIn(text);
  const afterFor = /\b(?:for|of|with)\s+(.*)$/.exec(text)?.[1] ?? '';
  const names = afterFor
    .split(/\s*(?:,|\band\b|&|\+)\s*|\s+/)
    .map((word) => word.trim())
    .filter(
      (word) =>
        RESOURCE.test(word) &&
        !/^(cpu|network|in|out|status|checks?|disk|reads?|writes?|the|instances?|servers?|metrics?|a|an|dashboard|and|of|for|with)$/i.test(
          word,
        ),
    );
  const resources = [...new Set(names)].slice(0, 50);
  if (!resources.length) return undefined;
  return { kind: 'dashboard', resources, metrics: metrics.length ? metrics : ['cpu'] };
}

/** The request, or undefined when the text is none of the above. */
export function parseObservabilityRequest(input: string): ObservabilityRequest | undefined {
  const original = input.slice(0, MAX_REQUEST_LENGTH).trim();
  const text = original.toLowerCase().replace(/\s+/g, ' ');
  if (!text) return { kind: 'alarms' };
  if (/\balarm\b/.test(text) && /\bwhen\b|\bif\b|\bexceed|\babove\b|\bbelow\b|[<>]/.test(text)) return parseAlarm(text);
  if (/\bdashboard\b/.test(text)) return parseDashboard(text);
  if (/\blogs?\b/.test(text)) return parseLogs(text, original);
  if (/^(show |list )?(the |my )?alarms?( in alarm| firing| by state)?$/.test(text)) return { kind: 'alarms' };
  return undefined;
}
