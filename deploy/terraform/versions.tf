terraform {
  required_version = ">= 1.5"

  # Terraform's state holds the generated secrets (CA key, passwords), so it stays on the
  # operator's machine: scripts/aws.sh points this backend at .sqlgate/aws (mode 0700) with
  # -backend-config="path=...". Without that option it is ./terraform.tfstate.
  backend "local" {}

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }
    tls = {
      source  = "hashicorp/tls"
      version = "~> 4.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project    = "sqlgate"
      Deployment = var.name_prefix
    }
  }
}
