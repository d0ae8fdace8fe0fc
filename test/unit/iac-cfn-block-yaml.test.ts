// The fast YAML reader (src/core/iac/cloudformation/blockYaml.ts) against the `yaml` package path: for any
// template, both give the same tree (every offset), value and problems; and the fast reader really reads the
// block-style templates it is meant for instead of passing them all to the package.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { readBlockYaml, resolvePlainScalar } from '../../src/core/iac/cloudformation/blockYaml';
import { SHORT_FORM_TAGS } from '../../src/core/iac/cloudformation/intrinsics';
import { parseTemplate, type CfnTemplate } from '../../src/core/iac/cloudformation/template';
import { benchTemplate } from '../bench/cfnBenchTemplate';

/** What a parse produced: tree, problems, value (Maps compared by content). */
function model(template: CfnTemplate): unknown {
  return { root: template.root, problems: template.problems, value: template.value, format: template.format };
}

function assertSameModel(text: string): void {
  assert.deepStrictEqual(model(parseTemplate(text, 'auto')), model(parseTemplate(text, 'yaml-package')), text);
}

// ---- A generator of block-style templates (the subset, and its edges) --------------------------------------

type Gen =
  { kind: 'scalar'; text: string } | { kind: 'map'; entries: Array<[string, Gen]> } | { kind: 'seq'; items: Gen[] };

const plainScalars = [
  'dev',
  'AWS::SQS::Queue',
  '10.0.0.0/16',
  'arn:aws:s3:::bucket/*',
  'http://example.com/a?b=c',
  'two words',
  'a#b',
  'x,y',
  'a]b',
  '-x',
  ':x',
  '?x',
  '1',
  '-2',
  '+3',
  '007',
  '0x1F',
  '0o17',
  '1.50',
  '.5',
  '1e3',
  '-1.5E-2',
  '.inf',
  '-.Inf',
  '.nan',
  'true',
  'False',
  'TRUE',
  'null',
  'Null',
  '~',
  'yes',
  'é ✓',
  '$ {x}',
];
const quotedScalars = [
  '""',
  "''",
  '"2010-09-09"',
  '"a: b # not a comment"',
  '"esc \\" \\\\ \\/ \\n \\t \\u00e9 \\x41"',
  "'it''s'",
  "'a: b'",
  '"${AWS::StackName}-x"',
  '"\\e"',
];
const taggedInline = [
  '!Ref Env',
  '!Ref "AWS::Region"',
  '!GetAtt Vpc.CidrBlock',
  '!GetAtt "Vpc.CidrBlock"',
  "!GetAtt 'A.B.C'",
  '!GetAtt NoDot',
  '!Sub "${AWS::StackName}-${Env}"',
  '!Sub arn:aws:s3:::${Bucket}/*',
  '!GetAZs ""',
  '!Base64 text',
  '!Select [0, !GetAZs ""]',
  '!Join ["-", [!Ref "AWS::StackName", queue, "1"]]',
  '!If [IsProd, m5.large, !Ref InstanceType]',
  '!Equals [!Ref Env, prod]',
  '!FindInMap [Sizes, !Ref Env, Type]',
  '!Cidr [!GetAtt Vpc.CidrBlock, 256, 8]',
  '!Nope x',
  '!Ref  Spaced',
  '!Ref 1',
  '!!str x',
];
const flowScalars = [
  '[]',
  '{}',
  '[a, b, c]',
  '[1, 2.5, true, null]',
  '[ spaced , items ]',
  '["q", \'s\', !Ref X]',
  '{ Key: Name, Value: x }',
  '{Ref: Vpc}',
  '{ "Fn::GetAtt": [A, B] }',
  '{ Fn::GetAtt: [A, B] }',
  '{a: [1, {b: c}]}',
  '[a, [b, [c]]]',
  '[arn:aws:s3:::x, y]',
  '[a, ]',
  '[a: b]',
  '{a: 1, a: 2}',
];
/** Block scalar headers; the renderer writes content lines below them. */
const blockScalars = ['|', '|-', '>', '>-', '|+', '|2', '| # note', '!Sub |', '!Base64 >-', '!Sub |-'];
const blockLines = [
  '#!/bin/bash',
  'echo ${AWS::Region} # not a comment',
  '  more indented',
  '',
  'key: value',
  '- item',
];
const scalarSources = [...plainScalars, ...quotedScalars, ...taggedInline, ...flowScalars, ...blockScalars];
const keys = ['Type', 'Properties', 'Value', 'Key', 'Name', 'Fn::If', 'Ref', 'a b', 'x', 'x', '1', 'true', '~', 'Env'];

