variable "region" {
  description = "AWS region to deploy into."
  type        = string
  default     = "us-east-1"
}

variable "name_prefix" {
  description = "Prefix of every resource name and of the SSM parameter paths (/<name_prefix>/<role>/...). Two deployments in one account need two prefixes."
  type        = string
  default     = "sqlgate"

  validation {
    # S3 bucket names (bucket_prefix) and IAM role names accept this set, with room to spare.
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}$", var.name_prefix))
    error_message = "name_prefix must be 2-23 characters: lower-case letters, digits and '-', starting with a letter."
  }
}

variable "availability_zone" {
  description = "Availability zone for every subnet. Null picks the first zone of the region that offers all the instance types in use."
  type        = string
  default     = null
}

variable "vpc_cidr" {
  description = "Address range of the VPC; the public subnet is its first /24 (by default), the private subnet its second."
  type        = string
  default     = "10.42.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) <= 22
    error_message = "vpc_cidr must be an IPv4 CIDR block of /22 or larger, e.g. 10.42.0.0/16."
  }
}

variable "gatekeeper_instance_type" {
  description = "EC2 instance type of the gatekeeper."
  type        = string
  default     = "t3.micro"
}

variable "trusted_host_instance_type" {
  description = "EC2 instance type of the trusted host."
  type        = string
  default     = "t3.micro"
}

variable "proxy_instance_type" {
  description = "EC2 instance type of the proxy."
  type        = string
  default     = "t3.micro"
}

variable "database_instance_type" {
  description = "EC2 instance type of each MariaDB node (the primary and every replica)."
  type        = string
  default     = "t3.small"
}

variable "replica_count" {
  description = "Number of MariaDB replicas behind the primary."
  type        = number
  default     = 3

  validation {
    condition     = var.replica_count >= 1 && var.replica_count <= 20 && floor(var.replica_count) == var.replica_count
    error_message = "replica_count must be a whole number from 1 to 20."
  }
}

variable "allowed_client_cidrs" {
  description = "IPv4 CIDR blocks that may reach the gatekeeper's MySQL and HTTPS ports, e.g. [\"203.0.113.7/32\"]. Nothing else reaches any host."
  type        = list(string)

  validation {
    condition     = length(var.allowed_client_cidrs) > 0
    error_message = "allowed_client_cidrs must name at least one network: the gatekeeper admits only the networks listed."
  }
  validation {
    condition     = alltrue([for c in var.allowed_client_cidrs : can(regex("^[0-9.]+/[0-9]+$", c)) && try(cidrsubnet(c, 0, 0) == c, false)])
    error_message = "Every entry of allowed_client_cidrs must be an IPv4 CIDR block in canonical form, such as 203.0.113.7/32 or 198.51.100.0/24."
  }
}

variable "allow_world" {
  description = "Set to true to allow a /0 entry (the whole internet) in allowed_client_cidrs. The gatekeeper authenticates and filters every statement either way; this only widens who can try."
  type        = bool
  default     = false
}

variable "ssh_key_name" {
  description = "Name of an existing EC2 key pair for SSH to the gatekeeper. Null (the default) leaves SSH closed; Session Manager reaches every host without it."
  type        = string
  default     = null
}

variable "admin_ssh_cidrs" {
  description = "IPv4 CIDR blocks that may reach the gatekeeper on port 22. Used only together with ssh_key_name; empty (the default) opens no SSH port."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.admin_ssh_cidrs : can(regex("^[0-9.]+/[0-9]+$", c)) && try(cidrsubnet(c, 0, 0) == c, false) && !endswith(c, "/0")])
    error_message = "Every entry of admin_ssh_cidrs must be an IPv4 CIDR block in canonical form, narrower than /0."
  }
}

variable "package_path" {
  description = "Path of the sqlgate .deb (amd64) to install on the gatekeeper, the trusted host and the proxy; scripts/package.sh builds it."
  type        = string

  validation {
    condition     = endswith(var.package_path, ".deb") && fileexists(var.package_path)
    error_message = "package_path must name an existing .deb file (build one with scripts/package.sh)."
  }
}

variable "mysql_port" {
  description = "Port of the gatekeeper's MySQL listener (TLS required)."
  type        = number
  default     = 3306

  validation {
    # The systemd units run sqlgate without privileges, so no port below 1024.
    condition     = var.mysql_port >= 1024 && var.mysql_port <= 65535 && floor(var.mysql_port) == var.mysql_port
    error_message = "mysql_port must be a TCP port from 1024 to 65535 (sqlgate runs unprivileged)."
  }
}

variable "https_port" {
  description = "Port of the gatekeeper's HTTPS JSON API."
  type        = number
  default     = 8443

  validation {
    # The systemd units run sqlgate without privileges, so no port below 1024.
    condition     = var.https_port >= 1024 && var.https_port <= 65535 && floor(var.https_port) == var.https_port
    error_message = "https_port must be a TCP port from 1024 to 65535 (sqlgate runs unprivileged)."
  }
}

variable "demo_user" {
  description = "Name of the demo user created at the gatekeeper, the trusted host and the proxy."
  type        = string
  default     = "demo"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,31}$", var.demo_user))
    error_message = "demo_user must be 1-32 characters: lower-case letters, digits and '_', starting with a letter."
  }
}
