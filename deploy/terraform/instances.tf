# The hosts. Each boots Debian 12 with a cloud-init document (deploy/cloud-init) that embeds
# its role's config, rendered from the same templates the local run uses (deploy/templates),
# and runs bootstrap.sh, which fetches its secrets from SSM and starts the role.

data "aws_ami" "debian" {
  most_recent = true
  owners      = ["136693071363"] # Debian's own AWS account

  filter {
    name   = "name"
    values = ["debian-12-amd64-*"]
  }
  filter {
    name   = "architecture"
    values = ["x86_64"]
  }
  filter {
    name   = "virtualization-type"
    values = ["hvm"]
  }
}

locals {
  # Fixed private addresses: each config names its neighbours (allowlists, upstreams, the
  # proxy's [[servers]], the MariaDB grants) before any instance exists.
  gatekeeper_ip   = cidrhost(local.public_cidr, 10)
  trusted_host_ip = cidrhost(local.private_cidr, 10)
  proxy_ip        = cidrhost(local.private_cidr, 11)
  database_ips    = [for i in range(var.replica_count + 1) : cidrhost(local.private_cidr, 20 + i)]
  # Primary first, as the local cluster names them: these are the proxy's [[servers]] names
  # and what send-requests --nodes takes.
  node_names = [for i in range(var.replica_count + 1) : i == 0 ? "primary" : "replica-${i}"]

  certs_dir   = "/etc/sqlgate/tls"
  demo_schema = "main_db"
  demo_kinds  = ["read", "write", "ddl"]
  # Account names on the MariaDB nodes, as scripts/cluster.sh creates them locally.
  backend_user     = "sqlgate_proxy"
  monitor_user     = "sqlgate_monitor"
  replication_user = "sqlgate_repl"

  # [[users]] and [[servers]] for the role templates, in the form scripts/lib/*.sh writes
  # them locally. @HASH_OF:x@ and @VALUE_OF:x@ are filled in at boot from the SSM parameter
  # x (bootstrap.sh), so user data holds neither a password nor its hash.
  policy = format(
    "allowed_kinds = %s\nallowed_schemas = [%q]\ndefault_schema = %q\n",
    jsonencode(local.demo_kinds), local.demo_schema, local.demo_schema,
  )
  gatekeeper_users = format(
    "\n[[users]]\nname = %q\npassword_hash = %q\napi_token_sha256 = %q\n%s",
    var.demo_user, "@HASH_OF:demo_password@", "@VALUE_OF:api_token_sha256@", local.policy,
  )
  trusted_host_users = format("\n[[users]]\nname = %q\n%s", var.demo_user, local.policy)
  proxy_users = format(
    "\n[[users]]\nname = %q\npassword_hash = %q\n",
    var.demo_user, "@HASH_OF:upstream_password@",
  )
  proxy_servers = join("", [
    for i, ip in local.database_ips : format(
      "\n[[servers]]\nname = %q\naddress = %q\nport = %d\nrole = %q\n",
      local.node_names[i], ip, local.internal_port, i == 0 ? "primary" : "replica",
    )
  ])

  role_configs = {
    gatekeeper = templatefile("${path.module}/../templates/gatekeeper.toml.tftpl", {
      listen_address       = local.gatekeeper_ip
      source_address       = local.gatekeeper_ip
      mysql_port           = var.mysql_port
      https_port           = var.https_port
      trusted_host_address = local.trusted_host_ip
      trusted_host_port    = local.internal_port
      certs_dir            = local.certs_dir
      audit_file           = "/var/log/sqlgate/audit.log"
      admin_port           = 9191
      admin_peers          = "" # the other hosts' admin listeners are on their own loopback
      users                = local.gatekeeper_users
    })
    "trusted-host" = templatefile("${path.module}/../templates/trusted-host.toml.tftpl", {
      secrets_file       = "/etc/sqlgate/trusted-host.secrets"
      listen_address     = local.trusted_host_ip
      listen_port        = local.internal_port
      source_address     = local.trusted_host_ip
      certs_dir          = local.certs_dir
      gatekeeper_address = local.gatekeeper_ip
      proxy_address      = local.proxy_ip
      proxy_port         = local.internal_port
      admin_port         = 9192
      users              = local.trusted_host_users
    })
    proxy = templatefile("${path.module}/../templates/proxy.toml.tftpl", {
      listen_address            = local.proxy_ip
      listen_port               = local.internal_port
      default_route             = "random"
      backend_user              = local.backend_user
      backend_password_file     = "/etc/sqlgate/secrets/backend.password"
      source_address            = local.proxy_ip
      monitor_user              = local.monitor_user
      monitor_password_file     = "/etc/sqlgate/secrets/monitor.password"
      replication_user          = local.replication_user
      replication_password_file = "/etc/sqlgate/secrets/replication.password"
      admin_port                = 9190
      servers                   = local.proxy_servers
      certs_dir                 = local.certs_dir
      trusted_host_address      = local.trusted_host_ip
      users                     = local.proxy_users
    })
  }

  # User data is limited to 16 KB, so the boot script travels gzipped.
  bootstrap_gzip_b64 = base64gzip(file("${path.module}/../cloud-init/bootstrap.sh"))
  # parameter_prefix is the role's own path, the only one its instance role may read.
  common_boot = {
    bootstrap_gzip_b64 = local.bootstrap_gzip_b64
    region             = var.region
  }
  package_boot = {
    package_bucket = aws_s3_bucket.package.id
    package_key    = aws_s3_object.package.key
  }

  user_data = {
    gatekeeper = templatefile("${path.module}/../cloud-init/gatekeeper.yaml.tftpl", merge(local.common_boot, local.package_boot, {
      config_b64       = base64encode(local.role_configs.gatekeeper)
      parameter_prefix = "${local.parameter_prefix}/gatekeeper"
      listen_address   = local.gatekeeper_ip
      mysql_port       = var.mysql_port
    }))
    "trusted-host" = templatefile("${path.module}/../cloud-init/trusted-host.yaml.tftpl", merge(local.common_boot, local.package_boot, {
      config_b64       = base64encode(local.role_configs["trusted-host"])
      parameter_prefix = "${local.parameter_prefix}/trusted-host"
      listen_address   = local.trusted_host_ip
      listen_port      = local.internal_port
      demo_user        = var.demo_user
    }))
    proxy = templatefile("${path.module}/../cloud-init/proxy.yaml.tftpl", merge(local.common_boot, local.package_boot, {
      config_b64       = base64encode(local.role_configs.proxy)
      parameter_prefix = "${local.parameter_prefix}/proxy"
      listen_address   = local.proxy_ip
      listen_port      = local.internal_port
      primary_address  = local.database_ips[0]
      primary_port     = local.internal_port
    }))
  }
  # What sets each role's host apart. `public` puts the gatekeeper, alone, in the public
  # subnet with a public address and the SSH key (admin SSH is admitted there only).
  hosts = {
    gatekeeper = {
      instance_type  = var.gatekeeper_instance_type
      private_ip     = local.gatekeeper_ip
      security_group = aws_security_group.gatekeeper.id
      public         = true
    }
    "trusted-host" = {
      instance_type  = var.trusted_host_instance_type
      private_ip     = local.trusted_host_ip
      security_group = aws_security_group.trusted_host.id
      public         = false
    }
    proxy = {
      instance_type  = var.proxy_instance_type
      private_ip     = local.proxy_ip
      security_group = aws_security_group.proxy.id
      public         = false
    }
  }

  database_user_data = [
    for i, ip in local.database_ips : templatefile("${path.module}/../cloud-init/database.yaml.tftpl", merge(local.common_boot, {
      parameter_prefix  = "${local.parameter_prefix}/database"
      node_index        = i
      node_name         = local.node_names[i]
      private_address   = ip
      primary_address   = local.database_ips[0]
      replica_addresses = join(",", slice(local.database_ips, 1, length(local.database_ips)))
      proxy_address     = local.proxy_ip
      backend_user      = local.backend_user
      monitor_user      = local.monitor_user
      replication_user  = local.replication_user
      demo_schema       = local.demo_schema
    }))
  ]
}

