/** CloudFormation's intrinsic functions, their YAML short forms, and the pseudo parameters. */

/** Short-form tag → the long-form key it stands for. */
export const SHORT_FORM_TAGS: ReadonlyMap<string, string> = new Map([
  ['!Ref', 'Ref'],
  ['!Condition', 'Condition'],
  ...[
    'GetAtt',
    'Sub',
    'Join',
    'If',
    'Select',
    'FindInMap',
    'Base64',
    'Cidr',
    'GetAZs',
    'ImportValue',
    'Split',
    'Equals',
    'And',
    'Or',
    'Not',
    'Transform',
    'Length',
    'ToJsonString',
    'ForEach',
  ].map((name): [string, string] => [`!${name}`, `Fn::${name}`]),
]);

/** The long-form keys of intrinsic functions (and `Ref`/`Condition`), for recognising `{ 'Fn::X': … }`. */
export const INTRINSIC_KEYS: ReadonlySet<string> = new Set(SHORT_FORM_TAGS.values());

export const PSEUDO_PARAMETERS: ReadonlySet<string> = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

/** The top-level sections of a template, in the order CloudFormation documents them. */
export const TEMPLATE_SECTIONS = [
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
] as const;

/** Sections whose keys are named definitions (logical IDs, parameter names, condition names …). */
export const DEFINITION_SECTIONS = ['Parameters', 'Mappings', 'Conditions', 'Resources', 'Outputs', 'Rules'] as const;
export type DefinitionSection = (typeof DEFINITION_SECTIONS)[number];

/** Attributes a resource entry may have beside Type and Properties. */
export const RESOURCE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'Metadata',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'UpdatePolicy',
  'CreationPolicy',
  'Version',
]);