const genNode: fc.Memo<Gen> = fc.memo((size) =>
  size <= 1
    ? fc.constantFrom(...scalarSources).map((text): Gen => ({ kind: 'scalar', text }))
    : fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...scalarSources).map((text): Gen => ({ kind: 'scalar', text })) },
        {
          weight: 2,
          arbitrary: fc
            .array(fc.tuple(fc.constantFrom(...keys), genNode(size - 1)), { minLength: 1, maxLength: 4 })
            .map((entries): Gen => ({ kind: 'map', entries })),
        },
        {
          weight: 1,
          arbitrary: fc
            .array(genNode(size - 1), { minLength: 1, maxLength: 3 })
            .map((items): Gen => ({ kind: 'seq', items })),
        },
      ),
);

/** Rendering choices, drawn per document: indentation, comments, blank lines, tags on block collections. */
interface Style {
  step: number;
  seqUnderKeySameIndent: boolean;
  comments: boolean;
  blankLines: boolean;
  emptyValues: boolean;
  taggedBlocks: boolean;
  trailingNewline: boolean;
}

const style: fc.Arbitrary<Style> = fc.record({
  step: fc.constantFrom(2, 2, 4, 1),
  seqUnderKeySameIndent: fc.boolean(),
  comments: fc.boolean(),
  blankLines: fc.boolean(),
  emptyValues: fc.boolean(),
  taggedBlocks: fc.boolean(),
  trailingNewline: fc.boolean(),
});

function render(root: Array<[string, Gen]>, s: Style, noise: number[]): string {
  const lines: string[] = [];
  let counter = 0;
  const pick = (): number => noise[counter++ % noise.length];
  const pad = (n: number): string => ' '.repeat(n);
  const comment = (): string => (s.comments && pick() % 4 === 0 ? `  # note: x${pick() % 2 ? ' !Ref' : ''}` : '');
  const extra = (indent: number): void => {
    if (s.blankLines && pick() % 6 === 0) lines.push('');
    if (s.comments && pick() % 6 === 0) lines.push(`${pad(pick() % 2 ? indent : indent + 3)}# a comment line`);
  };
  // Writes `prefix` (a key with `:`, or `-`) and the node after it; `indent` is the column of the prefix.
  const write = (prefix: string, node: Gen, indent: number, parent: 'map' | 'seq'): void => {
    if (node.kind === 'scalar') {
      if (s.emptyValues && pick() % 9 === 0) lines.push(`${pad(indent)}${prefix}${pick() % 2 ? ' ' : ''}${comment()}`);
      else if (blockScalars.includes(node.text)) {
        lines.push(`${pad(indent)}${prefix} ${node.text}`);
        const count = 1 + (pick() % 4);
        for (let index = 0; index < count; index++) {
          const line = blockLines[pick() % blockLines.length];
          lines.push(line ? `${pad(indent + s.step + (pick() % 3 === 0 ? 1 : 0))}${line}` : '');
        }
      } else lines.push(`${pad(indent)}${prefix} ${node.text}${comment()}`);
      return;
    }
    const tag =
      s.taggedBlocks && pick() % 4 === 0 ? ` ${['!If', '!Join', '!Sub', '!GetAtt', '!Nope'][pick() % 5]}` : '';
    const inner = node.kind === 'seq' && parent === 'map' && s.seqUnderKeySameIndent && !tag ? indent : indent + s.step;
    if (parent === 'seq' && node.kind === 'seq' && !tag && pick() % 2 === 0) {
      // Compact: `- - item` with the rest of the inner sequence aligned under its first `-`.
      node.items.forEach((item, index) => {
        if (index === 0) {
          const before = lines.length;
          write('-', item, indent + 2, 'seq');
          lines[before] = `${pad(indent)}-${lines[before].slice(indent + 1)}`;
        } else {
          extra(indent + 2);
          write('-', item, indent + 2, 'seq');
        }
      });
      return;
    }
    if (parent === 'seq' && node.kind === 'map' && !tag && pick() % 2 === 0) {
      // Compact: `- key: value` with the rest of the mapping aligned under the first key.
      node.entries.forEach(([key, value], index) => {
        if (index === 0) {
          const before = lines.length;
          write(`${key}:`, value, indent + 2, 'map');
          lines[before] = `${pad(indent)}-${lines[before].slice(indent + 1)}`;
        } else {
          extra(indent + 2);
          write(`${key}:`, value, indent + 2, 'map');
        }
      });
      return;
    }
    lines.push(`${pad(indent)}${prefix}${tag}${comment()}`);
    writeBody(node, inner);
  };
  const writeBody = (node: Gen, indent: number): void => {
    if (node.kind === 'map')
      for (const [key, value] of node.entries) {
        extra(indent);
        write(`${key}:`, value, indent, 'map');
      }
    else if (node.kind === 'seq')
      for (const item of node.items) {
        extra(indent);
        write('-', item, indent, 'seq');
      }
  };
  if (pick() % 5 === 0) lines.push('# leading comment', '');
  writeBody({ kind: 'map', entries: root }, 0);
  if (s.comments && pick() % 3 === 0) lines.push('# trailing comment');
  return lines.join('\n') + (s.trailingNewline ? '\n' : '');
}