resource "aws_eip" "gatekeeper" {
  domain = "vpc"

  tags = {
    Name = "${var.name_prefix}-gatekeeper"
  }

  depends_on = [aws_internet_gateway.main]
}

# The gatekeeper, trusted host and proxy differ only in what local.hosts holds. The database
# nodes stay apart: a count of replicas, with larger disks and a user data list of their own.
resource "aws_instance" "sqlgate_host" {
  for_each = local.hosts

  ami                         = data.aws_ami.debian.id
  instance_type               = each.value.instance_type
  subnet_id                   = each.value.public ? aws_subnet.public.id : aws_subnet.private.id
  private_ip                  = each.value.private_ip
  associate_public_ip_address = each.value.public
  vpc_security_group_ids      = [each.value.security_group]
  iam_instance_profile        = aws_iam_instance_profile.role[each.key].name
  key_name                    = each.value.public ? var.ssh_key_name : null
  user_data                   = local.user_data[each.key]
  # The boot script runs once, so a changed config or package means a new host.
  user_data_replace_on_change = true

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    encrypted   = true
    volume_type = "gp3"
    volume_size = 8
  }

  tags = {
    Name = "${var.name_prefix}-${each.key}"
    Role = each.key
  }

  lifecycle {
    # A newer Debian image is not a reason to replace a running host.
    ignore_changes = [ami]

    precondition {
      condition     = length(local.user_data[each.key]) <= 16384
      error_message = "The ${each.key}'s user data exceeds EC2's 16 KB limit."
    }
  }

  # What a host needs before it boots: its secrets in SSM, a way out to the internet for
  # packages, and the permissions of its instance role.
  depends_on = [
    aws_ssm_parameter.secret,
    aws_route.public_internet,
    aws_route.private_nat,
    aws_route_table_association.public,
    aws_route_table_association.private,
    aws_iam_role_policy.role,
    aws_iam_role_policy_attachment.ssm_core,
  ]
}

