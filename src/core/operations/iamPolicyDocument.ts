import { z } from 'zod';

const stringOrList = z.union([z.string(), z.array(z.string())]);

const statementSchema = z.looseObject({
  Sid: z.string().optional(),
  Effect: z.enum(['Allow', 'Deny']),
  Action: stringOrList.optional(),
  NotAction: stringOrList.optional(),
  Resource: stringOrList.optional(),
  NotResource: stringOrList.optional(),
  Principal: z.union([z.literal('*'), z.record(z.string(), stringOrList)]).optional(),
  NotPrincipal: z.union([z.literal('*'), z.record(z.string(), stringOrList)]).optional(),
  Condition: z.record(z.string(), z.unknown()).optional(),
});

const documentObject = z.looseObject({
  Version: z.enum(['2012-10-17', '2008-10-17']).optional(),
  Statement: z.union([statementSchema, z.array(statementSchema).min(1)]),
});

export type PolicyDocument = z.output<typeof documentObject>;
export type PolicyStatement = z.output<typeof statementSchema>;

/** An IAM policy document, as an object or as JSON text. */
export const policyDocumentSchema = z
  .union([
    documentObject,
    z
      .string()
      .transform((text, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'The policy document is not valid JSON.' });
          return z.NEVER;
        }
      })
      .pipe(documentObject),
  ])
  .describe('IAM policy document: {"Version": "2012-10-17", "Statement": [...]} (object or JSON text).');

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export function statementsOf(document: PolicyDocument): PolicyStatement[] {
  return Array.isArray(document.Statement) ? document.Statement : [document.Statement];
}

/** Statement-by-statement warnings about permissions that are too broad. */
export function broadPermissionWarnings(document: PolicyDocument): string[] {
  const warnings: string[] = [];
  statementsOf(document).forEach((statement, index) => {
    if (statement.Effect !== 'Allow') return;
    const label = statement.Sid ? `Statement "${statement.Sid}"` : `Statement ${index + 1}`;
    const actions = list(statement.Action);
    const resources = list(statement.Resource);
    const anyResource = resources.includes('*');
    if (actions.some((action) => action === '*' || action === '*:*'))
      warnings.push(`${label} allows every action${anyResource ? ' on every resource (full administrator)' : ''}.`);
    else if (anyResource && actions.some((action) => /^[a-z0-9-]+:\*$/i.test(action)))
      warnings.push(
        `${label} allows every action of ${actions.filter((action) => action.endsWith(':*')).join(', ')} on every resource.`,
      );
    if (statement.NotAction !== undefined)
      warnings.push(`${label} uses Allow with NotAction: it grants everything except the listed actions.`);
    if (anyResource && actions.some((action) => /^iam:(PassRole|\*)$/i.test(action) || action === '*'))
      warnings.push(`${label} allows iam:PassRole on every role.`);
  });
  return warnings;
}

/** Warnings about who may assume a role. */
export function trustPolicyWarnings(document: PolicyDocument): string[] {
  const warnings: string[] = [];
  statementsOf(document).forEach((statement, index) => {
    if (statement.Effect !== 'Allow') return;
    const label = statement.Sid ? `Statement "${statement.Sid}"` : `Statement ${index + 1}`;
    const principal = statement.Principal;
    const wildcard =
      principal === '*' || (principal && Object.values(principal).some((value) => list(value).includes('*')));
    if (wildcard)
      warnings.push(
        `${label} lets any principal assume the role${statement.Condition ? ' (limited by its conditions)' : ', with no condition'}.`,
      );
  });
  return warnings;
}

/** IAM returns documents URL-encoded; this gives the parsed object (or the text when it is not JSON). */
export function decodePolicyDocument(encoded: string | undefined): unknown {
  if (!encoded) return undefined;
  let text = encoded;
  try {
    text = decodeURIComponent(encoded);
  } catch {
    // already plain
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A policy document's statements, or why it is not a policy document; never "no statements" for text that did not parse. */
export type ParsedPolicyStatements =
  { ok: true; statements: Array<Record<string, unknown>> } | { ok: false; reason: string };

const MAX_POLICY_DOCUMENT_CHARS = 200_000;

/**
 * Reads a policy document as IAM returns it (object, JSON text, or URL-encoded JSON text). Lenient about
 * fields (real documents use shapes the creation schema does not need), strict about structure: a document
 * that does not parse, has no Statement, or has a statement that is not an object is reported, so a check
 * over it can say it did not run instead of finding nothing.
 */
export function parsePolicyStatements(document: unknown): ParsedPolicyStatements {
  let doc = document;
  if (doc === undefined || doc === null) return { ok: false, reason: 'there is no policy document' };
  if (typeof doc === 'string') {
    if (doc.length > MAX_POLICY_DOCUMENT_CHARS)
      return { ok: false, reason: `the document is longer than ${MAX_POLICY_DOCUMENT_CHARS} characters` };
    let text = doc.trim();
    if (text.startsWith('%') || text.includes('%7B')) {
      try {
        text = decodeURIComponent(text);
      } catch {
        return { ok: false, reason: 'the document is not valid URL-encoded text' };
      }
    }
    try {
      doc = JSON.parse(text);
    } catch {
      return { ok: false, reason: 'the document is not valid JSON' };
    }
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    return { ok: false, reason: 'the document is not a JSON object' };
  const statement = (doc as Record<string, unknown>).Statement;
  if (statement === undefined || statement === null) return { ok: false, reason: 'the document has no Statement' };
  const statements = Array.isArray(statement) ? statement : [statement];
  const bad = statements.findIndex((item) => !item || typeof item !== 'object' || Array.isArray(item));
  if (bad >= 0) return { ok: false, reason: `statement ${bad + 1} is not an object` };
  return { ok: true, statements: statements as Array<Record<string, unknown>> };
}
