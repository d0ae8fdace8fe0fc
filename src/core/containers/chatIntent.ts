/**
 * Container requests in plain words, understood without a language model: "Scale the web service to 5
 * tasks", "Deploy my-api:latest to the production cluster", "Rollback the API service to the previous
 * version", "Show me logs from the payment-service containers", "scale node group general to 4".
 * Linear-time regular expressions over at most 500 characters; anything else is undefined.
 */

export type ContainerRequest =
  | { kind: 'scale-service'; service: string; desiredCount: number; cluster?: string }
  | { kind: 'scale-nodegroup'; nodegroup: string; desiredSize: number; cluster?: string }
  | { kind: 'deploy'; image: string; service?: string; cluster?: string }
  | { kind: 'rollback'; service: string; cluster?: string; revision?: number }
  | { kind: 'logs'; service: string; cluster?: string }
  | { kind: 'overview'; cluster?: string };

const MAX_TEXT = 500;
const NAME = '[A-Za-z0-9][\\w.-]{0,254}';
const FILLER = new Set([
  'the',
  'a',
  'an',
  'my',
  'our',
  'this',
  'that',
  'service',
  'services',
  'cluster',
  'ecs',
  'app',
  'application',
]);

/** "in the staging cluster", "on production", "in cluster staging". */
function clusterIn(text: string): string | undefined {
  const named = new RegExp(`\\b(?:in|on|of)\\s+(?:the\\s+)?(?:cluster\\s+(${NAME})|(${NAME})\\s+cluster)\\b`, 'i').exec(
    text,
  );
  if (named) return named[1] ?? named[2];
  const bare = new RegExp(`\\b(?:in|on)\\s+(?:the\\s+)?(${NAME})\\s*$`, 'i').exec(text);
  return bare && !FILLER.has(bare[1].toLowerCase()) ? bare[1] : undefined;
}

/** The first word after `start` that is not a filler word ("the web service" → "web"). */
function nameAfter(words: string[]): string | undefined {
  return words.find((word) => !FILLER.has(word.toLowerCase()) && new RegExp(`^${NAME}$`).test(word));
}

export function parseContainerRequest(input: string): ContainerRequest | undefined {
  const text = input
    .trim()
    .slice(0, MAX_TEXT)
    .replace(/[’‘]/g, "'")
    .replace(/[?!.]+$/, '');
  if (!text) return undefined;
  const lower = text.toLowerCase();

  const scale =
    /^(?:please\s+)?scale\s+(?:up\s+|down\s+|out\s+|in\s+)?(.+?)\s+(?:to|=)\s+(\d{1,5})\b(?:\s+(?:tasks?|replicas?|nodes?|instances?|containers?))?(.*)$/i.exec(
      text,
    );
  if (scale) {
    const [, subject, count, rest] = scale;
    const cluster = clusterIn(` ${subject} ${rest}`);
    const subjectWords = subject
      .replace(/\b(?:in|on|of)\s+(?:the\s+)?(?:cluster\s+\S+|\S+\s+cluster|\S+)\s*$/i, '')
      .split(/\s+/);
    if (
      /\bnode\s*groups?\b|\bnodegroups?\b/i.test(subject) ||
      (/^\s*nodes?\b/i.test(rest.trim()) && !/service/i.test(subject))
    ) {
      const nodegroup = nameAfter(
        subjectWords.filter((word) => !/^(node|nodes|group|groups|nodegroup|nodegroups)$/i.test(word)),
      );
      if (nodegroup)
        return { kind: 'scale-nodegroup', nodegroup, desiredSize: Number(count), ...(cluster ? { cluster } : {}) };
    }
    const service = nameAfter(subjectWords);
    if (service)
      return { kind: 'scale-service', service, desiredCount: Number(count), ...(cluster ? { cluster } : {}) };
  }

  const deploy = new RegExp(
    `^(?:please\\s+)?(?:deploy|roll\\s*out|ship|release)\\s+(?:image\\s+)?([A-Za-z0-9][\\w./-]*(?::[\\w.-]+|@sha256:[0-9a-f]{64}))(.*)$`,
    'i',
  ).exec(text);
  if (deploy) {
    const [, image, rest] = deploy;
    const toService = new RegExp(
      `\\bto\\s+(?:the\\s+)?(${NAME})\\s+service\\b|\\bto\\s+service\\s+(${NAME})`,
      'i',
    ).exec(rest);
    const toCluster = new RegExp(
      `\\bto\\s+(?:the\\s+)?(${NAME})\\s+cluster\\b|\\bto\\s+cluster\\s+(${NAME})`,
      'i',
    ).exec(rest);
    const bareTo = new RegExp(`\\bto\\s+(?:the\\s+)?(${NAME})\\s*$`, 'i').exec(rest);
    const service = toService?.[1] ?? toService?.[2];
    const cluster = toCluster?.[1] ?? toCluster?.[2] ?? clusterIn(rest) ?? (!service && bareTo ? bareTo[1] : undefined);
    return { kind: 'deploy', image, ...(service ? { service } : {}), ...(cluster ? { cluster } : {}) };
  }

  const rollback = /^(?:please\s+)?(?:roll\s*back|rollback|revert)\s+(.+)$/i.exec(text);
  if (rollback) {
    const subject = rollback[1];
    const [head] = subject.split(/\s+to\s+/i);
    const revision = /\brevision\s+(\d{1,6})\b|:(\d{1,6})\b/i.exec(subject);
    const cluster = clusterIn(` ${head}`);
    const service = nameAfter(
      head.replace(/\b(?:in|on|of)\s+(?:the\s+)?(?:cluster\s+\S+|\S+\s+cluster|\S+)\s*$/i, '').split(/\s+/),
    );
    if (service)
      return {
        kind: 'rollback',
        service,
        ...(cluster ? { cluster } : {}),
        ...(revision ? { revision: Number(revision[1] ?? revision[2]) } : {}),
      };
  }

  if (/\blogs?\b/.test(lower)) {
    const from = new RegExp(
      `\\b(?:from|of|for)\\s+(?:the\\s+)?(${NAME})(?:\\s+(?:service|containers?|tasks?|app))?(.*)$`,
      'i',
    ).exec(text);
    if (from && !FILLER.has(from[1].toLowerCase())) {
      const cluster = clusterIn(from[2] ?? '');
      return { kind: 'logs', service: from[1], ...(cluster ? { cluster } : {}) };
    }
  }

  if (
    /^(?:list|show|what)\b.*\b(ecs\s+)?(services|containers|clusters)\b/i.test(text) &&
    /\b(ecs|containers?|services)\b/i.test(text) &&
    !/\bsecurity\b/i.test(text)
  ) {
    const cluster = clusterIn(text);
    return { kind: 'overview', ...(cluster ? { cluster } : {}) };
  }
  return undefined;
}
