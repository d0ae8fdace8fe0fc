# The 3-tier sample environment in Terraform: the same VPC, subnets, security groups, instances and launch
# templates as the CloudFormation template beside it, and as `npm run demo` seeds on the emulator.
# Open this folder with a terraform.tfstate (see README.md) to see live IDs on hover and drift as problems.

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

locals {
  environment = "production"
  tiers = {
    web = { instance_type = "t3.small", subnet = "public_a" }
    app = { instance_type = "t3.medium", subnet = "private_a" }
    db  = { instance_type = "r5.large", subnet = "private_b" }
  }
  # On a real account the instances install the AWS DRS replication agent at first boot (the emulators do not
  # run user data). Replace the region if you deploy elsewhere; the agent needs credentials with the
  # AWSElasticDisasterRecoveryAgentInstallationPolicy.
  drs_agent_install = <<-EOT
    #!/bin/bash
    set -euo pipefail
    cd /tmp
    curl -fsSLo aws-replication-installer-init "https://aws-elastic-disaster-recovery-us-east-1.s3.us-east-1.amazonaws.com/latest/linux/aws-replication-installer-init"
    chmod +x aws-replication-installer-init
    ./aws-replication-installer-init --region us-east-1 --no-prompt
  EOT
}

data "aws_ami" "amazon_linux" {
  most_recent = true
  owners      = ["amazon"]
  filter {
    name   = "name"
    values = ["amzn2-ami-hvm-*-x86_64-gp2"]
  }
}

resource "aws_vpc" "main" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_hostnames = true
  tags = {
    Name        = "production-vpc"
    Environment = local.environment
  }
}

resource "aws_subnet" "public_a" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.0.0/24"
  availability_zone       = "us-east-1a"
  map_public_ip_on_launch = true
  tags = {
    Name        = "production-public-a"
    Environment = local.environment
    Tier        = "public"
  }
}

resource "aws_subnet" "public_b" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  availability_zone       = "us-east-1b"
  map_public_ip_on_launch = true
  tags = {
    Name        = "production-public-b"
    Environment = local.environment
    Tier        = "public"
  }
}

resource "aws_subnet" "private_a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.10.0/24"
  availability_zone = "us-east-1a"
  tags = {
    Name        = "production-private-a"
    Environment = local.environment
    Tier        = "private"
  }
}

resource "aws_subnet" "private_b" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.11.0/24"
  availability_zone = "us-east-1b"
  tags = {
    Name        = "production-private-b"
    Environment = local.environment
    Tier        = "private"
  }
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
  tags = {
    Name        = "production-igw"
    Environment = local.environment
  }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }
  tags = {
    Name        = "production-public-rt"
    Environment = local.environment
  }
}

resource "aws_route_table_association" "public_a" {
  subnet_id      = aws_subnet.public_a.id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table_association" "public_b" {
  subnet_id      = aws_subnet.public_b.id
  route_table_id = aws_route_table.public.id
}

resource "aws_security_group" "web" {
  name        = "web-sg"
  description = "Web tier: HTTP and HTTPS from the internet"
  vpc_id      = aws_vpc.main.id
  ingress {
    description = "HTTP"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    description = "HTTPS"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    description = "SSH from the VPC"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }
  tags = {
    Name        = "web-sg"
    Environment = local.environment
    Role        = "web"
  }
}

resource "aws_security_group" "app" {
  name        = "app-sg"
  description = "App tier: 8080 from the web tier"
  vpc_id      = aws_vpc.main.id
  ingress {
    description     = "App port from web"
    from_port       = 8080
    to_port         = 8080
    protocol        = "tcp"
    security_groups = [aws_security_group.web.id]
  }
  ingress {
    description = "SSH from the VPC"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }
  tags = {
    Name        = "app-sg"
    Environment = local.environment
    Role        = "app"
  }
}

resource "aws_security_group" "db" {
  name        = "db-sg"
  description = "Database tier: PostgreSQL from the app tier"
  vpc_id      = aws_vpc.main.id
  ingress {
    description     = "PostgreSQL from app"
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.app.id]
  }
  ingress {
    description = "SSH from the VPC"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }
  tags = {
    Name        = "db-sg"
    Environment = local.environment
    Role        = "db"
  }
}

resource "aws_instance" "web" {
  ami                    = data.aws_ami.amazon_linux.id
  instance_type          = "t3.small"
  subnet_id              = aws_subnet.public_a.id
  vpc_security_group_ids = [aws_security_group.web.id]
  user_data              = local.drs_agent_install
  tags = {
    Name        = "web-1"
    Role        = "web"
    Environment = local.environment
  }
}

resource "aws_instance" "app" {
  ami                    = data.aws_ami.amazon_linux.id
  instance_type          = "t3.medium"
  subnet_id              = aws_subnet.private_a.id
  vpc_security_group_ids = [aws_security_group.app.id]
  user_data              = local.drs_agent_install
  tags = {
    Name        = "app-1"
    Role        = "app"
    Environment = local.environment
  }
}

resource "aws_instance" "db" {
  ami                    = data.aws_ami.amazon_linux.id
  instance_type          = "r5.large"
  subnet_id              = aws_subnet.private_b.id
  vpc_security_group_ids = [aws_security_group.db.id]
  user_data              = local.drs_agent_install
  tags = {
    Name        = "db-1"
    Role        = "db"
    Environment = local.environment
  }
}

resource "aws_launch_template" "web" {
  name          = "web-tier"
  image_id      = data.aws_ami.amazon_linux.id
  instance_type = "t3.small"
  network_interfaces {
    device_index                = 0
    subnet_id                   = aws_subnet.public_a.id
    security_groups             = [aws_security_group.web.id]
    associate_public_ip_address = "true"
  }
  tags = {
    Name = "web-tier"
    Tier = "web"
  }
}

resource "aws_launch_template" "app" {
  name          = "app-tier"
  image_id      = data.aws_ami.amazon_linux.id
  instance_type = "t3.medium"
  network_interfaces {
    device_index    = 0
    subnet_id       = aws_subnet.private_a.id
    security_groups = [aws_security_group.app.id]
  }
  tags = {
    Name = "app-tier"
    Tier = "app"
  }
}

resource "aws_launch_template" "db" {
  name          = "db-tier"
  image_id      = data.aws_ami.amazon_linux.id
  instance_type = "r5.large"
  network_interfaces {
    device_index    = 0
    subnet_id       = aws_subnet.private_b.id
    security_groups = [aws_security_group.db.id]
  }
  tags = {
    Name = "db-tier"
    Tier = "db"
  }
}

output "vpc_id" {
  value = aws_vpc.main.id
}

output "web_instance_id" {
  value = aws_instance.web.id
}
