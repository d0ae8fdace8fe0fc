// The plan the plan-editor benchmark opens: 200 waves in 20 dependency layers of 10 (no vscode import, so
// the same text can be profiled in plain Node).
export const WAVES = 200;
export const PER_LAYER = 10;

export function benchPlanText(waves = WAVES): string {
  const lines = [
    '# Benchmark plan: 20 layers of 10 waves',
    'schemaVersion: 2',
    'kind: RecoveryPlan',
    'name: bench-200',
    'waves:',
  ];
  for (let i = 0; i < waves; i++) {
    lines.push(`  - name: wave-${i} # layer ${Math.floor(i / PER_LAYER)}`);
    lines.push(`    protectionGroups: [group-${i % 7}]`);
    if (i >= PER_LAYER)
      lines.push(
        `    dependsOn: [wave-${i - PER_LAYER}${i % 3 === 0 && i >= PER_LAYER + 1 ? `, wave-${i - PER_LAYER - 1}` : ''}]`,
      );
    if (i % 5 === 0) lines.push('    preActions:', '      - type: wait', '        seconds: 5');
  }
  return lines.join('\n') + '\n';
}
