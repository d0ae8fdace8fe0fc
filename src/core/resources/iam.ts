import { ListAttachedRolePoliciesCommand, ListPoliciesCommand, ListRolePoliciesCommand, ListRolesCommand, type Policy, type Role } from '@aws-sdk/client-iam';
import { iamService } from '../aws/services';
import { tagsToRecord, type ResourceLister, type ResourceSummary } from './model';
import { compact, pagedLister } from './pagedLister';

/** IAM pages with Marker/IsTruncated instead of NextToken. */
const IAM_PAGE_RANGE: [number, number] = [1, 1000];

export function attachedRolePolicyLister(roleName: string): ResourceLister {
  return pagedLister({
    type: 'iam:attached-policy',
    title: 'Attached policies',
    service: iamService,
    pageRange: IAM_PAGE_RANGE,
    async fetch(client, { nextToken, maxResults }) {
      const response = await client.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker: nextToken, MaxItems: maxResults }));
      return { items: response.AttachedPolicies ?? [], nextToken: response.IsTruncated ? response.Marker : undefined };
    },
    summarize(policy): ResourceSummary {
      const arn = policy.PolicyArn ?? 'unknown';
      return { type: 'iam:attached-policy', id: `${roleName}/${arn}`, name: policy.PolicyName ?? arn, arn, details: compact([arn.includes(':aws:policy/') ? 'AWS managed' : 'customer managed']), tags: {}, raw: policy };
    },
  });
}

export function inlineRolePolicyLister(roleName: string): ResourceLister {
  return pagedLister({
    type: 'iam:inline-policy',
    title: 'Inline policies',
    service: iamService,
    pageRange: IAM_PAGE_RANGE,
    async fetch(client, { nextToken, maxResults }) {
      const response = await client.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker: nextToken, MaxItems: maxResults }));
      return { items: response.PolicyNames ?? [], nextToken: response.IsTruncated ? response.Marker : undefined };
    },
    summarize(policyName: string): ResourceSummary {
      return { type: 'iam:inline-policy', id: `${roleName}/${policyName}`, name: policyName, details: ['inline'], tags: {}, raw: { RoleName: roleName, PolicyName: policyName } };
    },
  });
}

export const iamRoleLister = pagedLister({
  type: 'iam:role',
  title: 'Roles',
  service: iamService,
  pageRange: IAM_PAGE_RANGE,
  async fetch(client, { nextToken, maxResults }) {
    const response = await client.send(new ListRolesCommand({ Marker: nextToken, MaxItems: maxResults }));
    return { items: response.Roles ?? [], nextToken: response.IsTruncated ? response.Marker : undefined };
  },
  summarize(role: Role): ResourceSummary {
    const name = role.RoleName ?? 'unknown';
    return {
      type: 'iam:role', id: role.RoleId ?? name, name, arn: role.Arn, details: compact([role.Path !== '/' && role.Path, role.Description, role.CreateDate?.toISOString().slice(0, 10)]),
      tags: tagsToRecord(role.Tags), raw: role, children: [attachedRolePolicyLister(name), inlineRolePolicyLister(name)],
    };
  },
});

export const iamCustomerPolicyLister = pagedLister({
  type: 'iam:policy',
  title: 'Customer-managed policies',
  service: iamService,
  pageRange: IAM_PAGE_RANGE,
  async fetch(client, { nextToken, maxResults }) {
    const response = await client.send(new ListPoliciesCommand({ Scope: 'Local', Marker: nextToken, MaxItems: maxResults }));
    return { items: response.Policies ?? [], nextToken: response.IsTruncated ? response.Marker : undefined };
  },
  summarize(policy: Policy): ResourceSummary {
    const name = policy.PolicyName ?? 'unknown';
    return {
      type: 'iam:policy', id: policy.PolicyId ?? name, name, arn: policy.Arn,
      details: compact([`v${policy.DefaultVersionId?.replace(/^v/, '')}`, `${policy.AttachmentCount ?? 0} attachments`]), tags: tagsToRecord(policy.Tags), raw: policy,
    };
  },
});
