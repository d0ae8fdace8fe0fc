/**
 * Pilot Light's knowledge of common AWS provider (hashicorp/aws 5.x) types: written by hand from the provider's
 * documentation, for the types a VPC / EC2 / IAM / S3 / RDS / load-balancer project uses most. It is deliberately
 * small (about 50 types) and says so in diagnostics: a type that is not listed is never reported as wrong unless
 * it is a near miss of a listed one.
 *
 * Encoding per type: space-separated arguments, `!` = required, `{}` = nested block (`{}!` required block);
 * after ` | ` the attributes the provider computes (readable in references, not settable).
 */
const RESOURCES: Record<string, string> = {
  aws_vpc:
    'cidr_block instance_tenancy ipv4_ipam_pool_id ipv4_netmask_length ipv6_cidr_block assign_generated_ipv6_cidr_block enable_dns_support enable_dns_hostnames enable_network_address_usage_metrics tags | arn id default_network_acl_id default_route_table_id default_security_group_id main_route_table_id owner_id ipv6_association_id tags_all dhcp_options_id',
  aws_subnet:
    'vpc_id! cidr_block availability_zone availability_zone_id map_public_ip_on_launch assign_ipv6_address_on_creation ipv6_cidr_block ipv6_native enable_dns64 enable_resource_name_dns_a_record_on_launch private_dns_hostname_type_on_launch outpost_arn customer_owned_ipv4_pool map_customer_owned_ip_on_launch tags | arn id owner_id ipv6_cidr_block_association_id tags_all',
  aws_internet_gateway: 'vpc_id tags | arn id owner_id tags_all',
  aws_internet_gateway_attachment: 'internet_gateway_id! vpc_id! | id',
  aws_egress_only_internet_gateway: 'vpc_id! tags | id tags_all',
  aws_nat_gateway:
    'subnet_id! allocation_id connectivity_type private_ip secondary_allocation_ids secondary_private_ip_addresses secondary_private_ip_address_count tags | id association_id network_interface_id public_ip tags_all',
  aws_eip:
    'domain instance network_interface associate_with_private_ip address customer_owned_ipv4_pool network_border_group public_ipv4_pool vpc tags | id allocation_id association_id carrier_ip customer_owned_ip private_dns private_ip public_dns public_ip ptr_record tags_all arn',
  aws_eip_association:
    'allocation_id instance_id network_interface_id private_ip_address public_ip allow_reassociation | id',
  aws_route_table: 'vpc_id! route propagating_vgws tags | arn id owner_id tags_all',
  aws_route:
    'route_table_id! destination_cidr_block destination_ipv6_cidr_block destination_prefix_list_id gateway_id nat_gateway_id network_interface_id transit_gateway_id vpc_endpoint_id vpc_peering_connection_id egress_only_gateway_id carrier_gateway_id core_network_arn local_gateway_id timeouts{} | id instance_id instance_owner_id origin state',
  aws_route_table_association: 'route_table_id! subnet_id gateway_id | id',
  aws_main_route_table_association: 'vpc_id! route_table_id! | id original_route_table_id',
  aws_security_group:
    'name name_prefix description vpc_id ingress egress revoke_rules_on_delete tags timeouts{} | arn id owner_id tags_all',
  aws_security_group_rule:
    'type! from_port! to_port! protocol! security_group_id! cidr_blocks ipv6_cidr_blocks prefix_list_ids source_security_group_id self description | id security_group_rule_id',
  aws_vpc_security_group_ingress_rule:
    'security_group_id! ip_protocol! from_port to_port cidr_ipv4 cidr_ipv6 prefix_list_id referenced_security_group_id description tags | arn id security_group_rule_id tags_all',
  aws_vpc_security_group_egress_rule:
    'security_group_id! ip_protocol! from_port to_port cidr_ipv4 cidr_ipv6 prefix_list_id referenced_security_group_id description tags | arn id security_group_rule_id tags_all',
  aws_network_acl: 'vpc_id! subnet_ids ingress egress tags | arn id owner_id tags_all',
  aws_network_interface:
    'subnet_id! description private_ip private_ips private_ips_count security_groups source_dest_check interface_type ipv6_address_count ipv6_addresses attachment{} tags | arn id mac_address owner_id private_dns_name outpost_arn tags_all',
  aws_vpc_endpoint:
    'vpc_id! service_name! vpc_endpoint_type auto_accept policy private_dns_enabled route_table_ids subnet_ids security_group_ids ip_address_type dns_options{} tags timeouts{} | arn id cidr_blocks dns_entry network_interface_ids owner_id prefix_list_id requester_managed state tags_all',
  aws_vpc_peering_connection:
    'peer_vpc_id! vpc_id! peer_owner_id peer_region auto_accept accepter{} requester{} tags | id accept_status tags_all',
  aws_instance:
    'ami instance_type availability_zone subnet_id vpc_security_group_ids security_groups key_name iam_instance_profile associate_public_ip_address private_ip secondary_private_ips user_data user_data_base64 user_data_replace_on_change monitoring ebs_optimized disable_api_termination disable_api_stop instance_initiated_shutdown_behavior placement_group tenancy host_id cpu_core_count cpu_threads_per_core hibernation source_dest_check ipv6_address_count ipv6_addresses get_password_data volume_tags tags root_block_device{} ebs_block_device{} ephemeral_block_device{} network_interface{} launch_template{} metadata_options{} credit_specification{} cpu_options{} capacity_reservation_specification{} enclave_options{} maintenance_options{} private_dns_name_options{} instance_market_options{} timeouts{} | arn id instance_state outpost_arn password_data primary_network_interface_id private_dns public_dns public_ip tags_all',
  aws_launch_template:
    'name name_prefix description default_version update_default_version image_id instance_type key_name user_data vpc_security_group_ids security_group_names ebs_optimized disable_api_termination disable_api_stop instance_initiated_shutdown_behavior kernel_id ram_disk_id tags block_device_mappings{} iam_instance_profile{} metadata_options{} monitoring{} network_interfaces{} placement{} tag_specifications{} credit_specification{} cpu_options{} capacity_reservation_specification{} instance_market_options{} maintenance_options{} private_dns_name_options{} enclave_options{} hibernation_options{} license_specification{} instance_requirements{} | arn id latest_version tags_all',
  aws_ebs_volume:
    'availability_zone! size type iops throughput encrypted kms_key_id snapshot_id multi_attach_enabled outpost_arn final_snapshot tags timeouts{} | arn id tags_all',
  aws_volume_attachment:
    'device_name! instance_id! volume_id! force_detach skip_destroy stop_instance_before_detaching | id',
  aws_ebs_snapshot:
    'volume_id! description outpost_arn storage_tier permanent_restore temporary_restore_days tags timeouts{} | arn id data_encryption_key_id encrypted kms_key_id owner_alias owner_id volume_size tags_all',
  aws_key_pair: 'public_key! key_name key_name_prefix tags | arn id fingerprint key_pair_id key_type tags_all',
  aws_ami_from_instance:
    'name! source_instance_id! description snapshot_without_reboot tags | arn id image_location root_snapshot_id tags_all',
  aws_autoscaling_group:
    'max_size! min_size! name name_prefix desired_capacity vpc_zone_identifier availability_zones target_group_arns health_check_type health_check_grace_period default_cooldown termination_policies suspended_processes enabled_metrics protect_from_scale_in service_linked_role_arn capacity_rebalance max_instance_lifetime wait_for_capacity_timeout launch_template{} mixed_instances_policy{} tag{} instance_refresh{} warm_pool{} timeouts{} | arn id',
  aws_lb:
    'name name_prefix internal load_balancer_type security_groups subnets ip_address_type enable_deletion_protection enable_http2 idle_timeout drop_invalid_header_fields access_logs{} subnet_mapping{} tags timeouts{} | arn arn_suffix dns_name id zone_id vpc_id tags_all',
  aws_lb_target_group:
    'name name_prefix port protocol protocol_version target_type vpc_id deregistration_delay slow_start proxy_protocol_v2 health_check{} stickiness{} tags | arn arn_suffix id load_balancer_arns tags_all',
  aws_lb_listener:
    'load_balancer_arn! port protocol ssl_policy certificate_arn alpn_policy default_action{}! tags timeouts{} | arn id tags_all',
  aws_lb_target_group_attachment: 'target_group_arn! target_id! port availability_zone | id',
  aws_iam_role:
    'assume_role_policy! name name_prefix description path permissions_boundary max_session_duration force_detach_policies managed_policy_arns inline_policy{} tags | arn create_date id unique_id tags_all',
  aws_iam_policy: 'policy! name name_prefix description path tags | arn id policy_id attachment_count tags_all',
  aws_iam_role_policy: 'role! policy! name name_prefix | id',
  aws_iam_role_policy_attachment: 'role! policy_arn! | id',
  aws_iam_instance_profile: 'name name_prefix path role tags | arn create_date id unique_id tags_all',
  aws_s3_bucket:
    'bucket bucket_prefix force_destroy object_lock_enabled tags timeouts{} | arn bucket_domain_name bucket_regional_domain_name hosted_zone_id id region tags_all',
  aws_s3_bucket_versioning: 'bucket! expected_bucket_owner mfa versioning_configuration{}! | id',
  aws_s3_bucket_public_access_block:
    'bucket! block_public_acls block_public_policy ignore_public_acls restrict_public_buckets | id',
  aws_s3_bucket_policy: 'bucket! policy! | id',
  aws_db_instance:
    'instance_class! allocated_storage max_allocated_storage engine engine_version identifier identifier_prefix db_name username password manage_master_user_password db_subnet_group_name vpc_security_group_ids parameter_group_name option_group_name multi_az publicly_accessible storage_type storage_encrypted kms_key_id iops backup_retention_period backup_window maintenance_window skip_final_snapshot final_snapshot_identifier deletion_protection apply_immediately auto_minor_version_upgrade copy_tags_to_snapshot snapshot_identifier port availability_zone performance_insights_enabled monitoring_interval monitoring_role_arn tags timeouts{} | address arn endpoint hosted_zone_id id resource_id status tags_all',
  aws_db_subnet_group: 'subnet_ids! name name_prefix description tags | arn id tags_all',
  aws_cloudwatch_log_group:
    'name name_prefix retention_in_days kms_key_id log_group_class skip_destroy tags | arn id tags_all',
  aws_cloudwatch_metric_alarm:
    'alarm_name! comparison_operator! evaluation_periods! metric_name namespace period statistic threshold alarm_description alarm_actions ok_actions insufficient_data_actions dimensions datapoints_to_alarm treat_missing_data unit extended_statistic actions_enabled metric_query{} tags | arn id tags_all',
  aws_sns_topic: 'name name_prefix display_name policy kms_master_key_id fifo_topic tags | arn id owner tags_all',
  aws_sqs_queue:
    'name name_prefix visibility_timeout_seconds message_retention_seconds max_message_size delay_seconds receive_wait_time_seconds policy redrive_policy fifo_queue content_based_deduplication kms_master_key_id sqs_managed_sse_enabled tags | arn id url tags_all',
  aws_lambda_function:
    'function_name! role! handler runtime filename s3_bucket s3_key image_uri source_code_hash memory_size timeout publish architectures layers description kms_key_arn package_type reserved_concurrent_executions environment{} vpc_config{} dead_letter_config{} tracing_config{} ephemeral_storage{} tags timeouts{} | arn id invoke_arn qualified_arn version last_modified source_code_size tags_all',
  aws_dynamodb_table:
    'name! hash_key range_key billing_mode read_capacity write_capacity stream_enabled stream_view_type table_class deletion_protection_enabled attribute{} global_secondary_index{} local_secondary_index{} ttl{} point_in_time_recovery{} server_side_encryption{} replica{} tags timeouts{} | arn id stream_arn stream_label tags_all',
  aws_kms_key:
    'description key_usage customer_master_key_spec policy deletion_window_in_days is_enabled enable_key_rotation multi_region bypass_policy_lockout_safety_check tags | arn id key_id tags_all',
  aws_kms_alias: 'target_key_id! name name_prefix | arn id target_key_arn',
  aws_route53_zone:
    'name! comment delegation_set_id force_destroy vpc{} tags | arn id name_servers zone_id primary_name_server tags_all',
  aws_route53_record:
    'zone_id! name! type! ttl records set_identifier health_check_id allow_overwrite alias{} weighted_routing_policy{} failover_routing_policy{} latency_routing_policy{} geolocation_routing_policy{} | fqdn id',
  aws_ecr_repository:
    'name! image_tag_mutability force_delete image_scanning_configuration{} encryption_configuration{} tags | arn id registry_id repository_url tags_all',
  aws_ecs_cluster: 'name! setting{} configuration{} service_connect_defaults{} tags | arn id tags_all',
  aws_drs_replication_configuration_template:
    'associate_default_security_group! bandwidth_throttling! create_public_ip! data_plane_routing! default_large_staging_disk_type! ebs_encryption! replication_server_instance_type! replication_servers_security_groups_ids! staging_area_subnet_id! staging_area_tags! use_dedicated_replication_server! ebs_encryption_key_arn pit_policy{} tags | arn id tags_all',
};

