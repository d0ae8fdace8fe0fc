/** A position in a file: 1-based line, 1-based column (UTF-16 code units, as editors count). */
export interface SourcePosition {
  line: number;
  column: number;
}

/** A span of a file; `end` is exclusive. `offset`/`endOffset` are UTF-16 offsets into the text. */
export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
  offset: number;
  endOffset: number;
}

export type TfBlockKind =
  | 'resource'
  | 'data'
  | 'module'
  | 'variable'
  | 'output'
  | 'locals'
  | 'provider'
  | 'import'
  | 'terraform'
  | 'moved'
  | 'removed'
  | 'check'
  | 'other';

/** A value as far as it is known without evaluation. */
export type TfValue =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'reference'; reference: TfReference }
  | { kind: 'template'; parts: Array<string | TfReference> }
  | { kind: 'object'; entries: Array<{ key: string; value: TfValue; range: SourceRange }> }
  | { kind: 'tuple'; items: TfValue[] }
  /** Anything computed (function calls, operators, conditionals, for expressions): never evaluated here. */
  | { kind: 'expression'; text: string };

/** `count` and `each` (`count.index`, `each.key`, `each.value`) appear only in values, never in `references`. */
export type TfReferenceKind = 'resource' | 'data' | 'var' | 'local' | 'module' | 'count' | 'each';

/** `aws_instance.web.id`, `var.x`, `local.y`, `module.z.out`, `data.aws_ami.a.id`. */
export interface TfReference {
  kind: TfReferenceKind;
  /** The referenced object's address: `aws_instance.web`, `var.x`, `local.y`, `module.z`, `data.aws_ami.a`. */
  target: string;
  /** Attribute names after the address (indexes and splats skipped): `['id']`. */
  path: string[];
  /** The whole traversal as written, e.g. `aws_instance.web[0].id`. */
  text: string;
  range: SourceRange;
  /** The range of the address part only (`aws_instance.web`). */
  targetRange: SourceRange;
}

export interface TfAttribute {
  name: string;
  value: TfValue;
  range: SourceRange;
  nameRange: SourceRange;
  valueRange: SourceRange;
  /** Every reference inside the value. */
  references: TfReference[];
}

export interface TfBody {
  attributes: TfAttribute[];
  blocks: TfBlock[];
}

export interface TfBlock extends TfBody {
  /** The block keyword as written: `resource`, `lifecycle`, `ingress`… */
  keyword: string;
  kind: TfBlockKind;
  labels: Array<{ value: string; range: SourceRange }>;
  /** For top-level named blocks: `aws_instance.web`, `data.aws_ami.a`, `var.x`, `module.z`, `output.o`, `provider.aws`. */
  address?: string;
  range: SourceRange;
  /** The keyword's range. */
  keywordRange: SourceRange;
}

export interface TfProblem {
  message: string;
  range: SourceRange;
}

export interface TfDocument extends TfBody {
  /** Every reference in the file, in source order. */
  references: TfReference[];
  /** Syntax problems (at most MAX_PROBLEMS). */
  problems: TfProblem[];
}
