import type { LaunchTemplate, LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import { tagsToRecord } from '../aws/tags';
import type { ResourceLister, ResourceSummary } from './model';
import { compact, day, pagedLister, readPage, type SummaryContext } from './pagedLister';

export function launchTemplateVersionLister(templateId: string): ResourceLister {
  return pagedLister({
    type: 'ec2:launch-template-version',
    title: 'Versions',
    pageRange: [5, 200],
    fetch: (read, page) =>
      readPage<LaunchTemplateVersion>(read, 'ec2.launchTemplates.versions', { launchTemplateId: templateId, ...page }),
    summarize(version: LaunchTemplateVersion): ResourceSummary {
      const number = version.VersionNumber ?? 0;
      const data = version.LaunchTemplateData;
      return {
        type: 'ec2:launch-template-version',
        id: `${templateId}:${number}`,
        name: `Version ${number}${version.DefaultVersion ? ' (default)' : ''}`,
        stateTone: version.DefaultVersion ? 'ok' : 'unknown',
        details: compact([version.VersionDescription, data?.InstanceType, data?.ImageId, day(version.CreateTime)]),
        tags: {},
        raw: version,
      };
    },
  });
}

export function summarizeLaunchTemplate(template: LaunchTemplate, context: SummaryContext): ResourceSummary {
  const id = template.LaunchTemplateId ?? 'unknown';
  return {
    type: 'ec2:launch-template',
    id,
    name: template.LaunchTemplateName || id,
    arn: `arn:aws:ec2:${context.region}:${context.account}:launch-template/${id}`,
    details: compact([id, `default v${template.DefaultVersionNumber}`, `latest v${template.LatestVersionNumber}`]),
    tags: tagsToRecord(template.Tags),
    raw: template,
    children: [launchTemplateVersionLister(id)],
  };
}

export const launchTemplateLister = pagedLister({
  type: 'ec2:launch-template',
  title: 'Launch templates',
  pageRange: [5, 200],
  fetch: (read, page) => readPage<LaunchTemplate>(read, 'ec2.launchTemplates.list', page),
  summarize: summarizeLaunchTemplate,
});