# The address clients use and the gatekeeper's certificate names; it outlives the instance.
resource "aws_eip_association" "gatekeeper" {
  instance_id   = aws_instance.sqlgate_host["gatekeeper"].id
  allocation_id = aws_eip.gatekeeper.id
}

# Node 0 is the primary; nodes 1..replica_count replicate from it.
resource "aws_instance" "database" {
  count = var.replica_count + 1

  ami                         = data.aws_ami.debian.id
  instance_type               = var.database_instance_type
  subnet_id                   = aws_subnet.private.id
  private_ip                  = local.database_ips[count.index]
  associate_public_ip_address = false
  vpc_security_group_ids      = [aws_security_group.database.id]
  iam_instance_profile        = aws_iam_instance_profile.role["database"].name
  user_data                   = local.database_user_data[count.index]
  user_data_replace_on_change = true

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    encrypted   = true
    volume_type = "gp3"
    volume_size = 16
  }

  tags = {
    Name = "${var.name_prefix}-${local.node_names[count.index]}"
    Role = "database"
  }

  lifecycle {
    ignore_changes = [ami]

    precondition {
      condition     = length(local.database_user_data[count.index]) <= 16384
      error_message = "The database nodes' user data exceeds EC2's 16 KB limit."
    }
  }

  # What a host needs before it boots: its secrets in SSM, a way out to the internet for
  # packages, and the permissions of its instance role.
  depends_on = [
    aws_ssm_parameter.secret,
    aws_route.public_internet,
    aws_route.private_nat,
    aws_route_table_association.public,
    aws_route_table_association.private,
    aws_iam_role_policy.role,
    aws_iam_role_policy_attachment.ssm_core,
  ]
}
