"""Task `Credentials` for moto's Step Functions interpreter, as on AWS (loaded by the bootstrap in moto.ts).

What is patched and why: moto 5.2.5 parses a Task state's `"Credentials": {"RoleArn": ...}` and records it in
the TaskScheduled event, but `boto_client_for` (moto/stepfunctions/parser/asl/utils/boto_client.py) always
signs with the keys "ak"/"sk", so every aws-sdk task acts in moto's default account. On AWS the execution role
assumes the task's role and the call acts with that role, in its account. Patched:

- `StateTask._eval_state_credentials` marks credentials that come from the state's own `Credentials` field
  (without it moto passes the execution role, which must keep using the default keys as before).
- `boto_client_for`, for such credentials only: checks the assumption as IAM would, calls sts:AssumeRole on
  the moto server itself (through MOTO_PORT, like the task's own call) and signs with the returned keys; moto
  maps assumed-role keys to the role's account, so the call lands there (the DRS emulator asks moto which
  account a key belongs to). When the role cannot be assumed, the task fails with STS's AccessDenied.

The check (moto's STS assumes any role ARN, existing or not): the role must exist in its account; its trust
policy must allow sts:AssumeRole to the execution role's ARN, its account (`arn:…:iam::<account>:root` or the
bare ID) or "*"; and the execution role's policies (inline and attached) must allow sts:AssumeRole on the
role's ARN, with no explicit Deny. Statements with a Condition grant nothing here (not evaluated; Step
Functions passes no external ID). Everything else is moto's, unchanged.
"""

import fnmatch
import json
import re
import sys
import threading
import time
import uuid
from dataclasses import dataclass

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

_ROLE_ARN = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):role/(?:.*/)?([\w+=,.@-]{1,64})$")
_SESSION_SECONDS = 900
_CACHE_SECONDS = 300


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _statements(document):
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return []
    return [s for s in _as_list((document or {}).get("Statement")) if isinstance(s, dict)]


def _matches(patterns, value, case_sensitive=True):
    for pattern in _as_list(patterns):
        if not isinstance(pattern, str):
            continue
        if case_sensitive and fnmatch.fnmatchcase(value, pattern):
            return True
        if not case_sensitive and fnmatch.fnmatchcase(value.lower(), pattern.lower()):
            return True
    return False


def _identity_allows(documents, action, resource):
    allowed = False
    for document in documents:
        for statement in _statements(document):
            if not _matches(statement.get("Action"), action, case_sensitive=False):
                continue
            if not _matches(statement.get("Resource"), resource):
                continue
            if statement.get("Effect") == "Deny":
                return False
            if statement.get("Effect") == "Allow" and not statement.get("Condition"):
                allowed = True
    return allowed


def _trust_allows(document, principals):
    allowed = False
    for statement in _statements(document):
        if not _matches(statement.get("Action"), "sts:AssumeRole", case_sensitive=False):
            continue
        principal = statement.get("Principal")
        named = _as_list(principal.get("AWS")) if isinstance(principal, dict) else _as_list(principal)
        if not any(p == "*" or p in principals for p in named if isinstance(p, str)):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow" and not statement.get("Condition"):
            allowed = True
    return allowed


def _access_denied(message):
    return ClientError(
        {
            "Error": {"Code": "AccessDenied", "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": 403, "RequestId": str(uuid.uuid4())},
        },
        "AssumeRole",
    )


def _role(arn):
    from moto.iam.models import iam_backends

    match = _ROLE_ARN.match(arn or "")
    if not match:
        return None
    partition, account = match.group(1), match.group(2)
    try:
        return iam_backends[account][partition].get_role_by_arn(arn)
    except Exception:
        return None


def _check_assumption(execution_role_arn, role_arn):
    """Raises STS's AccessDenied unless IAM would let the execution role assume `role_arn`."""
    denied = f"User: {execution_role_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
    target = _role(role_arn)
    if target is None:
        raise _access_denied(denied)
    execution = _role(execution_role_arn)
    if execution is None:
        raise _access_denied(denied)
    documents = list(execution.policies.values()) + [
        version.document
        for policy in execution.managed_policies.values()
        for version in getattr(policy, "versions", [])
        if version.version_id == policy.default_version_id
    ]
    if not _identity_allows([d for d in documents if d], "sts:AssumeRole", role_arn):
        raise _access_denied(denied)
    match = _ROLE_ARN.match(execution_role_arn)
    partition, account = match.group(1), match.group(2)
    principals = {execution_role_arn, f"arn:{partition}:iam::{account}:root", account}
    if not _trust_allows(target.assume_role_policy_document, principals):
        raise _access_denied(denied)


def patch():
    from moto.core.models import botocore_stubber
    from moto.settings import moto_server_port
    from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import TimeoutSeconds
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.credentials import StateCredentials
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (  # noqa: F401
        state_task_service_aws_sdk,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task import StateTask
    from moto.stepfunctions.parser.asl.utils import boto_client as boto_client_module

    @dataclass
    class TaskRoleCredentials(StateCredentials):
        """Credentials named by the state's own `Credentials` field, with the execution role that assumes them."""

        execution_role_arn: str = ""

    original_eval = StateTask._eval_state_credentials

    def eval_state_credentials(self, env):
        credentials = original_eval(self, env)
        if not self.credentials:
            return credentials
        return TaskRoleCredentials(
            role_arn=credentials.role_arn, execution_role_arn=env.aws_execution_details.role_arn
        )

    original_client_for = boto_client_module.boto_client_for
    cache = {}
    lock = threading.Lock()

    def endpoint_kwargs():
        return {} if botocore_stubber.enabled else {"endpoint_url": f"http://localhost:{moto_server_port()}"}

    def config():
        return Config(
            parameter_validation=False,
            retries={"max_attempts": 0, "total_max_attempts": 1},
            connect_timeout=TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS,
            read_timeout=TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS,
        )

    def assumed_keys(region, execution_role_arn, role_arn):
        _check_assumption(execution_role_arn, role_arn)
        key = (execution_role_arn, role_arn)
        with lock:
            hit = cache.get(key)
            if hit and hit[1] > time.monotonic():
                return hit[0]
        sts = boto3.client(
            "sts",
            region_name=region,
            aws_access_key_id="ak",
            aws_secret_access_key="sk",
            config=config(),
            **endpoint_kwargs(),
        )
        answer = sts.assume_role(
            RoleArn=role_arn, RoleSessionName="pilot-light-sfn-task", DurationSeconds=_SESSION_SECONDS
        )["Credentials"]
        keys = {
            "aws_access_key_id": answer["AccessKeyId"],
            "aws_secret_access_key": answer["SecretAccessKey"],
            "aws_session_token": answer["SessionToken"],
        }
        with lock:
            cache[key] = (keys, time.monotonic() + _CACHE_SECONDS)
        return keys

    def boto_client_for(region, service, state_credentials=None):
        if not isinstance(state_credentials, TaskRoleCredentials):
            return original_client_for(region=region, service=service, state_credentials=state_credentials)
        keys = assumed_keys(region, state_credentials.execution_role_arn, state_credentials.role_arn)
        return boto3.client(service_name=service, region_name=region, config=config(), **keys, **endpoint_kwargs())

    StateTask._eval_state_credentials = eval_state_credentials
    boto_client_module.boto_client_for = boto_client_for
    # Modules that imported the function by name before this patch keep their own reference: replace it there.
    for name, module in list(sys.modules.items()):
        if name.startswith("moto.stepfunctions") and getattr(module, "boto_client_for", None) is original_client_for:
            module.boto_client_for = boto_client_for
