# The sqlgate .deb, in a private bucket that only the instance roles of the hosts that
# install it may read (iam.tf), one object each.

resource "aws_s3_bucket" "package" {
  bucket_prefix = "${var.name_prefix}-package-"
  # scripts/run.sh aws-destroy must leave nothing behind, the uploaded package included.
  force_destroy = true
}

resource "aws_s3_bucket_public_access_block" "package" {
  bucket                  = aws_s3_bucket.package.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "package" {
  bucket = aws_s3_bucket.package.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "package" {
  bucket = aws_s3_bucket.package.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

data "aws_iam_policy_document" "package_bucket" {
  statement {
    sid       = "DenyPlainHTTP"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.package.arn, "${aws_s3_bucket.package.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "package" {
  bucket = aws_s3_bucket.package.id
  policy = data.aws_iam_policy_document.package_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.package]
}

resource "aws_s3_object" "package" {
  bucket = aws_s3_bucket.package.id
  # Named by content, so a new build is a new object and the hosts built from it are
  # replaced (their user data names it).
  key          = "sqlgate/${filemd5(var.package_path)}/sqlgate.deb"
  source       = var.package_path
  etag         = filemd5(var.package_path)
  content_type = "application/vnd.debian.binary-package"

  depends_on = [aws_s3_bucket_server_side_encryption_configuration.package]
}
