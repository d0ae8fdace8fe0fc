/**
 * ECS task definitions as plain data: what a new revision may carry, an image swap, a field-by-field diff of
 * two revisions, and the names used in previews. No SDK, no vscode: the operations and the editor share it.
 */

/** The parts of a task definition this module reads (the SDK's TaskDefinition, as a read returns it). */
export interface TaskDefinitionLike {
  taskDefinitionArn?: string;
  family?: string;
  revision?: number;
  containerDefinitions?: ContainerDefinitionLike[];
}

export interface ContainerDefinitionLike {
  name?: string;
  image?: string;
  logConfiguration?: { logDriver?: string; options?: Record<string, string> };
}

/** Fields AWS sets on a registered revision; RegisterTaskDefinition does not take them. */
const READ_ONLY_FIELDS = new Set([
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
]);

/** The input of RegisterTaskDefinition that registers the same definition again (tags apart). */
export function registerableTaskDefinition(definition: TaskDefinitionLike): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(definition as Record<string, unknown>).filter(
      ([key, value]) => !READ_ONLY_FIELDS.has(key) && value !== undefined,
    ),
  );
}

/** "web:3" from an ARN or a family:revision. */
export function revisionName(arnOrName: string | undefined): string {
  if (!arnOrName) return 'unknown';
  const tail = arnOrName.includes('task-definition/') ? arnOrName.split('task-definition/')[1] : arnOrName;
  return tail;
}

/** The repository part of an image reference: "123.dkr.ecr.us-east-1.amazonaws.com/my-api:1.2" → "my-api". */
export function imageRepository(image: string): string {
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const nameAndTag = withoutDigest.slice(lastSlash + 1);
  const colon = nameAndTag.indexOf(':');
  return colon >= 0 ? nameAndTag.slice(0, colon) : nameAndTag;
}

/** The registry prefix of an image ("123.dkr.ecr…amazonaws.com/"), or "" for a Docker Hub short name. */
export function imageRegistry(image: string): string {
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  return lastSlash >= 0 ? withoutDigest.slice(0, lastSlash + 1) : '';
}

/**
 * The image to deploy for a short reference: "my-api:latest" keeps the registry of the container's current
 * image when the repository is the same ("…/my-api:1.0" → "…/my-api:latest"); a full reference stays as given.
 */
export function resolveImageReference(requested: string, currentImage: string | undefined): string {
  if (requested.includes('/') || !currentImage) return requested;
  return imageRepository(currentImage) === imageRepository(requested)
    ? `${imageRegistry(currentImage)}${requested}`
    : requested;
}

/**
 * Picks the container whose image changes: the named one, else the only one, else the one whose image is of
 * the same repository. Throws with the names to choose from when it cannot tell.
 */
export function containerForImage(
  definition: TaskDefinitionLike,
  image: string,
  containerName?: string,
): ContainerDefinitionLike {
  const containers = definition.containerDefinitions ?? [];
  const names = containers.map((container) => container.name ?? '?').join(', ');
  if (containerName) {
    const named = containers.find((container) => container.name === containerName);
    if (!named)
      throw new Error(
        `${revisionName(definition.taskDefinitionArn)} has no container "${containerName}" (it has ${names || 'none'}).`,
      );
    return named;
  }
  if (containers.length === 1) return containers[0];
  const sameRepository = containers.filter(
    (container) => container.image && imageRepository(container.image) === imageRepository(image),
  );
  if (sameRepository.length === 1) return sameRepository[0];
  throw new Error(
    `${revisionName(definition.taskDefinitionArn)} has ${containers.length} containers (${names}): say which one gets the image (containerName).`,
  );
}

/** A copy of the definition, ready to register, that differs only in one container's image. */
export function withImage(
  definition: TaskDefinitionLike,
  containerName: string,
  image: string,
): Record<string, unknown> {
  const input = registerableTaskDefinition(definition);
  input.containerDefinitions = (definition.containerDefinitions ?? []).map((container) =>
    container.name === containerName ? { ...container, image } : container,
  );
  return input;
}

/** One changed value between two revisions: its path and both values as JSON text (undefined: absent). */
export interface DefinitionChange {
  path: string;
  before?: string;
  after?: string;
}

const MAX_CHANGES = 200;
const MAX_VALUE_TEXT = 300;

function short(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  return text.length > MAX_VALUE_TEXT ? `${text.slice(0, MAX_VALUE_TEXT)}…` : text;
}