const DATA_SOURCES: Record<string, string> = {
  aws_ami:
    'owners most_recent name_regex executable_users include_deprecated filter{} | id arn architecture image_id name description root_device_name root_device_type virtualization_type block_device_mappings creation_date owner_id platform state tags',
  aws_availability_zones:
    'all_availability_zones state exclude_names exclude_zone_ids filter{} | id group_names names zone_ids',
  aws_caller_identity: ' | account_id arn id user_id',
  aws_region: 'name endpoint | description id',
  aws_partition: ' | dns_suffix id partition reverse_dns_prefix',
  aws_vpc:
    'id cidr_block default dhcp_options_id state tags filter{} | arn enable_dns_hostnames enable_dns_support instance_tenancy main_route_table_id owner_id',
  aws_subnet:
    'id vpc_id cidr_block availability_zone availability_zone_id default_for_az state tags filter{} | arn available_ip_address_count map_public_ip_on_launch owner_id',
  aws_subnets: 'tags filter{} | id ids',
  aws_security_group: 'id name vpc_id tags filter{} | arn description',
  aws_instance:
    'instance_id instance_tags get_password_data get_user_data filter{} | ami arn availability_zone id instance_type instance_state key_name private_ip public_ip subnet_id vpc_security_group_ids tags',
  aws_iam_policy_document:
    'source_policy_documents override_policy_documents policy_id version statement{} | id json minified_json',
  aws_iam_role: 'name! | arn assume_role_policy create_date description id max_session_duration path unique_id tags',
  aws_ssm_parameter: 'name! with_decryption | arn id insecure_value type value version',
  aws_launch_template: 'id name tags filter{} | arn default_version latest_version image_id instance_type',
};

