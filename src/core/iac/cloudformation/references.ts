/**
 * The reference index of a template: every place that names a parameter, resource, condition or mapping
 * (Ref, Fn::GetAtt, DependsOn, `${}` in Fn::Sub, Condition, Fn::If, Fn::FindInMap), with the range of the name.
 * One walk over the tree; a Sub string is matched to its text with a forward-only search.
 */
import type { TemplateMap, TemplateNode, TemplateScalar } from './nodes';

export type ReferenceKind = 'Ref' | 'GetAtt' | 'DependsOn' | 'Sub' | 'Condition' | 'FindInMap';

export interface TemplateReference {
  kind: ReferenceKind;
  /** The name referred to (a logical ID, parameter, pseudo parameter, condition or mapping name). */
  target: string;
  /** GetAtt's attribute (also `${Res.Attr}` in Sub), when written. */
  attribute?: string;
  /** Offsets of the name in the text (quotes excluded when the name is located exactly). */
  start: number;
  end: number;
  /** Path of the value that holds the reference (the intrinsic mapping, or the DependsOn/Condition value). */
  path: Array<string | number>;
}

/** The name's offsets inside a scalar: without surrounding quotes when the text has them. */
function nameSpan(node: TemplateScalar, text: string): { start: number; end: number } {
  const first = text[node.start];
  if (node.end - node.start >= 2 && (first === '"' || first === "'") && text[node.end - 1] === first)
    return { start: node.start + 1, end: node.end - 1 };
  return { start: node.start, end: node.end };
}

const stringScalar = (node: TemplateNode | undefined): node is TemplateScalar & { value: string } =>
  node?.kind === 'scalar' && typeof node.value === 'string';

/** `${Name}` / `${Res.Attr}` placeholders in a Sub string (`${!Literal}` is an escape, not a reference). */
const SUB_PLACEHOLDER = /\$\{([^}]*)\}/g;

export function collectReferences(root: TemplateNode, text: string): TemplateReference[] {
  const found: TemplateReference[] = [];
  const add = (kind: ReferenceKind, node: TemplateScalar & { value: string }, path: Array<string | number>): void => {
    found.push({ kind, target: node.value, ...nameSpan(node, text), path: [...path] });
  };

  const subReferences = (
    node: TemplateScalar & { value: string },
    locals: Set<string>,
    path: Array<string | number>,
  ) => {
    const source = text.slice(node.start, node.end);
    let cursor = 0;
    for (const match of node.value.matchAll(SUB_PLACEHOLDER)) {
      const inner = match[1];
      if (inner.startsWith('!')) continue;
      const name = inner.trim();
      const dot = name.includes('::') ? -1 : name.indexOf('.');
      const target = dot > 0 ? name.slice(0, dot) : name;
      if (!target || locals.has(name) || locals.has(target)) continue;
      const at = source.indexOf(match[0], cursor);
      let start = node.start;
      let end = node.end;
      if (at !== -1) {
        cursor = at + match[0].length;
        start = node.start + at + 2 + inner.indexOf(target);
        end = start + target.length;
      }
      found.push({
        kind: 'Sub',
        target,
        ...(dot > 0 ? { attribute: name.slice(dot + 1) } : {}),
        start,
        end,
        path: [...path],
      });
    }
  };

  const intrinsic = (node: TemplateMap, path: Array<string | number>): void => {
    if (node.entries.length !== 1) return;
    const [{ key, value }] = node.entries;
    const args = value.kind === 'seq' ? value.items : undefined;
    switch (key) {
      case 'Ref':
        if (stringScalar(value)) add('Ref', value, path);
        break;
      case 'Condition':
        if (stringScalar(value)) add('Condition', value, path);
        break;
      case 'Fn::If':
        if (stringScalar(args?.[0])) add('Condition', args[0] as TemplateScalar & { value: string }, path);
        break;
      case 'Fn::FindInMap':
        if (stringScalar(args?.[0])) add('FindInMap', args[0] as TemplateScalar & { value: string }, path);
        break;
      case 'Fn::GetAtt': {
        const first = args?.[0];
        if (stringScalar(first)) {
          const attribute = args?.[1];
          found.push({
            kind: 'GetAtt',
            target: first.value,
            ...(stringScalar(attribute) ? { attribute: attribute.value } : {}),
            ...nameSpan(first, text),
            path: [...path],
          });
        } else if (stringScalar(value)) {
          // The long form with a string, `Fn::GetAtt: Res.Attr`.
          const dot = value.value.indexOf('.');
          if (dot <= 0) break;
          const span = nameSpan(value, text);
          const exact = text.slice(span.start, span.end) === value.value;
          found.push({
            kind: 'GetAtt',
            target: value.value.slice(0, dot),
            attribute: value.value.slice(dot + 1),
            start: span.start,
            end: exact ? span.start + dot : span.end,
            path: [...path],
          });
        }
        break;
      }
      case 'Fn::Sub': {
        if (stringScalar(value)) subReferences(value, new Set(), path);
        else if (args && stringScalar(args[0])) {
          const variables = args[1]?.kind === 'map' ? new Set(args[1].byKey.keys()) : new Set<string>();
          subReferences(args[0] as TemplateScalar & { value: string }, variables, path);
        }
        break;
      }
    }
  };

  const walk = (node: TemplateNode, path: Array<string | number>): void => {
    if (node.kind === 'map') {
      const inResourceOrOutput = path.length === 2 && (path[0] === 'Resources' || path[0] === 'Outputs');
      if (inResourceOrOutput) {
        const condition = node.byKey.get('Condition')?.value;
        if (stringScalar(condition)) add('Condition', condition, [...path, 'Condition']);
        const dependsOn = path[0] === 'Resources' ? node.byKey.get('DependsOn')?.value : undefined;
        if (stringScalar(dependsOn)) add('DependsOn', dependsOn, [...path, 'DependsOn']);
        else if (dependsOn?.kind === 'seq')
          dependsOn.items.forEach((item, index) => {
            if (stringScalar(item)) add('DependsOn', item, [...path, 'DependsOn', index]);
          });
      } else intrinsic(node, path);
      for (const entry of node.entries) {
        // DependsOn and a resource's Condition are read above; everything else may hold intrinsics.
        if (inResourceOrOutput && (entry.key === 'DependsOn' || entry.key === 'Condition')) continue;
        path.push(entry.key);
        walk(entry.value, path);
        path.pop();
      }
    } else if (node.kind === 'seq') {
      node.items.forEach((item, index) => {
        path.push(index);
        walk(item, path);
        path.pop();
      });
    }
  };
  walk(root, []);
  return found.sort((a, b) => a.start - b.start);
}