const documents = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom(...keys), genNode(4)), { minLength: 1, maxLength: 5 }),
    style,
    fc.array(fc.nat(1000), { minLength: 8, maxLength: 32 }),
  )
  .map(([root, s, noise]) => render(root, s, noise));

describe('CloudFormation fast YAML reader', () => {
  it('reads the bench template and the block-style templates it is meant for itself', () => {
    const bench = benchTemplate(2000);
    assert.ok(readBlockYaml(bench), 'the 2,000-line bench template falls back to the yaml package');
    assertSameModel(bench);
    const userData =
      'A:\n  UserData:\n    Fn::Base64: !Sub |\n      #!/bin/bash\n\n      echo ${AWS::Region}\n        indented\n  B: >-\n    folded\n    text\n\n    para\nC: 1\n';
    assert.ok(readBlockYaml(userData));
    assertSameModel(userData);
    const everyTag = [...SHORT_FORM_TAGS.keys()].map((tag, index) => `T${index}: ${tag} x${index}\n`).join('');
    assert.ok(readBlockYaml(everyTag), 'a short-form tag sends the template to the yaml package');
    assertSameModel(everyTag);
    const joined = 'A: !Join\n  - ""\n  - - "arn:"\n    - !Ref AWS::Partition\n    - - x\n      - y\nB: 1\n';
    assert.ok(readBlockYaml(joined));
    assertSameModel(joined);
    const plain =
      'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags:\n      - Key: a\n        Value: !Ref B\n';
    assert.ok(readBlockYaml(plain));
    assertSameModel(plain);
  });

  it('passes what it does not take on to the yaml package (anchors, block scalars, multi-line values, tabs …)', () => {
    const outside = [
      'A: &a x\nB: *a\n',
      'A: |+\n  text\n',
      'A: >-\n  text\n    more\n',
      'A: |\n\n  text\n',
      'A: |\n  text',
      'A: one\n  two\n',
      'A: "one\n  two"\n',
      'A: [1,\n  2]\n',
      '? A\n: x\n',
      '"A": x\n',
      '---\nA: x\n',
      'A:\tx\n',
      'A: x\r\nB: y\r\n',
      'A: !Unknown x\n',
      'A: !Ref\n',
      'A:\n  B: x\nC:\n',
      'A: b: c\n',
      '  A: x\n',
      'A: x\n B: y\n',
    ];
    for (const text of outside) {
      assert.equal(readBlockYaml(text), undefined, text);
      assertSameModel(text);
    }
  });

  it('resolves plain scalars as the YAML 1.2 core schema does', () => {
    for (const source of plainScalars) {
      const parsed = parseTemplate(`A: ${source}\n`, 'yaml-package').value as { A: unknown };
      assert.deepStrictEqual(resolvePlainScalar(source), parsed.A, source);
    }
  });

  it('builds the same tree, offsets, value and problems as the yaml package (property)', () => {
    let read = 0;
    fc.assert(
      fc.property(documents, (text) => {
        if (readBlockYaml(text)) read++;
        assertSameModel(text);
      }),
      { numRuns: 800 },
    );
    // The generator stays mostly inside the subset: the comparison is not the package against itself.
    assert.ok(read > 150, `the fast reader read only ${read} of 800 generated templates`);
  });

  it('agrees with the yaml package on damaged templates too (property)', () => {
    const edit = fc.tuple(
      fc.nat(),
      fc.constantFrom(...' \n-:#!"\'[]{},&*|>?x\t'.split('')),
      fc.constantFrom('insert', 'replace', 'delete'),
    );
    fc.assert(
      fc.property(documents, fc.array(edit, { minLength: 1, maxLength: 3 }), (text, edits) => {
        let damaged = text;
        for (const [at, char, how] of edits) {
          const index = at % (damaged.length + 1);
          damaged =
            how === 'insert'
              ? damaged.slice(0, index) + char + damaged.slice(index)
              : how === 'replace'
                ? damaged.slice(0, index) + char + damaged.slice(index + 1)
                : damaged.slice(0, index) + damaged.slice(index + 1);
        }
        assertSameModel(damaged);
      }),
      { numRuns: 800 },
    );
  });
});