/** Arguments every resource accepts (Terraform's meta-arguments). */
export const META_ARGUMENTS = ['count', 'for_each', 'provider', 'depends_on'];
export const META_BLOCKS = ['lifecycle', 'provisioner', 'connection', 'dynamic'];

export interface TfTypeInfo {
  name: string;
  /** Settable arguments, with whether each is required. */
  arguments: Map<string, { required: boolean }>;
  /** Nested block names, with whether each is required. */
  blocks: Map<string, { required: boolean }>;
  /** Attributes the provider computes (readable only). */
  computed: Set<string>;
}

function decode(name: string, spec: string): TfTypeInfo {
  const [settable, computed = ''] = spec.split(' | ');
  const info: TfTypeInfo = { name, arguments: new Map(), blocks: new Map(), computed: new Set() };
  for (const token of settable.split(' ').filter(Boolean)) {
    const required = token.endsWith('!');
    const bare = required ? token.slice(0, -1) : token;
    if (bare.endsWith('{}')) info.blocks.set(bare.slice(0, -2), { required });
    else info.arguments.set(bare, { required });
  }
  for (const token of computed.split(' ').filter(Boolean)) info.computed.add(token);
  info.computed.add('id');
  return info;
}

const cache = { resource: new Map<string, TfTypeInfo>(), data: new Map<string, TfTypeInfo>() };

/** What Pilot Light knows of a resource (or data source) type, or undefined when it is not in its list. */
export function awsTypeInfo(kind: 'resource' | 'data', type: string): TfTypeInfo | undefined {
  const source = kind === 'resource' ? RESOURCES : DATA_SOURCES;
  if (!Object.hasOwn(source, type)) return undefined;
  let info = cache[kind].get(type);
  if (!info) cache[kind].set(type, (info = decode(type, source[type])));
  return info;
}

export function knownAwsTypes(kind: 'resource' | 'data'): string[] {
  return Object.keys(kind === 'resource' ? RESOURCES : DATA_SOURCES).sort();
}

/** The listed type closest to an unlisted `aws_*` name (edit distance ≤ 2), for "did you mean". */
export function nearestAwsType(kind: 'resource' | 'data', type: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of knownAwsTypes(kind)) {
    if (Math.abs(candidate.length - type.length) > 2) continue;
    const distance = editDistance(candidate, type, 3);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** Levenshtein distance, stopping early once it exceeds `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      rowMin = Math.min(rowMin, current[j]);
    }
    if (rowMin > limit) return rowMin;
    previous = current;
  }
  return previous[b.length];
}
