import { DescribeLaunchTemplatesCommand, DescribeLaunchTemplateVersionsCommand, type LaunchTemplate, type LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import { ec2Service } from '../aws/services';
import { tagsToRecord, type ResourceLister, type ResourceSummary } from './model';
import { compact, pagedLister, type SummaryContext } from './pagedLister';

export function launchTemplateVersionLister(templateId: string): ResourceLister {
  return pagedLister({
    type: 'ec2:launch-template-version',
    title: 'Versions',
    service: ec2Service,
    pageRange: [1, 200],
    async fetch(client, { nextToken, maxResults }) {
      const response = await client.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId, MaxResults: maxResults, NextToken: nextToken }));
      return { items: response.LaunchTemplateVersions ?? [], nextToken: response.NextToken };
    },
    summarize(version: LaunchTemplateVersion): ResourceSummary {
      const number = version.VersionNumber ?? 0;
      const data = version.LaunchTemplateData;
      return {
        type: 'ec2:launch-template-version', id: `${templateId}:${number}`, name: `Version ${number}${version.DefaultVersion ? ' (default)' : ''}`,
        stateTone: version.DefaultVersion ? 'ok' : 'unknown',
        details: compact([version.VersionDescription, data?.InstanceType, data?.ImageId, version.CreateTime?.toISOString().slice(0, 10)]), tags: {}, raw: version,
      };
    },
  });
}

export function summarizeLaunchTemplate(template: LaunchTemplate, context: SummaryContext): ResourceSummary {
  const id = template.LaunchTemplateId ?? 'unknown';
  return {
    type: 'ec2:launch-template', id, name: template.LaunchTemplateName || id, arn: `arn:aws:ec2:${context.region}:${context.account}:launch-template/${id}`,
    details: compact([id, `default v${template.DefaultVersionNumber}`, `latest v${template.LatestVersionNumber}`]), tags: tagsToRecord(template.Tags), raw: template,
    children: [launchTemplateVersionLister(id)],
  };
}

export const launchTemplateLister = pagedLister({
  type: 'ec2:launch-template',
  title: 'Launch templates',
  service: ec2Service,
  pageRange: [1, 200],
  async fetch(client, { nextToken, maxResults }) {
    const response = await client.send(new DescribeLaunchTemplatesCommand({ MaxResults: maxResults, NextToken: nextToken }));
    return { items: response.LaunchTemplates ?? [], nextToken: response.NextToken };
  },
  summarize: summarizeLaunchTemplate,
});
