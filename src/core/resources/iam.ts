import type { AttachedPolicy, Policy, Role } from '@aws-sdk/client-iam';
import { tagsToRecord } from '../aws/tags';
import type { ResourceLister, ResourceSummary } from './model';
import { compact, day, pagedLister, readPage } from './pagedLister';

const IAM_PAGE_RANGE: [number, number] = [1, 1000];
/** IAM's read operations call the page size maxItems (the API's MaxItems). */
const iamPage = (page: { nextToken?: string; maxResults?: number }) => ({
  nextToken: page.nextToken,
  maxItems: page.maxResults,
});

export function attachedRolePolicyLister(roleName: string): ResourceLister {
  return pagedLister({
    type: 'iam:attached-policy',
    title: 'Attached policies',
    pageRange: IAM_PAGE_RANGE,
    fetch: (read, page) => readPage<AttachedPolicy>(read, 'iam.roles.attachedPolicies', { roleName, ...iamPage(page) }),
    summarize(policy): ResourceSummary {
      const arn = policy.PolicyArn ?? 'unknown';
      return {
        type: 'iam:attached-policy',
        id: `${roleName}/${arn}`,
        name: policy.PolicyName ?? arn,
        arn,
        details: compact([arn.includes(':aws:policy/') ? 'AWS managed' : 'customer managed']),
        tags: {},
        raw: policy,
      };
    },
  });
}

export function inlineRolePolicyLister(roleName: string): ResourceLister {
  return pagedLister({
    type: 'iam:inline-policy',
    title: 'Inline policies',
    pageRange: IAM_PAGE_RANGE,
    fetch: (read, page) => readPage<string>(read, 'iam.roles.inlinePolicies', { roleName, ...iamPage(page) }),
    summarize(policyName: string): ResourceSummary {
      return {
        type: 'iam:inline-policy',
        id: `${roleName}/${policyName}`,
        name: policyName,
        details: ['inline'],
        tags: {},
        raw: { RoleName: roleName, PolicyName: policyName },
      };
    },
  });
}

export const iamRoleLister = pagedLister({
  type: 'iam:role',
  title: 'Roles',
  pageRange: IAM_PAGE_RANGE,
  fetch: (read, page) => readPage<Role>(read, 'iam.roles.list', iamPage(page)),
  summarize(role: Role): ResourceSummary {
    const name = role.RoleName ?? 'unknown';
    return {
      type: 'iam:role',
      id: role.RoleId ?? name,
      name,
      arn: role.Arn,
      details: compact([role.Path !== '/' && role.Path, role.Description, day(role.CreateDate)]),
      tags: tagsToRecord(role.Tags),
      raw: role,
      children: [attachedRolePolicyLister(name), inlineRolePolicyLister(name)],
    };
  },
});

export const iamCustomerPolicyLister = pagedLister({
  type: 'iam:policy',
  title: 'Customer-managed policies',
  pageRange: IAM_PAGE_RANGE,
  fetch: (read, page) => readPage<Policy>(read, 'iam.policies.list', iamPage(page)),
  summarize(policy: Policy): ResourceSummary {
    const name = policy.PolicyName ?? 'unknown';
    return {
      type: 'iam:policy',
      id: policy.PolicyId ?? name,
      name,
      arn: policy.Arn,
      details: compact([
        `v${policy.DefaultVersionId?.replace(/^v/, '')}`,
        `${policy.AttachmentCount ?? 0} attachments`,
      ]),
      tags: tagsToRecord(policy.Tags),
      raw: policy,
    };
  },
});
