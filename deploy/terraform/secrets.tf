# Every secret is generated here and reaches its host through SSM Parameter Store
# (SecureString, /<name_prefix>/<role>/<name>), read at boot by the host's instance role;
# none is in user data. They live in Terraform's state too, which is why the state stays
# in .sqlgate/aws with mode 0700 (versions.tf).

# ---- a private CA and one certificate per sqlgate role, as scripts/certs.sh makes locally:
# ECDSA P-256, the role's name as CN and DNS name (what the next hop checks:
# client_certificate_names, server_name) and its addresses as IP names (what clients using
# --ssl-verify-server-cert check).

resource "tls_private_key" "ca" {
  algorithm   = "ECDSA"
  ecdsa_curve = "P256"
}

resource "tls_self_signed_cert" "ca" {
  private_key_pem       = tls_private_key.ca.private_key_pem
  is_ca_certificate     = true
  validity_period_hours = 5 * 365 * 24
  allowed_uses          = ["cert_signing", "crl_signing"]

  subject {
    common_name = "${var.name_prefix} sqlgate CA"
  }
}

locals {
  tls_roles = {
    gatekeeper = {
      dns_names = ["gatekeeper", aws_eip.gatekeeper.public_dns]
      # The public address is what clients connect to; the private one is what the trusted
      # host sees.
      ip_addresses = [aws_eip.gatekeeper.public_ip, local.gatekeeper_ip]
    }
    "trusted-host" = {
      dns_names    = ["trusted-host"]
      ip_addresses = [local.trusted_host_ip]
    }
    proxy = {
      dns_names    = ["proxy"]
      ip_addresses = [local.proxy_ip]
    }
  }
}

resource "tls_private_key" "role" {
  for_each = local.tls_roles

  algorithm   = "ECDSA"
  ecdsa_curve = "P256"
}

resource "tls_cert_request" "role" {
  for_each = local.tls_roles

  private_key_pem = tls_private_key.role[each.key].private_key_pem
  dns_names       = each.value.dns_names
  ip_addresses    = each.value.ip_addresses

  subject {
    common_name = each.key
  }
}

resource "tls_locally_signed_cert" "role" {
  for_each = local.tls_roles

  cert_request_pem   = tls_cert_request.role[each.key].cert_request_pem
  ca_private_key_pem = tls_private_key.ca.private_key_pem
  ca_cert_pem        = tls_self_signed_cert.ca.cert_pem
  # Each certificate serves its role as server and as client (mutual TLS on every hop).
  validity_period_hours = 825 * 24
  allowed_uses          = ["digital_signature", "key_encipherment", "server_auth", "client_auth"]
}

# ---- passwords. Letters and digits only: they are written into TOML strings, SQL literals
# and client option files, where these need no escaping; 32 of them are about 190 bits.

resource "random_password" "demo" {
  length  = 32
  special = false
}

resource "random_password" "api_token" {
  length  = 48
  special = false
}

# What the trusted host logs in to the proxy with, for the demo user.
resource "random_password" "upstream" {
  length  = 32
  special = false
}

# The proxy's account on every MariaDB node.
resource "random_password" "backend" {
  length  = 32
  special = false
}

resource "random_password" "monitor" {
  length  = 32
  special = false
}

resource "random_password" "replication" {
  length  = 32
  special = false
}

resource "random_password" "mariadb_root" {
  length  = 32
  special = false
}

# ---- delivery: which parameters each role reads. A value two roles need is stored under
# both paths, since each role may read only its own.

locals {
  role_parameters = {
    gatekeeper     = ["ca_certificate", "certificate", "private_key", "demo_password", "api_token_sha256"]
    "trusted-host" = ["ca_certificate", "certificate", "private_key", "upstream_password"]
    proxy          = ["ca_certificate", "certificate", "private_key", "upstream_password", "backend_password", "monitor_password", "replication_password"]
    database       = ["backend_password", "monitor_password", "replication_password", "root_password"]
  }
  parameters = merge([
    for role, names in local.role_parameters : {
      for name in names : "${role}/${name}" => { role = role, name = name }
    }
  ]...)
  shared_parameter_values = {
    ca_certificate       = tls_self_signed_cert.ca.cert_pem
    demo_password        = random_password.demo.result
    api_token_sha256     = sha256(random_password.api_token.result)
    upstream_password    = random_password.upstream.result
    backend_password     = random_password.backend.result
    monitor_password     = random_password.monitor.result
    replication_password = random_password.replication.result
    root_password        = random_password.mariadb_root.result
  }
  role_parameter_values = {
    for role in keys(local.tls_roles) : role => {
      certificate = tls_locally_signed_cert.role[role].cert_pem
      private_key = tls_private_key.role[role].private_key_pem
    }
  }
}

resource "aws_ssm_parameter" "secret" {
  for_each = local.parameters

  name        = "${local.parameter_prefix}/${each.key}"
  description = "sqlgate ${each.value.role}: ${each.value.name}"
  type        = "SecureString"
  value       = merge(local.shared_parameter_values, try(local.role_parameter_values[each.value.role], {}))[each.value.name]
}
