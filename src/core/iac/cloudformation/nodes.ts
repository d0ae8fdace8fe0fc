/** The nodes of a parsed template: values with their offsets in the text. */
export interface NodeBase {
  /** Offsets of the value in the text (end exclusive), the short-form tag included. */
  start: number;
  end: number;
}

export interface TemplateScalar extends NodeBase {
  kind: 'scalar';
  value: string | number | boolean | null;
}

export interface TemplateEntry {
  key: string;
  keyStart: number;
  keyEnd: number;
  value: TemplateNode;
}

export interface TemplateMap extends NodeBase {
  kind: 'map';
  entries: TemplateEntry[];
  /** The first entry of each key (a repeated key is a problem, and ignored). */
  byKey: Map<string, TemplateEntry>;
  /** Set when the text holds the YAML short form (e.g. `!Ref`) of this one-entry intrinsic mapping. */
  shortForm?: string;
}

export interface TemplateSeq extends NodeBase {
  kind: 'seq';
  items: TemplateNode[];
}

export type TemplateNode = TemplateScalar | TemplateMap | TemplateSeq;
