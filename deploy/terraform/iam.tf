# One instance role per host role. Each may read only its own SSM path
# (/<name_prefix>/<role>/*), so a compromised gatekeeper yields its own certificate and the
# demo password's parameter, never a database password.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  roles = toset(["gatekeeper", "trusted-host", "proxy", "database"])
  # The roles that install sqlgate; the database nodes install MariaDB from Debian only.
  package_roles        = toset(["gatekeeper", "trusted-host", "proxy"])
  account_id           = data.aws_caller_identity.current.account_id
  partition            = data.aws_partition.current.partition
  parameter_prefix     = "/${var.name_prefix}"
  parameter_arn_prefix = "arn:${local.partition}:ssm:${var.region}:${local.account_id}:parameter/${var.name_prefix}"
}

data "aws_iam_policy_document" "assume_ec2" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "role" {
  for_each = local.roles

  statement {
    sid       = "ReadOwnParameters"
    actions   = ["ssm:GetParameter", "ssm:GetParameters"]
    resources = ["${local.parameter_arn_prefix}/${each.key}/*"]
  }

  # SecureStrings use the account's aws/ssm key. The key is named by condition, not ARN,
  # because AWS creates it on first use and it may not exist when this policy is written;
  # the encryption context pins decryption to this role's parameters.
  statement {
    sid       = "DecryptOwnParameters"
    actions   = ["kms:Decrypt"]
    resources = ["arn:${local.partition}:kms:${var.region}:${local.account_id}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:PARAMETER_ARN"
      values   = ["${local.parameter_arn_prefix}/${each.key}/*"]
    }
  }

  # AmazonSSMManagedInstanceCore (for Session Manager) allows ssm:GetParameter(s) on every
  # parameter, and the aws/ssm key's policy lets any principal of the account decrypt
  # through SSM; only an explicit deny keeps the other roles' parameters out of reach.
  statement {
    sid       = "DenyOtherRolesParameters"
    effect    = "Deny"
    actions   = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory"]
    resources = [for r in local.roles : "${local.parameter_arn_prefix}/${r}/*" if r != each.key]
  }

  statement {
    sid       = "DenyParametersByPath"
    effect    = "Deny"
    actions   = ["ssm:GetParametersByPath"]
    resources = [local.parameter_arn_prefix, "${local.parameter_arn_prefix}/*"]
  }

  dynamic "statement" {
    for_each = contains(local.package_roles, each.key) ? [aws_s3_object.package.key] : []

    content {
      sid       = "ReadPackage"
      actions   = ["s3:GetObject"]
      resources = ["${aws_s3_bucket.package.arn}/${statement.value}"]
    }
  }
}

resource "aws_iam_role" "role" {
  for_each = local.roles

  name               = "${var.name_prefix}-${each.key}"
  description        = "sqlgate ${each.key} instances"
  assume_role_policy = data.aws_iam_policy_document.assume_ec2.json
}

resource "aws_iam_role_policy" "role" {
  for_each = local.roles

  name   = "${var.name_prefix}-${each.key}"
  role   = aws_iam_role.role[each.key].id
  policy = data.aws_iam_policy_document.role[each.key].json
}

# Session Manager instead of SSH: no inbound port, every session logged in CloudTrail.
resource "aws_iam_role_policy_attachment" "ssm_core" {
  for_each = local.roles

  role       = aws_iam_role.role[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "role" {
  for_each = local.roles

  name = "${var.name_prefix}-${each.key}"
  role = aws_iam_role.role[each.key].name
}
