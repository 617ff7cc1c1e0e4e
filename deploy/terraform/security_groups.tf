# Security groups chained hop by hop: a host admits only the hop before it, on the one port
# it serves, and may open connections only to the hop after it. The groups carry no inline
# rules (Terraform then also removes AWS's default allow-all egress); each rule below is its
# own resource so that a change to one rule replaces nothing else.
#
#   clients (allowed_client_cidrs) -> gatekeeper :mysql_port, :https_port
#   gatekeeper   -> trusted host :3306
#   trusted host -> proxy :3306
#   proxy        -> database :3306
#   database     -> database :3306 (replicas pull the primary's binlog)
#
# Egress to 0.0.0.0/0 on 443 and 80 is kept for every host, because boot needs it: apt
# (Debian's mirrors, port 80; apt checks the signatures), the AWS APIs the hosts call (SSM
# Parameter Store, Session Manager, S3 for the package and the SSM agent, all HTTPS) whose
# addresses are not fixed. On the private hosts it leaves through the NAT gateway, which
# accepts nothing inbound. The Amazon DNS resolver, the time service and the instance metadata
# service are link-local and not filtered by security groups, so they need no rule.

locals {
  internal_port = 3306
  security_groups = {
    gatekeeper     = aws_security_group.gatekeeper.id
    "trusted-host" = aws_security_group.trusted_host.id
    proxy          = aws_security_group.proxy.id
    database       = aws_security_group.database.id
  }
  # The chain inside the VPC, sender to receiver, all on internal_port.
  hops = {
    "gatekeeper-to-trusted-host" = {
      from    = "gatekeeper"
      to      = "trusted-host"
      ingress = "the gatekeeper only"
      egress  = "to the trusted host"
    }
    "trusted-host-to-proxy" = {
      from    = "trusted-host"
      to      = "proxy"
      ingress = "the trusted host only"
      egress  = "to the proxy"
    }
    "proxy-to-database" = {
      from    = "proxy"
      to      = "database"
      ingress = "the proxy (statements and its monitor)"
      egress  = "to the MariaDB nodes"
    }
    "database-to-database" = {
      from    = "database"
      to      = "database"
      ingress = "replication between the MariaDB nodes"
      egress  = "replicas to the primary"
    }
  }
  client_ports = {
    mysql = var.mysql_port
    https = var.https_port
  }
  ssh_enabled = var.ssh_key_name != null && length(var.admin_ssh_cidrs) > 0
}

resource "aws_security_group" "gatekeeper" {
  name        = "${var.name_prefix}-gatekeeper"
  description = "sqlgate gatekeeper: clients in, trusted host out"
  vpc_id      = aws_vpc.main.id

  tags = {
    Name = "${var.name_prefix}-gatekeeper"
  }
}

resource "aws_security_group" "trusted_host" {
  name        = "${var.name_prefix}-trusted-host"
  description = "sqlgate trusted host: gatekeeper in, proxy out"
  vpc_id      = aws_vpc.main.id

  tags = {
    Name = "${var.name_prefix}-trusted-host"
  }
}

resource "aws_security_group" "proxy" {
  name        = "${var.name_prefix}-proxy"
  description = "sqlgate proxy: trusted host in, database out"
  vpc_id      = aws_vpc.main.id

  tags = {
    Name = "${var.name_prefix}-proxy"
  }
}

resource "aws_security_group" "database" {
  name        = "${var.name_prefix}-database"
  description = "sqlgate MariaDB nodes: proxy and other nodes in"
  vpc_id      = aws_vpc.main.id

  tags = {
    Name = "${var.name_prefix}-database"
  }
}

# ---- ingress

resource "aws_vpc_security_group_ingress_rule" "gatekeeper_clients" {
  for_each = {
    for pair in setproduct(keys(local.client_ports), var.allowed_client_cidrs) :
    "${pair[0]}-${pair[1]}" => { port = local.client_ports[pair[0]], cidr = pair[1] }
  }

  security_group_id = aws_security_group.gatekeeper.id
  description       = "sqlgate clients (${split("-", each.key)[0]})"
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = each.value.cidr

  lifecycle {
    precondition {
      condition     = var.allow_world || !endswith(each.value.cidr, "/0")
      error_message = "allowed_client_cidrs contains ${each.value.cidr}, the whole internet. Name the networks your clients use, or set allow_world = true if that is really meant."
    }
    precondition {
      condition     = var.mysql_port != var.https_port
      error_message = "mysql_port and https_port must differ."
    }
  }
}

resource "aws_vpc_security_group_ingress_rule" "gatekeeper_ssh" {
  for_each = local.ssh_enabled ? toset(var.admin_ssh_cidrs) : toset([])

  security_group_id = aws_security_group.gatekeeper.id
  description       = "SSH for administrators (ssh_key_name and admin_ssh_cidrs are set)"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = each.value
}

# Each hop of the chain is a pair of rules: the receiving group admits the sending group, and
# the sending group may connect to the receiving one; both from the one map, so neither side
# can be forgotten.
resource "aws_vpc_security_group_ingress_rule" "hop" {
  for_each = local.hops

  security_group_id            = local.security_groups[each.value.to]
  description                  = each.value.ingress
  ip_protocol                  = "tcp"
  from_port                    = local.internal_port
  to_port                      = local.internal_port
  referenced_security_group_id = local.security_groups[each.value.from]
}

# ---- egress

resource "aws_vpc_security_group_egress_rule" "hop" {
  for_each = local.hops

  security_group_id            = local.security_groups[each.value.from]
  description                  = each.value.egress
  ip_protocol                  = "tcp"
  from_port                    = local.internal_port
  to_port                      = local.internal_port
  referenced_security_group_id = local.security_groups[each.value.to]
}

# Boot-time needs of every host (see the comment at the top): HTTPS for the AWS APIs and S3,
# HTTP for Debian's package mirrors.
resource "aws_vpc_security_group_egress_rule" "boot" {
  for_each = {
    for pair in setproduct(keys(local.security_groups), ["80", "443"]) :
    "${pair[0]}-${pair[1]}" => { group = local.security_groups[pair[0]], port = tonumber(pair[1]) }
  }

  security_group_id = each.value.group
  description       = each.value.port == 443 ? "HTTPS: SSM, Session Manager, S3, apt" : "HTTP: Debian package mirrors"
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = "0.0.0.0/0"
}
