output "gatekeeper_public_ip" {
  description = "The gatekeeper's public address (an Elastic IP, named in its certificate)."
  value       = aws_eip.gatekeeper.public_ip
}

output "gatekeeper_mysql_port" {
  description = "The gatekeeper's MySQL port (TLS required)."
  value       = var.mysql_port
}

output "gatekeeper_https_port" {
  description = "The gatekeeper's HTTPS JSON API port."
  value       = var.https_port
}

output "gatekeeper_url" {
  description = "Base URL of the HTTPS JSON API."
  value       = "https://${aws_eip.gatekeeper.public_ip}:${var.https_port}"
}

output "ca_certificate" {
  description = "PEM of the private CA that signed every sqlgate certificate; clients verify the gatekeeper with it (ssl-ca, curl --cacert)."
  value       = tls_self_signed_cert.ca.cert_pem
}

output "demo_user" {
  description = "The demo user's name."
  value       = var.demo_user
}

output "demo_password" {
  description = "The demo user's password (terraform output -raw demo_password)."
  value       = random_password.demo.result
  sensitive   = true
}

output "demo_api_token" {
  description = "The demo user's bearer token for the HTTPS API (terraform output -raw demo_api_token)."
  value       = random_password.api_token.result
  sensitive   = true
}

output "node_names" {
  description = "The MariaDB nodes, primary first, as the proxy's [[servers]] name them (for send-requests --nodes)."
  value       = local.node_names
}
