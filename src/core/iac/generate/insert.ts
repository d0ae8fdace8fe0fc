/**
 * The part of a generated file to insert into an existing one at a column: for CloudFormation the entries under
 * `Resources:` (re-indented to the column), for Terraform the resource and import blocks. Lines end with a newline.
 */
export function snippetForInsertion(format: 'cloudformation' | 'terraform', generated: string, column: number): string {
  const lines = generated.replace(/\r\n/g, '\n').split('\n');
  const pad = ' '.repeat(Math.max(0, column));
  if (format === 'terraform') {
    const body = lines
      .filter((line) => !line.startsWith('#'))
      .join('\n')
      .trim();
    return `${body}\n\n`;
  }
  const start = lines.findIndex((line) => line === 'Resources:');
  if (start < 0) throw new Error('The generated template has no Resources section.');
  const entries = lines.slice(start + 1).filter((line) => line.trim() !== '');
  return `${entries.map((line) => `${pad}${line.replace(/^ {2}/, '')}`).join('\n')}\n`;
}
