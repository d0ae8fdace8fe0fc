/**
 * The proactive insight sources, in one list. Add a source here and it runs in
 * the background check, the Insights view and "what should I look at?".
 */
import { alarmsInAlarmSource } from './alarmsSource';
import { patchComplianceSource } from './patchSource';
import { rdsStorageSource } from './rdsStorageSource';
import { openSecurityGroupsSource } from './securitySource';
import type { SourceOptions } from './sourceOptions';
import type { InsightSource } from './types';
import { unattachedVolumesSource, unusedResourcesSource } from './unusedSource';

export function proactiveSources(options: SourceOptions = {}): InsightSource[] {
  return [
    unattachedVolumesSource(options),
    unusedResourcesSource(options),
    openSecurityGroupsSource(options),
    rdsStorageSource(),
    patchComplianceSource(options),
    alarmsInAlarmSource,
  ];
}