/** A list of objects with names (containers, volumes, environment variables) is compared by name. */
function namedItems(value: unknown): Map<string, unknown> | undefined {
  if (!Array.isArray(value) || !value.length) return undefined;
  if (!value.every((item) => item && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string'))
    return undefined;
  const map = new Map<string, unknown>();
  for (const item of value) map.set((item as { name: string }).name, item);
  return map.size === value.length ? map : undefined;
}

function collect(path: string, before: unknown, after: unknown, out: DefinitionChange[], depth: number): void {
  if (out.length >= MAX_CHANGES) return;
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  const isObject = (value: unknown) => value !== null && typeof value === 'object' && !Array.isArray(value);
  if (depth < 8 && isObject(before) && isObject(after)) {
    const a = before as Record<string, unknown>;
    const b = after as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
      collect(path ? `${path}.${key}` : key, a[key], b[key], out, depth + 1);
    return;
  }
  const namedBefore = namedItems(before);
  const namedAfter = namedItems(after);
  if (depth < 8 && (namedBefore || !before) && (namedAfter || !after) && (namedBefore || namedAfter)) {
    const a = namedBefore ?? new Map<string, unknown>();
    const b = namedAfter ?? new Map<string, unknown>();
    for (const name of [...new Set([...a.keys(), ...b.keys()])])
      collect(`${path}[${name}]`, a.get(name), b.get(name), out, depth + 1);
    return;
  }
  out.push({ path, before: short(before), after: short(after) });
}

/** What changes from revision `from` to revision `to`, ignoring what AWS sets on every revision (ARN, revision, dates). */
export function diffTaskDefinitions(from: TaskDefinitionLike, to: TaskDefinitionLike): DefinitionChange[] {
  const out: DefinitionChange[] = [];
  collect('', registerableTaskDefinition(from), registerableTaskDefinition(to), out, 0);
  return out;
}

/** Preview lines for a diff: "containerDefinitions[web].image: "nginx:1" → "nginx:2"". */
export function describeChanges(changes: DefinitionChange[]): string[] {
  if (!changes.length) return ['The two revisions define the same tasks (only the revision number differs).'];
  const lines = changes.map(
    (change) => `${change.path}: ${change.before ?? '(absent)'} → ${change.after ?? '(absent)'}`,
  );
  return changes.length >= MAX_CHANGES ? [...lines, `… and possibly more (first ${MAX_CHANGES} shown)`] : lines;
}

/** A revision as stable, sorted JSON text for the diff editor (ARN, revision and dates left out). */
export function taskDefinitionText(definition: TaskDefinitionLike): string {
  const sort = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sort);
    if (value && typeof value === 'object')
      return Object.fromEntries(
        Object.keys(value as Record<string, unknown>)
          .sort()
          .map((key) => [key, sort((value as Record<string, unknown>)[key])]),
      );
    return value;
  };
  return `${JSON.stringify(sort(registerableTaskDefinition(definition)), null, 2)}\n`;
}

/** Where a container's awslogs driver writes: group, region and stream for one task. */
export interface AwsLogsTarget {
  containerName: string;
  logGroupName: string;
  region?: string;
  /** Undefined when the definition sets no awslogs-stream-prefix (then AWS names streams by task only for Fargate). */
  logStreamName?: string;
}

/**
 * The awslogs destinations of a task's containers: stream `<prefix>/<container>/<task ID>`, as AWS names them.
 * Containers with another log driver are returned in `unsupported`.
 */
export function awsLogsTargets(
  definition: TaskDefinitionLike,
  taskId: string,
): { targets: AwsLogsTarget[]; unsupported: Array<{ containerName: string; logDriver: string }> } {
  const targets: AwsLogsTarget[] = [];
  const unsupported: Array<{ containerName: string; logDriver: string }> = [];
  for (const container of definition.containerDefinitions ?? []) {
    const name = container.name ?? '?';
    const config = container.logConfiguration;
    if (!config || config.logDriver !== 'awslogs' || !config.options?.['awslogs-group']) {
      unsupported.push({ containerName: name, logDriver: config?.logDriver ?? 'none' });
      continue;
    }
    const prefix = config.options['awslogs-stream-prefix'];
    targets.push({
      containerName: name,
      logGroupName: config.options['awslogs-group'],
      region: config.options['awslogs-region'],
      logStreamName: prefix ? `${prefix}/${name}/${taskId}` : undefined,
    });
  }
  return { targets, unsupported };
}

/** The task ID at the end of a task ARN. */
export function taskIdOf(taskArn: string): string {
  return taskArn.split('/').pop() ?? taskArn;
}
